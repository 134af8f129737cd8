package org.sipha.benchmarks.drill;

import java.util.List;
import java.util.Locale;

/** The Markdown report: one row per fault and proxy, with what each fault cost. Stateless. */
final class DrillReport {
    private DrillReport() {}

    static String markdown(List<DrillRun> runs) {
        StringBuilder b = new StringBuilder();
        DrillRun first = runs.get(0);
        DrillOptions o = first.options();
        b.append("# Disaster drill (")
                .append(o.shortForm() ? "short form" : "full")
                .append(")\n\n");
        b.append(String.format(
                Locale.ROOT,
                "Load: %d calls/s from the carrier to %s, each call held %d ms; the PBXs answer %s; the site nodes"
                        + " send 100 Trying %s; every fault held %d ms, then repaired. Galera: %d node(s) per site"
                        + " plus garbd.%n%n",
                o.callsPerSecond(),
                Topology.ANYCAST,
                o.holdMs(),
                o.answerDelayMs() == 0 ? "at once" : o.answerDelayMs() + " ms after the INVITE",
                o.tryingAtOnce() ? "at once" : "when the PBX answers 100 or the carrier retransmits",
                o.faultMs(),
                o.galeraNodesPerSite()));
        b.append("| fault | proxy | calls | failed | setup > 1 s | cut | longest setup | new calls succeed after"
                + " | back on site A after | answered by B | accounting lost/duplicated |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (int i = 0; i < first.results().size(); i++) {
            for (DrillRun run : runs) {
                if (i >= run.results().size()) {
                    continue;
                }
                FaultResult r = run.results().get(i);
                b.append(String.format(
                        Locale.ROOT,
                        "| %s %s | %s | %d | %d | %d | %d | %s | %s | %s | %d | %s |%n",
                        r.fault().id,
                        r.fault().description,
                        run.proxy(),
                        r.calls(),
                        r.failed(),
                        r.slowOver1s(),
                        r.cut(),
                        seconds(r.maxSetupMs()),
                        seconds(r.recoveredAfterMs()),
                        r.backOnPreferredAfterMs() == -1 ? "never left" : seconds(r.backOnPreferredAfterMs()),
                        r.answeredByB(),
                        r.accountingLost() < 0
                                ? "not measured"
                                : r.accountingLost() + " / " + r.accountingDuplicated()
                                        + (r.accountingOtherDialogs() > 0
                                                ? " (+" + r.accountingOtherDialogs() + " second dialogs)"
                                                : "")
                                        + (r.accountingLostAtKill() > 0
                                                ? " (+" + r.accountingLostAtKill() + " lost with the killed proxy)"
                                                : "")));
            }
        }
        b.append(
                "\nColumns: calls started in the fault's window (from 1 s before its injection to 1 s before the next one, so a call in setup when the fault struck counts); failed: no 200;"
                        + " cut: answered calls whose BYE fell in the window and got no 200; new calls succeed after: from the"
                        + " fault to the earliest 200 of the calls started before the repair after which none failed; back on site A after: from the"
                        + " repair to the earliest 200 of the trailing run of calls answered by site A's PBXs; accounting: of the"
                        + " window's calls, answered calls without an OUTCOME or START record plus ended calls without a STOP"
                        + " record, then records stored more than once; second dialogs: STARTs of a late 200 from a PBX the call had"
                        + " failed over from, which the proxy relays and records as it must and the carrier never took up"
                        + " (Kamailio keeps no records here); lost with the killed proxy: records of events within "
                        + (int) AccountingRecords.KILL_MARGIN_MS
                        + " ms of a proxy's SIGKILL that the proxy had not yet written (whatever call they belong to), not"
                        + " counted as lost.\n");
        for (DrillRun run : runs) {
            for (String n : run.notes()) {
                b.append("\n- ").append(run.proxy()).append(": ").append(n);
            }
        }
        b.append('\n');
        return b.toString();
    }

    static String seconds(double ms) {
        return Double.isNaN(ms) ? "never" : String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }
}
