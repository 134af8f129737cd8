package org.sipha.benchmarks.drill;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The proxies' accounting records read back from the Galera cluster's {@code cdr} table after the load: rows per
 * kind, carrier call (SIPp's Call-IDs start with the call number) and callee tag. A record missing whose event (the
 * 200 for OUTCOME and START, the BYE's 200 for STOP) came within {@link #KILL_MARGIN_MS} of a proxy's SIGKILL is
 * counted as lost at that kill (the proxy's rings and writer held it), not as lost. Immutable once read.
 */
final class AccountingRecords {
    /** How close to a proxy's SIGKILL (its fault's injection) an event's record may have been lost with the proxy. */
    static final double KILL_MARGIN_MS = 100;

    /** "KIND call toTag" -> rows; "KIND call" -> rows over every tag. */
    private final Map<String, Integer> rows;

    /** Epoch milliseconds of the faults that SIGKILL a proxy. */
    private final List<Double> killsMs;

    AccountingRecords(Map<String, Integer> rows, List<Double> killsMs) {
        this.rows = rows;
        this.killsMs = List.copyOf(killsMs);
    }

    /**
     * Reads {@code kind, call_id, to_tag, COUNT(*)} through the mariadb client of a synced Primary node; {@code
     * killsMs}: when a proxy was SIGKILLed.
     */
    static AccountingRecords read(GaleraCluster galera, List<Double> killsMs) {
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
        return new AccountingRecords(rows, killsMs);
    }

    private int rows(String kind, CallLog.Call c) {
        return rows.getOrDefault(kind + " " + c.number(), 0);
    }

    private int rowsOfDialog(String kind, CallLog.Call c) {
        return rows.getOrDefault(kind + " " + c.number() + " " + c.toTag(), 0);
    }

    /**
     * Records missing for {@code calls}: an answered call needs an OUTCOME and a START of the dialog the carrier
     * kept, an ended one its STOP; those lost at a proxy's SIGKILL are not counted (see {@link #lostAtKill}).
     */
    int lost(List<CallLog.Call> calls) {
        return missingRecords(calls, false).size();
    }

    /** Records missing for {@code calls} whose event came within {@link #KILL_MARGIN_MS} of {@code killMs}. */
    int lostAtKill(List<CallLog.Call> calls, double killMs) {
        int n = 0;
        for (String m : missingRecords(calls, true)) {
            n += Math.abs(Double.parseDouble(m.substring(m.lastIndexOf(' ') + 1)) - killMs) <= KILL_MARGIN_MS ? 1 : 0;
        }
        return n;
    }

    /** Which records are missing, by kind and carrier call number (empty when none), for the report's notes. */
    String missing(List<CallLog.Call> calls) {
        StringBuilder b = new StringBuilder();
        for (String m : missingRecords(calls, true)) {
            String[] f = m.split(" ");
            double eventMs = Double.parseDouble(f[2]);
            b.append(' ').append(f[0]).append(" of call ").append(f[1]);
            if (nearKill(eventMs)) {
                b.append(" (at a proxy's SIGKILL)");
            }
            b.append(';');
        }
        return b.toString().trim();
    }

    /** "KIND call eventMs" per missing record; {@code atKills}: also those whose event came at a proxy's SIGKILL. */
    private List<String> missingRecords(List<CallLog.Call> calls, boolean atKills) {
        List<String> out = new ArrayList<>();
        for (CallLog.Call c : calls) {
            if (c.answered() && rows("OUTCOME", c) == 0) {
                add(out, "OUTCOME", c, c.answerMs(), atKills);
            }
            if (c.answered() && rowsOfDialog("START", c) == 0) {
                add(out, "START", c, c.answerMs(), atKills);
            }
            if (c.ended() && rowsOfDialog("STOP", c) == 0) {
                add(out, "STOP", c, c.endMs(), atKills);
            }
        }
        return out;
    }

    private void add(List<String> out, String kind, CallLog.Call c, double eventMs, boolean atKills) {
        if (atKills || !nearKill(eventMs)) {
            out.add(kind + " " + c.number() + " " + eventMs);
        }
    }

    private boolean nearKill(double eventMs) {
        for (double k : killsMs) {
            if (Math.abs(eventMs - k) <= KILL_MARGIN_MS) {
                return true;
            }
        }
        return false;
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
