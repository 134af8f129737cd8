package org.sipha.dispatcher.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingTableOwner;

/** Per-destination meters follow the routing table: its states and leases, and reloads that add or remove ids. */
class DestinationMetricsTest {
    private static DispatcherConfig config(String... ids) {
        DestinationSetConfig.Builder set = DestinationSetConfig.builder(1);
        int port = 5081;
        for (String id : ids) {
            set.add(Destination.builder("sip:127.0.0.1:" + port++)
                    .id(id)
                    .weight(2)
                    .build());
        }
        return DispatcherConfig.builder().set(set.build()).build();
    }

    @Test
    void metersFollowStatesLeasesAndReloads() {
        RoutingTableOwner owner = new RoutingTableOwner(config("a", "b"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DestinationMetrics metrics = new DestinationMetrics(owner::table, null);
        metrics.bindTo(registry);

        assertEquals(1, state(registry, "a", "active"));
        assertEquals(
                2,
                registry.get("sipha.destination.weight")
                        .tag("destination", "b")
                        .gauge()
                        .value());
        owner.setAdminDisabled("a", true);
        assertEquals(0, state(registry, "a", "active"));
        assertEquals(1, state(registry, "a", "disabled"));
        owner.table().entry("b").tryAcquireLease();
        assertEquals(
                1,
                registry.get("sipha.destination.leases")
                        .tag("destination", "b")
                        .gauge()
                        .value());
        assertEquals(
                1,
                registry.get("sipha.destination.leases.acquired")
                        .tag("destination", "b")
                        .functionCounter()
                        .count());

        owner.reload(config("b", "c"));
        metrics.refresh();
        assertNull(
                registry.find("sipha.destination.state").tag("destination", "a").gauge(), "a was removed");
        assertEquals(1, state(registry, "c", "active"));
        assertEquals(
                1,
                registry.get("sipha.destination.leases")
                        .tag("destination", "b")
                        .gauge()
                        .value(),
                "kept");
    }

    private static double state(SimpleMeterRegistry registry, String id, String state) {
        return registry.get("sipha.destination.state")
                .tag("destination", id)
                .tag("state", state)
                .gauge()
                .value();
    }
}
