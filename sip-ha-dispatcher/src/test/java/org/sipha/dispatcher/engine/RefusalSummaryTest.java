package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.engine.PipelineHarness.source;

import java.net.InetSocketAddress;
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
        assertEquals("refused in the last 10 s: unparseable +5000 (total 5000), request-rate +3 (total 3)",
            s.line(totals(5000, 3)));
        assertFalse(s.due(119 * S), "the next line waits a whole interval");
        assertTrue(s.due(120 * S));
        assertEquals("refused in the last 10 s: unparseable +1 (total 5001)", s.line(totals(5001, 3)));
        assertTrue(s.due(130 * S));
        assertNull(s.line(totals(5001, 3)), "nothing moved: no line");
    }

    @Test
    void garbageIsCountedNotLoggedPerDatagram() {
        PipelineHarness h = new PipelineHarness().start(new PipelineHarness().config());
        InetSocketAddress scanner = source("203.0.113.9", 40000);
        for (int i = 0; i < 1000; i++) {
            h.receive("\u0000\u0001 not sip " + i + "\r\n\r\n", scanner);
        }
        h.receive("\r\n\r\n", scanner); // a keep-alive is no refusal
        assertEquals(1000, h.pipeline.refusals(Refusal.UNPARSEABLE));
        assertTrue(h.sent.isEmpty(), "nothing answered: " + h.sent);
    }
}
