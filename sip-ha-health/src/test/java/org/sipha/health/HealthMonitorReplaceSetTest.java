package org.sipha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

/** A set given new members while the monitor runs: who keeps its health, who joins, who is no longer probed. */
class HealthMonitorReplaceSetTest {
    private static final long MS = 1_000_000L;

    private final Recorder rec = new Recorder();
    private final InMemoryProbeTransport transport = new InMemoryProbeTransport();
    private long now = 5_000 * MS;
    private HealthMonitor monitor;

    private void start(final Destination... destinations) {
        monitor = HealthMonitor.builder(HealthConfig.builder()
                        .rise(2)
                        .fall(3)
                        .maxEjectedPercent(100)
                        .slowStartNs(0)
                        .build())
                .addSet("s", List.of(destinations), rec)
                .sink(rec)
                .listener(rec)
                .prober(
                        OptionsProbeConfig.builder()
                                .intervalNs(1_000 * MS)
                                .timeoutNs(300 * MS)
                                .jitter(0)
                                .build(),
                        transport)
                .randomSeed(42)
                .build();
        monitor.doWork(now);
    }

    private void advanceMs(final long ms) {
        now += ms * MS;
        monitor.doWork(now);
    }

    private static Destination d(final String id, final int port) {
        return Destination.of(id, "sip:127.0.0.1:" + port);
    }

    @Test
    void aDestinationThatStaysKeepsItsHealthAndOneThatJoinsStartsActiveAndIsProbed() {
        start(d("a", 5071), d("b", 5072));
        for (int i = 0; i < 3; i++) { // a stops answering: INACTIVE after 3 timeouts
            advanceMs(1_000);
            transport.replies.add(InMemoryProbeTransport.reply(lastTo(5072), 200));
            advanceMs(301);
        }
        assertEquals(DestinationState.INACTIVE, rec.lastSinkState("a"));
        DestinationHealth a = monitor.destination("a");

        java.util.concurrent.CompletableFuture<Void> applied =
                monitor.replaceSet("s", List.of(d("a", 5071), d("c", 5073)));
        assertTrue(!applied.isDone(), "applied by the owner, not by the caller");
        int sentBefore = transport.sent.size();
        monitor.doWork(now);
        assertTrue(applied.isDone() && !applied.isCompletedExceptionally(), "applied on the owner's cycle");

        assertSame(a, monitor.destination("a"), "a keeps its health state");
        assertEquals(
                DestinationState.INACTIVE,
                monitor.snapshot().destinations().get("a").state());
        assertEquals(DestinationState.ACTIVE, rec.lastSinkState("c"), "c joins");
        assertEquals(HealthCause.CONFIGURED, rec.lastEvent("c").cause());
        assertNull(monitor.destination("b"), "b left");
        assertEquals(2, rec.lastUp()[1], "the set counts 2 members now");
        assertTrue(
                transport.sent.subList(sentBefore, transport.sent.size()).stream()
                        .anyMatch(s -> s.to().getPort() == 5073),
                "c is probed at once");
        advanceMs(3_000);
        assertTrue(
                transport.sent.subList(sentBefore, transport.sent.size()).stream()
                        .noneMatch(s -> s.to().getPort() == 5072),
                "b is not probed any more");
    }

    @Test
    void aReplyToAProbeSentBeforeTheChangeIsNotTakenForAnotherDestination() {
        start(d("a", 5071), d("b", 5072));
        String probeOfB = lastTo(5072);
        monitor.replaceSet("s", List.of(d("b", 5072), d("a", 5071))); // b moves to index 0
        monitor.doWork(now);
        transport.replies.add(InMemoryProbeTransport.reply(probeOfB, 200));
        advanceMs(1);
        assertEquals(1, monitor.prober().unmatchedReplies(), "ignored, not matched to a");
    }

    @Test
    void aListThatRepeatsAnAddressOrNamesNoSetIsRefusedAtOnce() {
        start(d("a", 5071));
        assertThrows(
                IllegalArgumentException.class, () -> monitor.replaceSet("s", List.of(d("a", 5071), d("b", 5071))));
        assertThrows(IllegalArgumentException.class, () -> monitor.replaceSet("t", List.of(d("a", 5071))));
        assertThrows(IllegalArgumentException.class, () -> monitor.replaceSet("s", List.of()));
    }

    private String lastTo(final int port) {
        for (int i = transport.sent.size() - 1; i >= 0; i--) {
            if (transport.sent.get(i).to().getPort() == port) {
                return transport.sent.get(i).text();
            }
        }
        throw new AssertionError("nothing sent to " + port);
    }
}
