package org.sipha.benchmarks.drill;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The proxies' accounting records read back from the Galera cluster's {@code cdr} table after the load: rows per
 * kind, carrier call (SIPp's Call-IDs start with the call number) and callee tag. Immutable once read.
 */
final class AccountingRecords {
    /** "KIND call toTag" -> rows; "KIND call" -> rows over every tag. */
    private final Map<String, Integer> rows;

    private AccountingRecords(Map<String, Integer> rows) {
        this.rows = rows;
    }

    /** Reads {@code kind, call_id, to_tag, COUNT(*)} through the mariadb client of a synced Primary node. */
    static AccountingRecords read(GaleraCluster galera) {
        String out =
                galera.query("SELECT kind, call_id, to_tag, COUNT(*) FROM sipha.cdr GROUP BY kind, call_id, to_tag");
        Map<String, Integer> rows = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                continue;
            }
            int dash = f[1].indexOf('-');
            try {
                int call = Integer.parseInt(f[1].substring(0, dash));
                int n = Integer.parseInt(f[3].trim());
                rows.merge(f[0] + " " + call + " " + f[2], n, Integer::sum);
                rows.merge(f[0] + " " + call, n, Integer::sum);
            } catch (RuntimeException notACarrierCall) {
                // another Call-ID form: not one of the carrier's calls
            }
        }
        return new AccountingRecords(rows);
    }

    private int rows(String kind, CallLog.Call c) {
        return rows.getOrDefault(kind + " " + c.number(), 0);
    }

    private int rowsOfDialog(String kind, CallLog.Call c) {
        return rows.getOrDefault(kind + " " + c.number() + " " + c.toTag(), 0);
    }

    /**
     * Records missing for {@code calls}: an answered call needs an OUTCOME and a START of the dialog the carrier
     * kept, an ended one its STOP.
     */
    int lost(List<CallLog.Call> calls) {
        int lost = 0;
        for (CallLog.Call c : calls) {
            if (c.answered()) {
                lost += rows("OUTCOME", c) == 0 ? 1 : 0;
                lost += rowsOfDialog("START", c) == 0 ? 1 : 0;
            }
            if (c.ended()) {
                lost += rowsOfDialog("STOP", c) == 0 ? 1 : 0;
            }
        }
        return lost;
    }

    /** Which records are missing, by kind and carrier call number (empty when none), for the report's notes. */
    String missing(List<CallLog.Call> calls) {
        StringBuilder b = new StringBuilder();
        for (CallLog.Call c : calls) {
            if (c.answered() && rows("OUTCOME", c) == 0) {
                b.append(" OUTCOME of call ").append(c.number()).append(';');
            }
            if (c.answered() && rowsOfDialog("START", c) == 0) {
                b.append(" START of call ").append(c.number()).append(';');
            }
            if (c.ended() && rowsOfDialog("STOP", c) == 0) {
                b.append(" STOP of call ").append(c.number()).append(';');
            }
        }
        return b.toString().trim();
    }

    /** Rows stored more than once: OUTCOMEs beyond one per call, STARTs and STOPs beyond one per dialog. */
    int duplicated(List<CallLog.Call> calls) {
        int dup = 0;
        for (CallLog.Call c : calls) {
            dup += Math.max(0, rows("OUTCOME", c) - 1);
            dup += Math.max(0, rowsOfDialog("START", c) - 1);
            dup += Math.max(0, rowsOfDialog("STOP", c) - 1);
        }
        return dup;
    }

    /**
     * STARTs of other dialogs of the same calls: a PBX that answered late (after the call had failed over from it)
     * made a second dialog, which the proxy relays and records as it must; the carrier never took it up.
     */
    int otherDialogs(List<CallLog.Call> calls) {
        int other = 0;
        for (CallLog.Call c : calls) {
            if (c.answered()) {
                other += rows("START", c) - rowsOfDialog("START", c);
            }
        }
        return other;
    }
}
