package org.sipha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

/**
 * A set's members replaced at run time (a reload): kept destinations keep their health, new ones start as at
 * start and are probed at once, removed ones are forgotten; an invalid replacement changes nothing.
 */
class HealthMonitorReplaceSetTest {
    private static final long MS = 1_000_000L;
    private final Recorder rec = new Recorder();
    private final InMemoryProbeTransport transport = new InMemoryProbeTransport();
    private long now = 1_000_000_000L;

    private static Destination d(int i) {
        return Destination.of("d" + i, "sip:127.0.0.1:" + (5070 + i));
    }

    private HealthMonitor monitor(Destination... destinations) {
        HealthMonitor m = HealthMonitor.builder(HealthConfig.builder()
                        .rise(2)
                        .fall(3)
                        .slowStartNs(0)
                        .maxEjectedPercent(100)
                        .build())
                .addSet("s", List.of(destinations), rec)
                .sink(rec)
                .listener(rec)
                .prober(
                        OptionsProbeConfig.builder()
                                .intervalNs(1000 * MS)
                                .timeoutNs(500 * MS)
                                .build(),
                        transport)
                .randomSeed(1)
                .build();
        m.doWork(now);
        return m;
    }

    @Test
    void keptDestinationsKeepTheirHealthAndNewOnesAreProbedAtOnce() throws Exception {
        HealthMonitor m = monitor(d(1), d(2));
        for (int i = 0; i < 3; i++) { // no probe is answered: both INACTIVE
            now += 600 * MS;
            m.doWork(now);
            now += 500 * MS;
            m.doWork(now);
        }
        assertEquals(DestinationState.INACTIVE, m.snapshot().destination("d2").state());

        CompletableFuture<Void> done = m.replaceSet("s", List.of(d(2), d(3)));
        int sentBefore = transport.sent.size();
        m.doWork(now += MS);
        done.get();

        assertNull(m.snapshot().destination("d1"), "removed");
        assertEquals(DestinationState.INACTIVE, m.snapshot().destination("d2").state(), "kept with its state");
        assertEquals(DestinationState.ACTIVE, m.snapshot().destination("d3").state(), "new: as at start");
        assertEquals(DestinationState.ACTIVE, rec.lastSinkState("d3"));
        assertEquals(HealthCause.INITIAL, rec.lastEvent("d3").cause());
        assertEquals(1, rec.lastUp()[0], "d3 up, d2 still down");
        assertEquals(2, rec.lastUp()[1], "the set's new size");
        List<InetSocketAddress> probed = transport.sent.subList(sentBefore, transport.sent.size()).stream()
                .map(InMemoryProbeTransport.Sent::to)
                .toList();
        assertTrue(probed.contains(new InetSocketAddress("127.0.0.1", 5073)), "d3 probed: " + probed);
        assertTrue(!probed.contains(new InetSocketAddress("127.0.0.1", 5071)), "d1 no longer probed");
        assertThrows(IllegalArgumentException.class, () -> m.setAdminState("d1", AdminState.DISABLED));
        m.setAdminState("d3", AdminState.DRAINING);
        m.doWork(now += MS);
        assertEquals(AdminState.DRAINING, m.snapshot().destination("d3").admin());
    }

    @Test
    void anInvalidReplacementChangesNothing() {
        HealthMonitor m = monitor(d(1), d(2));
        Destination sameAddress = Destination.of("other", "sip:127.0.0.1:5071");
        CompletableFuture<Void> done = m.replaceSet("s", List.of(d(1), sameAddress));
        m.doWork(now += MS);
        ExecutionException e = assertThrows(ExecutionException.class, done::get);
        assertTrue(
                e.getCause().getMessage().contains("same address"), e.getCause().getMessage());
        assertEquals(2, m.snapshot().destinations().size());
        assertEquals(DestinationState.ACTIVE, m.snapshot().destination("d2").state());
        assertThrows(IllegalArgumentException.class, () -> m.replaceSet("no such set", List.of(d(1))));
        assertThrows(IllegalArgumentException.class, () -> m.replaceSet("s", List.of()));
    }
}
