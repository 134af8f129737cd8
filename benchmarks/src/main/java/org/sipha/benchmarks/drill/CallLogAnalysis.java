package org.sipha.benchmarks.drill;

import java.util.List;

/** Turns the carrier's calls and the fault windows into one {@link FaultResult} per fault. Stateless. */
final class CallLogAnalysis {
    static final double SLOW_MS = 1000;
    /**
     * A window takes the calls started from this long before its fault to this long before the next one: a call in
     * setup when the fault struck (its INVITE on the wire, its PBX still to answer) belongs to that fault.
     */
    static final double LEAD_MS = 1000;

    private CallLogAnalysis() {}

    /** Whether {@code c} is one of window {@code w}'s calls (see {@link #LEAD_MS}). */
    static boolean inWindow(CallLog.Call c, FaultWindow w) {
        return c.startMs() >= w.injectMs() - LEAD_MS && c.startMs() < w.endMs() - LEAD_MS;
    }

    /** @param accounting the records read back, or null when not measured */
    static FaultResult analyse(List<CallLog.Call> calls, FaultWindow w, int holdMs, AccountingRecords accounting) {
        List<CallLog.Call> started = calls.stream().filter(c -> inWindow(c, w)).toList();
        int failed = 0;
        int slow = 0;
        int byB = 0;
        double maxSetup = 0;
        for (CallLog.Call c : started) {
            if (!c.answered()) {
                failed++;
                continue;
            }
            maxSetup = Math.max(maxSetup, c.setupMs());
            if (c.setupMs() > SLOW_MS) {
                slow++;
            }
            if (Topology.B.owns(c.pbx())) {
                byB++;
            }
        }
        int cut = (int) calls.stream()
                .filter(c -> c.answered() && !c.ended())
                .filter(c -> c.answerMs() + holdMs >= w.injectMs() && c.answerMs() + holdMs < w.endMs())
                .count();
        return new FaultResult(
                w.fault(),
                started.size(),
                failed,
                slow,
                cut,
                maxSetup,
                recoveredAfter(
                        started.stream()
                                .filter(c -> c.startMs() >= w.injectMs() && c.startMs() < w.recoverMs())
                                .toList(),
                        w.injectMs()),
                backOnPreferredAfter(started, w.recoverMs(), byB),
                byB,
                accounting == null ? -1 : accounting.lost(started),
                accounting == null ? -1 : accounting.duplicated(started),
                accounting == null ? -1 : accounting.otherDialogs(started),
                accounting == null
                        ? -1
                        : w.fault() == Fault.PROXY_KILLED ? accounting.lostAtKill(calls, w.injectMs()) : 0);
    }

    /**
     * The earliest 200 among the trailing run of answered calls started before the repair, minus the fault time;
     * NaN if none (calls that fail during the repair count as failed, not here).
     */
    static double recoveredAfter(List<CallLog.Call> started, double faultMs) {
        double earliest = Double.NaN;
        for (int i = started.size() - 1; i >= 0 && started.get(i).answered(); i--) {
            double a = started.get(i).answerMs();
            earliest = Double.isNaN(earliest) ? a : Math.min(earliest, a);
        }
        return earliest - faultMs;
    }

    /**
     * The earliest 200 among the trailing run of calls answered by site A and started after the repair, minus the
     * repair time; -1 when no call of the window went to site B; NaN when the window ends on site B.
     */
    static double backOnPreferredAfter(List<CallLog.Call> started, double recoverMs, int answeredByB) {
        if (answeredByB == 0) {
            return -1;
        }
        double earliest = Double.NaN;
        for (int i = started.size() - 1; i >= 0; i--) {
            CallLog.Call c = started.get(i);
            if (c.startMs() < recoverMs || !c.answered() || !Topology.A.owns(c.pbx())) {
                break;
            }
            earliest = Double.isNaN(earliest) ? c.answerMs() : Math.min(earliest, c.answerMs());
        }
        return earliest - recoverMs;
    }
}
