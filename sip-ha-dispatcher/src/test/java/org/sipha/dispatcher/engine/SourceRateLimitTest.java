package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.engine.PipelineHarness.PBX;
import static org.sipha.dispatcher.engine.PipelineHarness.invite;
import static org.sipha.dispatcher.engine.PipelineHarness.options;
import static org.sipha.dispatcher.engine.PipelineHarness.source;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Per-source token buckets for new calls and for all requests, on a clock the test moves by hand. */
class SourceRateLimitTest {
    private static final InetSocketAddress CARRIER = source("192.0.2.1", 5060);
    private static final InetSocketAddress OTHER_CARRIER = source("198.51.100.7", 5060);
    private final PipelineHarness h = new PipelineHarness();

    @AfterEach
    void closePipeline() {
        h.close();
    }

    @Test
    void dropsNewCallsOverTheSourcesRateWithoutAnsweringAndCountsThem() {
        h.start(h.config().newCallsPerSecondPerSource(10).newCallBurstPerSource(5));
        for (int i = 0; i < 8; i++) {
            h.receive(invite("burst-" + i, CARRIER), CARRIER);
        }
        assertEquals(5, h.countTo(PBX, "INVITE "), "the burst passes, then nothing");
        assertEquals(5, h.sentTo(CARRIER).size(), "100 Trying to the admitted calls only: " + h.sentTo(CARRIER));
        assertEquals(3, h.pipeline.refusals(Refusal.NEW_CALL_RATE));

        h.clock.advanceMs(100); // one interval at 10/s
        h.receive(invite("later-1", CARRIER), CARRIER);
        h.receive(invite("later-2", CARRIER), CARRIER);
        assertEquals(6, h.countTo(PBX, "INVITE "), "one token refilled in 100 ms");

        h.receive(invite("other-1", OTHER_CARRIER), OTHER_CARRIER);
        assertEquals(7, h.countTo(PBX, "INVITE "), "another source has a bucket of its own");
    }

    @Test
    void answers503WithRetryAfterOverTheRateWhenConfiguredTo() {
        h.start(h.config()
                .newCallsPerSecondPerSource(1)
                .newCallBurstPerSource(1)
                .answerRateLimitedWith503(true)
                .retryAfterSeconds(9));
        h.receive(invite("first", CARRIER), CARRIER);
        h.receive(invite("second", CARRIER), CARRIER);
        String last = h.sentTo(CARRIER).get(h.sentTo(CARRIER).size() - 1);
        assertTrue(last.startsWith("SIP/2.0 503 Service Unavailable"), last);
        assertTrue(last.contains("Retry-After: 9"), last);
        assertTrue(last.contains("Call-ID: second"), last);
        assertEquals(1, h.countTo(PBX, "INVITE "));
    }

    @Test
    void aRetransmittedInviteIsNotANewCall() {
        h.start(h.config().newCallsPerSecondPerSource(1).newCallBurstPerSource(1));
        String call = invite("once", CARRIER);
        h.receive(call, CARRIER);
        h.receive(call, CARRIER); // the caller missed our 100 Trying
        assertEquals(2, h.countTo(CARRIER, "SIP/2.0 100 Trying"), "the copy is answered, not counted as a call");
        assertEquals(0, h.pipeline.refusals(Refusal.NEW_CALL_RATE));
    }

    @Test
    void dropsRequestsOverTheSourcesRequestRate() {
        h.start(h.config().requestsPerSecondPerSource(10).requestBurstPerSource(3));
        for (int i = 0; i < 5; i++) {
            h.receive(options("sip:service@127.0.0.1:5060", "o-" + i, CARRIER), CARRIER);
        }
        assertEquals(3, h.countTo(PBX, "OPTIONS "));
        assertEquals(2, h.pipeline.refusals(Refusal.REQUEST_RATE));
        assertTrue(h.sentTo(CARRIER).isEmpty(), "nothing reflected: " + h.sentTo(CARRIER));

        h.receive("garbage that is no SIP request at all\r\n\r\n", CARRIER);
        assertEquals(1, h.pipeline.refusals(Refusal.UNPARSEABLE));
    }

