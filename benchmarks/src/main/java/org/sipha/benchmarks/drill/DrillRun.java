package org.sipha.benchmarks.drill;

import java.util.List;

/** What one drill did and measured: its options, the load's span, each fault's window and result, every call. */
record DrillRun(
        DrillOptions options,
        String proxy,
        double loadStartMs,
        double loadEndMs,
        List<FaultWindow> windows,
        List<CallLog.Call> calls,
        List<FaultResult> results,
        List<String> notes) {}
