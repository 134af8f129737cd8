package org.sipha.anycast.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sipha.anycast.AnycastState;
import org.sipha.anycast.AnycastStatus;
import org.sipha.anycast.RouteAnnouncement;

/** The anycast meters read whatever status the decision last published. */
class AnycastMetricsTest {
    @Test
    void metersFollowTheLatestStatus() {
        AtomicReference<AnycastStatus> status =
                new AtomicReference<>(new AnycastStatus(AnycastState.INIT, "starting", null, 0, 0));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new AnycastMetrics(status::get).bindTo(registry);
        assertEquals(1, state(registry, "init"));
        assertEquals(
                0,
                registry.get("sipha.anycast.applied")
                        .tag("announcement", "announce")
                        .gauge()
                        .value());

        status.set(new AnycastStatus(AnycastState.UP, "healthy", RouteAnnouncement.ANNOUNCE, 0.5, 1));
        assertEquals(0, state(registry, "init"));
        assertEquals(1, state(registry, "up"));
        assertEquals(
                1,
                registry.get("sipha.anycast.applied")
                        .tag("announcement", "announce")
                        .gauge()
                        .value());
        assertEquals(
                1, registry.get("sipha.anycast.transitions").functionCounter().count());
        assertEquals(0.5, registry.get("sipha.anycast.damping.penalty").gauge().value());
    }

    private static double state(SimpleMeterRegistry r, String s) {
        return r.get("sipha.anycast.state").tag("state", s).gauge().value();
    }
}
