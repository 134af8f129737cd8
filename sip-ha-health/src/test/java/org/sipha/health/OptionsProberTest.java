package org.sipha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

class OptionsProberTest {
    private static final long MS = 1_000_000L;

    private final Recorder rec = new Recorder();
    private final InMemoryProbeTransport transport = new InMemoryProbeTransport();
    private long now = 5_000 * MS;
    private HealthMonitor monitor;

    private void start(final OptionsProbeConfig probe, final Destination... destinations) {
        monitor = HealthMonitor.builder(HealthConfig.builder()
                        .rise(2)
                        .fall(3)
                        .maxEjectedPercent(100)
                        .slowStartNs(0)
                        .build())
                .addSet("s", List.of(destinations), rec)
                .sink(rec)
                .listener(rec)
                .prober(probe, transport)
                .randomSeed(42)
                .build();
        monitor.doWork(now);
    }

    private static OptionsProbeConfig.Builder probe() {
        return OptionsProbeConfig.builder()
                .intervalNs(1_000 * MS)
                .timeoutNs(300 * MS)
                .jitter(0);
    }

    private void advanceMs(final long ms) {
        now += ms * MS;
        monitor.doWork(now);
    }

    @Test
    void sendsAWellFormedOptionsWithTheConfiguredFromAndRequestUri() {
        start(
                probe().fromUri("sip:monitor@example.org").build(),
                Destination.builder("sip:127.0.0.1:5071;transport=udp")
                        .id("a")
                        .attribute("ping_uri", "sip:ping@127.0.0.1:5071")
                        .build());
        assertEquals(1, transport.sent.size());
        final byte[] b = transport.sent.get(0).text().getBytes(StandardCharsets.US_ASCII);
        final SipMessageView v = new SipMessageView();
        assertEquals(SipParseResult.OK, v.wrap(b, 0, b.length));
        assertEquals(SipParseResult.OK, v.validate());
        assertEquals("OPTIONS", v.method().toString());
        assertEquals("sip:ping@127.0.0.1:5071", v.requestUri().toString());
        assertTrue(v.header("From").toString().startsWith("<sip:monitor@example.org>;tag="));
        assertTrue(v.topVia().hasRfc3261Branch());
        assertEquals(15999, v.topVia().port());
        assertEquals("OPTIONS", v.cseqMethod().toString());
        assertEquals(5071, transport.sent.get(0).to().getPort());
    }

    @Test
    void requestUriDefaultsToTheDestinationUriWithoutParameters() {
        start(probe().build(), Destination.of("a", "sip:127.0.0.1:5071;transport=udp"));
        assertTrue(transport.sent.get(0).text().startsWith("OPTIONS sip:127.0.0.1:5071 SIP/2.0\r\n"));
    }

    @Test
    void anyFinalReplyMeansAliveByDefaultAndTheRttGoesToTheSink() {
        start(probe().build(), Destination.of("a", "sip:127.0.0.1:5071"));
        for (int round = 0; round < 5; round++) {
            transport.answerLast(round % 2 == 0 ? 503 : 404);
            advanceMs(7);
            advanceMs(993);
        }
        assertEquals(DestinationState.ACTIVE, rec.lastSinkState("a"));
        assertEquals(5, rec.latencies.size());
        assertEquals(7 * MS, rec.latencies.get(0)[0]);
    }

    @Test
    void takesTheDestinationDownAfterFallTimeoutsAndBackAfterRiseReplies() {
        start(probe().build(), Destination.of("a", "sip:127.0.0.1:5071"));
        advanceMs(300);
        advanceMs(700);
        advanceMs(300);
        advanceMs(700);
        assertEquals(DestinationState.ACTIVE, rec.lastSinkState("a"));
        advanceMs(300);
        assertEquals(DestinationState.INACTIVE, rec.lastSinkState("a"));
        assertEquals(HealthCause.PROBE_TIMEOUT, rec.lastEvent("a").cause());
        advanceMs(700);
        transport.answerLast(200);
        advanceMs(1);
        assertEquals(DestinationState.PROBING, rec.lastSinkState("a"));
        advanceMs(999);
        transport.answerLast(200);
        advanceMs(1);
        assertEquals(DestinationState.ACTIVE, rec.lastSinkState("a"));
    }

    @Test
    void provisionalRepliesDoNotCountAndTheProbeStillTimesOut() {
        start(probe().build(), Destination.of("a", "sip:127.0.0.1:5071"));
        for (int i = 0; i < 3; i++) {
            transport.answerLast(100);
            advanceMs(300);
            advanceMs(700);
        }
        assertEquals(DestinationState.INACTIVE, rec.lastSinkState("a"));
    }

    @Test
    void aReplyCodeOutsideTheConfiguredListIsAFailure() {
        start(probe().replyCodes(ReplyCodePolicy.parse("200,2xx")).build(), Destination.of("a", "sip:127.0.0.1:5071"));
        for (int i = 0; i < 3; i++) {
            transport.answerLast(503);
            advanceMs(1);
            advanceMs(999);
        }
        assertEquals(DestinationState.INACTIVE, rec.lastSinkState("a"));
        assertEquals(HealthCause.PROBE_REJECTED, rec.lastEvent("a").cause());
    }

    @Test
    void aLateReplyToATimedOutProbeIsIgnored() {
        start(probe().build(), Destination.of("a", "sip:127.0.0.1:5071"));
        final String first = transport.sent.get(0).text();
        advanceMs(300); // timed out (1 of 3)
        transport.replies.add(InMemoryProbeTransport.reply(first, 200));
        advanceMs(1);
        assertEquals(1, prober().unmatchedReplies());
        assertTrue(rec.latencies.isEmpty());
    }

