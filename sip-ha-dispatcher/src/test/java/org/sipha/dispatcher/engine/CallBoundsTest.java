package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.engine.PipelineHarness.PBX;
import static org.sipha.dispatcher.engine.PipelineHarness.answer;
import static org.sipha.dispatcher.engine.PipelineHarness.invite;
import static org.sipha.dispatcher.engine.PipelineHarness.source;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Calls in flight bounded per loop by count and by stored bytes, and per source by a share of the slots. */
class CallBoundsTest {
    private static final InetSocketAddress A = source("192.0.2.1", 5060);
    private static final InetSocketAddress B = source("198.51.100.7", 5060);
    private final PipelineHarness h = new PipelineHarness();

    @AfterEach
    void closePipeline() {
        h.close();
    }

    private String lastTo(InetSocketAddress to) {
        List<String> s = h.sentTo(to);
        return s.get(s.size() - 1);
    }

    @Test
    void aFullLoopAnswers503WithRetryAfterAndCountsIt() {
        h.start(h.config().maxCallsPerLoop(4).maxCallSharePerSourcePercent(100).retryAfterSeconds(6));
        for (int i = 0; i < 5; i++) {
            h.receive(invite("full-" + i, A), A);
        }
        assertEquals(4, h.countTo(PBX, "INVITE "));
        assertTrue(lastTo(A).startsWith("SIP/2.0 503 Service Unavailable"), lastTo(A));
        assertTrue(lastTo(A).contains("Retry-After: 6"), lastTo(A));
        assertEquals(1, h.pipeline.refusals(Refusal.CALLS_PER_LOOP));
    }

    @Test
    void oneSourceHoldsAtMostItsShareOfTheSlotsAndGetsThemBackWhenItsCallsEnd() {
        h.start(h.config().maxCallsPerLoop(8).maxCallSharePerSourcePercent(25).retryAfterSeconds(6));
        for (int i = 0; i < 3; i++) {
            h.receive(invite("a-" + i, A), A);
        }
        assertEquals(2, h.countTo(PBX, "INVITE "), "a quarter of 8 slots");
        assertTrue(lastTo(A).startsWith("SIP/2.0 503 "), lastTo(A));
        assertTrue(lastTo(A).contains("Retry-After: 6"), lastTo(A));
        assertEquals(1, h.pipeline.refusals(Refusal.CALLS_PER_SOURCE));

        h.receive(invite("b-0", B), B);
        h.receive(invite("b-1", B), B);
        assertEquals(4, h.countTo(PBX, "INVITE "), "another source is not starved");

        h.receive(answer(h.sentTo(PBX).get(0), "200 OK"), PBX); // a-0 answered; linger 0: freed at the tick
        h.pipeline.tick();
        h.receive(invite("a-3", A), A);
        assertEquals(5, h.countTo(PBX, "INVITE "), "a finished call gives its slot back to its source");
    }

    @Test
    void answeredCallsStillLingeringDoNotCountAgainstTheirSourcesShare() {
        // One carrier trunk is one source: at thousands of calls a second its answered calls linger (absorbing
        // retransmissions) in numbers far above its share; only calls still waiting for an answer count.
        h.start(h.config().maxCallsPerLoop(8).maxCallSharePerSourcePercent(25).lingerMs(60_000));
        for (int i = 0; i < 6; i++) {
            h.receive(invite("t-" + i, A), A);
            List<String> toPbx = h.sentTo(PBX);
            h.receive(answer(toPbx.get(toPbx.size() - 1), "200 OK"), PBX);
        }
        assertEquals(6, h.countTo(PBX, "INVITE "), "every call forwarded: " + lastTo(A));
        assertEquals(0, h.pipeline.refusals(Refusal.CALLS_PER_SOURCE));
    }

    @Test
    void theStoredInviteCopiesAreBoundedInBytes() {
        h.start(h.config()
                .maxDatagramBytes(1500)
                .maxCallBytesPerLoop(3000)
                .maxCallSharePerSourcePercent(100)
                .retryAfterSeconds(6));
        String big = invite("big-0", A, 900);
        assertTrue(big.length() > 1000 && big.length() < 1500, "" + big.length());
        h.receive(big, A);
        h.receive(invite("big-1", A, 900), A);
        h.receive(invite("big-2", A, 900), A);
        assertEquals(2, h.countTo(PBX, "INVITE "), "two copies fit in 3000 bytes, a third does not");
        assertTrue(lastTo(A).startsWith("SIP/2.0 503 "), lastTo(A));
        assertTrue(lastTo(A).contains("Retry-After: 6"), lastTo(A));
        assertEquals(1, h.pipeline.refusals(Refusal.CALL_BYTES_PER_LOOP));

        h.receive(answer(h.sentTo(PBX).get(0), "200 OK"), PBX); // an answered call keeps no copy
        h.receive(invite("big-3", A, 900), A);
        assertEquals(3, h.countTo(PBX, "INVITE "), "the bytes of the answered call's copy came back");
    }

    @Test
    void theBoundsAreCheckedWhenTheConfigurationIsBuilt() {
        assertThrows(
                IllegalArgumentException.class,
                () -> h.config().maxCallSharePerSourcePercent(0).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> h.config().maxCallBytesPerLoop(1000).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> h.config().newCallsPerSecondPerSource(-1).build());
        assertEquals(25, h.config().build().maxCallSharePerSourcePercent());
        assertEquals(64L << 20, h.config().build().maxCallBytesPerLoop());
    }
}
