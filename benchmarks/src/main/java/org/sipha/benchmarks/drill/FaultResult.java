package org.sipha.benchmarks.drill;

/**
 * What one fault cost, measured from the carrier's calls: calls started in its window that failed or took over 1 s
 * to set up, answered calls whose BYE fell in the window and did not complete, milliseconds from the fault until
 * new calls succeeded again (the earliest 200 of the calls, started before the repair, after which none failed), and from the repair until
 * calls were answered by the preferred site again (-1: they never left it; NaN: never came back); accounting
 * records lost, stored twice, of second dialogs, and (for a proxy's SIGKILL) lost with the killed proxy; -1: not measured.
 */
record FaultResult(
        Fault fault,
        int calls,
        int failed,
        int slowOver1s,
        int cut,
        double maxSetupMs,
        double recoveredAfterMs,
        double backOnPreferredAfterMs,
        int answeredByB,
        int accountingLost,
        int accountingDuplicated,
        int accountingOtherDialogs,
        int accountingLostAtKill) {}
