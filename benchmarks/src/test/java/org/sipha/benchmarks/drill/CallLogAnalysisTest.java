package org.sipha.benchmarks.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallLogAnalysisTest {
    private static final double T0 = 1_796_000_000_000.0;

    @TempDir
    Path dir;

    @Test
    void readsTheCarriersLogAsSippPrintsIt() throws Exception {
        Path log = dir.resolve("calls.log");
        Files.writeString(log, """
            S 1 1796498886.000000.503897.000000
            A 1 1796498886.000000.514191.000000 198.18.10.11 tag=abc
            S 2 1796498887.000000.19984.000000
            E 1 1796498889.000000.000001.000000
            garbage line
            """);
        List<CallLog.Call> calls = CallLog.read(log);
        assertEquals(2, calls.size());
        CallLog.Call first = calls.get(0);
        assertEquals(1796498886503.897, first.startMs(), 1e-3);
        assertEquals(10.294, first.setupMs(), 1e-3);
        assertEquals("198.18.10.11", first.pbx());
        assertEquals("abc", first.toTag());
        assertTrue(first.ended());
        assertEquals(1796498887019.984, calls.get(1).startMs(), 1e-3);
        assertTrue(!calls.get(1).answered());
    }

    @Test
    void countsFailedSlowAndCutCallsAndWhenNewCallsSucceedAgain() {
        List<CallLog.Call> calls = List.of(
                // started before the window, answered, BYE due in the window, never ended: cut
                call(1, -1500, 10, "198.18.10.11", false),
                call(6, -300, Double.NaN, "", false), // in setup when the fault struck: the window's, failed
                call(2, 100, Double.NaN, "", false), // failed
                call(3, 200, 1500, "198.18.11.11", true), // slow, site B
                call(4, 300, 320, "198.18.11.11", true),
                call(5, 5000, 5010, "198.18.10.11", true), // site A again after the repair at 4000
                call(7, 7500, 7510, "198.18.10.11", true)); // within 1 s of the next fault: that one's
        FaultWindow w = new FaultWindow(Fault.PROXY_KILLED, T0, T0 + 4000, T0 + 8000);
        FaultResult r = CallLogAnalysis.analyse(calls, w, 2000, null);
        assertEquals(5, r.calls());
        assertEquals(2, r.failed());
        assertEquals(1, r.slowOver1s());
        assertEquals(1, r.cut());
        assertEquals(320, r.recoveredAfterMs(), 1e-9); // the earliest 200 of calls 3 and 4
        assertEquals(1010, r.backOnPreferredAfterMs(), 1e-9);
        assertEquals(2, r.answeredByB());
        assertEquals(-1, r.accountingLost());
    }

    @Test
    void saysTrafficNeverLeftWhenSiteBAnsweredNothing() {
        List<CallLog.Call> calls = List.of(call(1, 100, 110, "198.18.10.12", true));
        FaultResult r =
                CallLogAnalysis.analyse(calls, new FaultWindow(Fault.PBX_KILLED, T0, T0 + 1000, T0 + 2000), 2000, null);
        assertEquals(-1, r.backOnPreferredAfterMs());
    }

    @Test
    void recordsOfEventsAtAProxysSigkillCountInTheKillsRowNotAsLost() {
        List<CallLog.Call> calls = List.of(
                call(1, 100, 110, "198.18.10.11", true),
                call(2, 400, 500, "198.18.10.11", true),
                call(3, 2940, 2950, "198.18.10.11", true)); // in setup 60 ms before the kill: the kill's call
        Map<String, Integer> rows = new HashMap<>();
        for (String k : List.of("OUTCOME 1", "START 1 t1", "STOP 1 t1", "OUTCOME 2", "STOP 2 t2", "STOP 3 t3")) {
            rows.put(k, 1);
        }
        rows.put("START 1", 1);
        rows.put("STOP 1", 1);
        rows.put("STOP 2", 1);
        rows.put("STOP 3", 1);
        double kill = T0 + 3000;
        AccountingRecords records = new AccountingRecords(rows, List.of(kill));
        FaultResult hung = CallLogAnalysis.analyse(
                calls, new FaultWindow(Fault.PBX_HUNG, T0 + 500, T0 + 1000, kill), 2000, records);
        FaultResult killed = CallLogAnalysis.analyse(
                calls, new FaultWindow(Fault.PROXY_KILLED, kill, kill + 500, kill + 3000), 2000, records);
        assertEquals(1, hung.accountingLost(), "call 2's START");
        assertEquals(2, killed.accountingLostAtKill(), "call 3's OUTCOME and START, 50 ms before the kill");
        assertEquals(0, killed.accountingLost());
        assertEquals(
                "START of call 2; OUTCOME of call 3 (at a proxy's SIGKILL); START of call 3 (at a proxy's SIGKILL);",
                records.missing(calls));
    }

    private static CallLog.Call call(int n, double startAfter, double answerAfter, String pbx, boolean ended) {
        double answer = T0 + answerAfter;
        return new CallLog.Call(n, T0 + startAfter, answer, pbx, "t" + n, ended ? answer + 2000 : Double.NaN);
    }
}
