package org.sipha.benchmarks.drill;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The proxies' accounting records read back from the Galera cluster's {@code cdr} table after the load: how many
 * rows of each kind ({@code OUTCOME}, {@code START}, {@code STOP}) each carrier call has (SIPp's Call-IDs start with
 * the call number). Immutable once read.
 */
final class AccountingRecords {
    private final Map<String, Map<Integer, Integer>> rowsByKind;

    private AccountingRecords(Map<String, Map<Integer, Integer>> rowsByKind) {
        this.rowsByKind = rowsByKind;
    }

    /** Reads {@code kind, call_id, COUNT(*)} through the mariadb client of a node in the Primary component. */
    static AccountingRecords read(GaleraCluster galera) {
        String out = galera.query("SELECT kind, call_id, COUNT(*) FROM sipha.cdr GROUP BY kind, call_id");
        Map<String, Map<Integer, Integer>> rows = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            if (f.length != 3) {
                continue;
            }
            int dash = f[1].indexOf('-');
            try {
                int call = Integer.parseInt(f[1].substring(0, dash));
                rows.computeIfAbsent(f[0], k -> new HashMap<>())
                        .merge(call, Integer.parseInt(f[2].trim()), Integer::sum);
            } catch (RuntimeException notACarrierCall) {
                // the proxies' own rows (none expected) or another Call-ID form
            }
        }
        return new AccountingRecords(rows);
    }

    private int rows(String kind, int call) {
        return rowsByKind.getOrDefault(kind, Map.of()).getOrDefault(call, 0);
    }

    /** Records missing for {@code calls}: an answered call needs an OUTCOME and a START, an ended one a STOP. */
    int lost(List<CallLog.Call> calls) {
        int lost = 0;
        for (CallLog.Call c : calls) {
            if (c.answered()) {
                lost += rows("OUTCOME", c.number()) == 0 ? 1 : 0;
                lost += rows("START", c.number()) == 0 ? 1 : 0;
            }
            if (c.ended()) {
                lost += rows("STOP", c.number()) == 0 ? 1 : 0;
            }
        }
        return lost;
    }

    /** Rows beyond one per kind and call for {@code calls}. */
    int duplicated(List<CallLog.Call> calls) {
        int dup = 0;
        for (CallLog.Call c : calls) {
            for (String kind : List.of("OUTCOME", "START", "STOP")) {
                dup += Math.max(0, rows(kind, c.number()) - 1);
            }
        }
        return dup;
    }
}