    @Test
    void repliesFromAnotherAddressNeitherKeepADestinationUpNorTakeItDown() {
        start(probe().replyCodes(ReplyCodePolicy.parse("2xx")).build(), Destination.of("a", "sip:127.0.0.1:5071"));
        transport.forgedFrom = new InetSocketAddress("127.0.0.2", 5071);
        for (int i = 0; i < 3; i++) { // a 200 to each probe, from the wrong address: each probe still times out
            transport.answerLast(200);
            advanceMs(1);
            advanceMs(999);
        }
        assertEquals(DestinationState.INACTIVE, rec.lastSinkState("a"));
        assertEquals(HealthCause.PROBE_TIMEOUT, rec.lastEvent("a").cause());
        assertEquals(3, prober().foreignReplies());

        transport.forgedFrom = null;
        for (int i = 0; i < 2; i++) {
            transport.answerLast(200);
            advanceMs(1);
            advanceMs(999);
        }
        assertEquals(DestinationState.ACTIVE, rec.lastSinkState("a"));
        transport.forgedFrom = new InetSocketAddress("127.0.0.1", 5072); // right host, wrong port
        for (int i = 0; i < 2; i++) { // a rejected code to each probe: it would count as a failure
            transport.answerLast(503);
            transport.forgedFrom = null;
            transport.answerLast(200);
            transport.forgedFrom = new InetSocketAddress("127.0.0.1", 5072);
            advanceMs(1);
            advanceMs(999);
        }
        assertEquals(DestinationState.ACTIVE, rec.lastSinkState("a"));
        assertEquals(5, prober().foreignReplies());
    }

    @Test
    void garbageDatagramsAreCountedNotFatal() {
        start(probe().build(), Destination.of("a", "sip:127.0.0.1:5071"));
        transport.replies.add("hello".getBytes(StandardCharsets.US_ASCII));
        transport.replies.add(new byte[0]);
        transport.replies.add(("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP x;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
                        + "To: <sip:a@b>\r\nCall-ID: sipha-hc-99999999999999999999-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        advanceMs(1);
        assertEquals(2, prober().malformedReplies());
        assertEquals(1, prober().unmatchedReplies());
        assertEquals(DestinationState.ACTIVE, rec.lastSinkState("a"));
    }

    @Test
    void aProbeTheTransportRefusesCountsAsFailed() {
        transport.refuseSends = true;
        start(probe().build(), Destination.of("a", "sip:127.0.0.1:5071"));
        advanceMs(1_000);
        advanceMs(1_000);
        assertEquals(DestinationState.INACTIVE, rec.lastSinkState("a"));
        assertEquals(HealthCause.PROBE_SEND_FAILED, rec.lastEvent("a").cause());
    }

    @Test
    void jitterSpreadsProbeIntervalsWithinTheConfiguredFraction() {
        start(probe().jitter(0.2).build(), Destination.of("a", "sip:127.0.0.1:5071"));
        long lastSent = now;
        int lastCount = 1;
        final Set<Long> intervals = new HashSet<>();
        for (int step = 0; step < 40_000 && intervals.size() < 30; step++) {
            if (transport.sent.size() > lastCount) {
                lastCount = transport.sent.size();
                intervals.add((now - lastSent) / MS);
                lastSent = now;
                transport.answerLast(200);
            }
            advanceMs(1);
        }
        assertTrue(intervals.size() >= 10, "intervals vary: " + intervals);
        for (final long ms : intervals) {
            assertTrue(ms >= 800 && ms <= 1_201, "interval " + ms + " ms within 1000 +- 20 %");
        }
    }

    @Test
    void aDestinationAttributeOverridesTheInterval() {
        start(
                probe().build(),
                Destination.builder("sip:127.0.0.1:5071")
                        .id("a")
                        .attribute("ping_interval_ms", "400")
                        .build());
        transport.answerLast(200);
        advanceMs(399);
        assertEquals(1, transport.sent.size());
        advanceMs(1);
        assertEquals(2, transport.sent.size());
        assertThrows(
                IllegalArgumentException.class,
                () -> HealthMonitor.builder(HealthConfig.defaults())
                        .addSet(
                                "s",
                                List.of(Destination.builder("sip:127.0.0.1:5071")
                                        .id("a")
                                        .attribute("ping_interval_ms", "x")
                                        .build()),
                                null)
                        .prober(probe().build(), new InMemoryProbeTransport())
                        .build());
    }

    @Test
    void rejectsBadProbeSettings() {
        assertThrows(
                IllegalArgumentException.class,
                () -> probe().timeoutNs(2_000 * MS).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> probe().fromUri("sip:a@b\r\nX: injected").build());
        assertThrows(IllegalArgumentException.class, () -> probe().jitter(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> ReplyCodePolicy.parse("200,abc"));
        assertThrows(IllegalArgumentException.class, () -> ReplyCodePolicy.parse("180"));
        final ReplyCodePolicy p = ReplyCodePolicy.parse("200, 403, 5xx");
        assertTrue(p.isAlive(200) && p.isAlive(403) && p.isAlive(503) && p.isAlive(599));
        assertFalse(p.isAlive(404) || p.isAlive(180));
        assertTrue(ReplyCodePolicy.anyFinal().isAlive(699));
        assertFalse(ReplyCodePolicy.anyFinal().isAlive(183));
    }

    @Test
    void closingTheMonitorClosesTheTransport() {
        start(probe().build(), Destination.of("a", "sip:127.0.0.1:5071"));
        monitor.close();
        assertTrue(transport.closed);
    }

    private OptionsProber prober() {
        return monitor.prober();
    }
}
