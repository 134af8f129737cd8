package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.engine.PipelineHarness.source;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refusals are counted per reason, and logged as one summary line per interval, never per message. */
class RefusalSummaryTest {
    private static final long S = 1_000_000_000L;

    private static long[] totals(long unparseable, long requestRate) {
        long[] t = new long[Refusal.ALL.length];
        t[Refusal.UNPARSEABLE.ordinal()] = unparseable;
        t[Refusal.REQUEST_RATE.ordinal()] = requestRate;
        return t;
    }

    @Test
    void oneLineAnIntervalNamesOnlyTheCountersThatMoved() {
        RefusalSummary s = new RefusalSummary();
        assertFalse(s.due(100 * S), "the first tick starts the interval");
        assertFalse(s.due(109 * S));
        assertTrue(s.due(110 * S));
        assertEquals(
                "refused in the last 10 s: unparseable +5000 (total 5000), request-rate +3 (total 3)",
                s.line(totals(5000, 3)));
        assertFalse(s.due(119 * S), "the next line waits a whole interval");
        assertTrue(s.due(120 * S));
        assertEquals("refused in the last 10 s: unparseable +1 (total 5001)", s.line(totals(5001, 3)));
        assertTrue(s.due(130 * S));
        assertNull(s.line(totals(5001, 3)), "nothing moved: no line");
    }

    @Test
    void theTcpSummaryNamesTheBoundsThatRefusedOrClosedConnections() {
        RefusalSummary s = new RefusalSummary("TCP connections refused or closed", TcpCounters.SUMMARY_LABELS);
        TcpCounters c = new TcpCounters();
        c.refusedOverSourceLimit.addAndGet(40);
        c.closedSlowReader.incrementAndGet();
        c.closedIdle.addAndGet(7); // idleness is hygiene, not abuse: not in the line
        assertFalse(s.due(0));
        assertTrue(s.due(10 * S));
        assertEquals(
                "TCP connections refused or closed in the last 10 s: source-limit +40 (total 40), slow-reader +1"
                        + " (total 1)",
                s.line(c.totals()));
    }

    @Test
    void garbageIsCountedAndLoggedInOneLineEveryTenSecondsNotPerDatagram() {
        try (PipelineHarness h = new PipelineHarness()) {
            garbageForTenSeconds(h);
        }
    }

    private static void garbageForTenSeconds(PipelineHarness h) {
        h.start(h.config());
        InetSocketAddress scanner = source("203.0.113.9", 40000);
        PrintStream stderr = System.err; // slf4j-simple writes to the System.err of the moment
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            h.pipeline.tick(); // the first tick starts the summary interval
            for (int tick = 0; tick < 1000; tick++) { // 10 s of ticks, one garbage datagram each
                h.receive("\u0000\u0001 not sip " + tick + "\r\n\r\n", scanner);
                h.clock.advanceMs(10);
                h.pipeline.tick();
            }
            h.receive("\r\n\r\n", scanner); // a keep-alive is no refusal
        } finally {
            System.setErr(stderr);
        }
        assertEquals(1000, h.pipeline.refusals(Refusal.UNPARSEABLE));
        assertTrue(h.sent.isEmpty(), "nothing answered: " + h.sent);
        List<String> lines = log.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.contains("LoopChannelHandler"))
                .toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("INFO"), lines.get(0));
        assertTrue(lines.get(0).endsWith("refused in the last 10 s: unparseable +1000 (total 1000)"), lines.get(0));
    }

    @Test
    void hopLimitLoopsAndMalformedRequestsAreCountedAndSummedUpNotLoggedEach() {
        try (PipelineHarness h = new PipelineHarness()) {
            h.start(h.config());
            InetSocketAddress caller = source("203.0.113.10", 5060);
            PrintStream stderr = System.err;
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            try {
                h.pipeline.tick();
                for (int i = 0; i < 3; i++) {
                    h.receive(
                            PipelineHarness.options("sip:pbx@192.0.2.1", "mf-" + i, caller)
                                    .replace("Max-Forwards: 70", "Max-Forwards: 0"),
                            caller);
                }
                h.receive(
                        PipelineHarness.options("sip:pbx@192.0.2.1", "no-cseq", caller)
                                .replaceAll("CSeq: [^\r]*\r\n", ""),
                        caller);
                h.clock.advanceMs(10_000);
                h.pipeline.tick();
            } finally {
                System.setErr(stderr);
            }
            assertEquals(3, h.pipeline.refusals(Refusal.MAX_FORWARDS));
            assertEquals(1, h.pipeline.refusals(Refusal.MALFORMED));
            assertTrue(
                    h.sentTo(caller).stream().anyMatch(m -> m.startsWith("SIP/2.0 483")),
                    h.sentTo(caller).toString());
            List<String> lines = log.toString(StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> l.contains("LoopChannelHandler"))
                    .toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("max-forwards +3 (total 3)"), lines.get(0));
            assertTrue(lines.get(0).contains("malformed +1 (total 1)"), lines.get(0));
        }
    }
}
