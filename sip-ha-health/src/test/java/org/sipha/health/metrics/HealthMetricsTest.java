package org.sipha.health.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.model.DestinationState;
import org.sipha.health.HealthConfig;
import org.sipha.health.HealthMonitor;

/** Health meters read the monitor's snapshot: health, traffic latency, panic, and the members after a replacement. */
class HealthMetricsTest {
    private static final DestinationHealthSink NO_SINK = new DestinationHealthSink() {
        @Override
        public void onStateChange(String destinationId, DestinationState state) {}

        @Override
        public void onLatencySample(String destinationId, long rttNs) {}
    };

    @Test
    void metersFollowTheSnapshotAndTheSetsMembers() throws Exception {
        HealthMonitor m = HealthMonitor.builder(HealthConfig.builder()
                        .consecutiveFailures(2)
                        .failureRateMinRequests(1000)
                        .maxEjectedPercent(100)
                        .build())
                .addSet(
                        "pbx",
                        List.of(Destination.of("a", "sip:127.0.0.1:5081"), Destination.of("b", "sip:127.0.0.1:5082")),
                        null)
                .sink(NO_SINK)
                .build();
        long now = 1_000_000_000L;
        m.doWork(now);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HealthMetrics metrics = new HealthMetrics(m);
        metrics.bindTo(registry);
        assertEquals(1, healthy(registry, "a"));
        assertEquals(
                0, registry.get("sipha.health.panic").tag("set", "pbx").gauge().value());
        assertTrue(Double.isNaN(latency(registry, "a", "0.5")), "no sample yet");

        m.outcomeListener().onResponse(new java.net.InetSocketAddress("127.0.0.1", 5081), 200, 3_000_000);
        m.outcomeListener().onResponse(new java.net.InetSocketAddress("127.0.0.1", 5082), 503, 1_000_000);
        m.outcomeListener().onResponse(new java.net.InetSocketAddress("127.0.0.1", 5082), 503, 1_000_000);
        m.doWork(now += 2_000_000_000L);
        assertEquals(0, healthy(registry, "b"), "ejected after two 503s");
        assertEquals(
                1,
                registry.get("sipha.health.ejections")
                        .tag("destination", "b")
                        .functionCounter()
                        .count());
        assertEquals(0.003, latency(registry, "a", "0.5"), 0.0002);

        m.replaceSet(
                "pbx", List.of(Destination.of("a", "sip:127.0.0.1:5081"), Destination.of("c", "sip:127.0.0.1:5083")));
        m.doWork(now += 1_000_000L);
        metrics.refresh();
        assertNull(registry.find("sipha.health.healthy").tag("destination", "b").gauge(), "b removed");
        assertEquals(1, healthy(registry, "c"));
        assertEquals(0.003, latency(registry, "a", "0.5"), 0.0002, "a kept its figures");
    }

    private static double healthy(SimpleMeterRegistry r, String id) {
        return r.get("sipha.health.healthy").tag("destination", id).gauge().value();
    }

    private static double latency(SimpleMeterRegistry r, String id, String q) {
        return r.get("sipha.health.traffic.latency")
                .tag("destination", id)
                .tag("quantile", q)
                .gauge()
                .value();
    }
}