    @Test
    void theDestinationsAreNotRateLimited() {
        h.start(h.config()
                .requestsPerSecondPerSource(1)
                .requestBurstPerSource(1)
                .newCallsPerSecondPerSource(1)
                .newCallBurstPerSource(1));
        for (int i = 0; i < 4; i++) {
            h.receive(invite("from-pbx-" + i, PBX), PBX); // a PBX calling out through the proxy
        }
        assertEquals(4, h.countTo(PBX, "INVITE "));
        assertEquals(0, h.pipeline.refusals(Refusal.NEW_CALL_RATE) + h.pipeline.refusals(Refusal.REQUEST_RATE));
    }

    @Test
    void aRateOfZeroTurnsTheLimitOff() {
        h.start(h.config().newCallsPerSecondPerSource(0).requestsPerSecondPerSource(0));
        for (int i = 0; i < 1000; i++) {
            h.receive(invite("flat-out-" + i, CARRIER), CARRIER);
        }
        assertEquals(1000, h.countTo(PBX, "INVITE "));
    }

    @Test
    void theDefaultsLetACarrierTrunkThrough() {
        ProxyConfig cfg = h.config().build();
        assertEquals(200, cfg.newCallsPerSecondPerSource());
        assertEquals(400, cfg.newCallBurstPerSource());
        assertEquals(2000, cfg.requestsPerSecondPerSource());
        assertEquals(4000, cfg.requestBurstPerSource());
        assertFalse(cfg.answerRateLimitedWith503());
        h.start(h.config());
        for (int second = 0; second < 5; second++) { // 200 new calls a second, each with two more requests
            for (int i = 0; i < 200; i++) {
                String id = "trunk-" + second + "-" + i;
                h.receive(invite(id, CARRIER), CARRIER);
                h.receive(options("sip:service@127.0.0.1:5060", id + "-o1", CARRIER), CARRIER);
                h.receive(options("sip:service@127.0.0.1:5060", id + "-o2", CARRIER), CARRIER);
                h.clock.advanceMs(5);
            }
            h.pipeline.tick();
        }
        assertEquals(1000, h.countTo(PBX, "INVITE "));
        assertEquals(0, h.pipeline.refusals(Refusal.NEW_CALL_RATE) + h.pipeline.refusals(Refusal.REQUEST_RATE));
    }

    // ------------------------------------------------------------------------------------------ the table

    @Test
    void evictsTheSourceSeenLeastRecentlyWhenItsWindowIsFull() {
        // One window spans the whole table: eviction order does not depend on the hash.
        SourceRateLimiter l = new SourceRateLimiter(0, 1, 1, 1, 3);
        long t = 1_000_000_000L;
        for (long key = 1; key <= 8; key++) {
            assertTrue(l.admitsNewCall(key, t++), "first call of source " + key);
        }
        assertFalse(l.admitsNewCall(1, t++), "source 1 spent its burst and is now the most recently seen");
        assertTrue(l.admitsNewCall(9, t++), "a ninth source takes the slot of the stalest, source 2");
        assertFalse(l.admitsNewCall(1, t++), "source 1 kept its state");
        assertTrue(l.admitsNewCall(2, t++), "source 2 was forgotten and starts again with a full bucket");
        assertEquals(8, l.trackedSources());
    }

    @Test
    void aFloodOfSourcesNeverGrowsTheTable() {
        SourceRateLimiter l = new SourceRateLimiter(10, 1, 10, 1, SourceRateLimiter.DEFAULT_SLOTS_LOG2);
        for (long key = 0; key < 200_000; key++) {
            l.admitsRequest(key, key);
        }
        assertTrue(l.trackedSources() <= 1 << SourceRateLimiter.DEFAULT_SLOTS_LOG2, "" + l.trackedSources());
    }

    @Test
    void anIpv6SourceIsItsSlash64() throws Exception {
        long a = SourceKey.of(java.net.InetAddress.getByName("2001:db8:1:2::1"));
        long b = SourceKey.of(java.net.InetAddress.getByName("2001:db8:1:2:ffff::9"));
        long c = SourceKey.of(java.net.InetAddress.getByName("2001:db8:1:3::1"));
        assertEquals(a, b);
        assertTrue(a != c);
        assertTrue(SourceKey.of(java.net.InetAddress.getByName("192.0.2.1"))
                != SourceKey.of(java.net.InetAddress.getByName("192.0.2.2")));
    }
}
