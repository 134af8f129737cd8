package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipha.galera.metrics.GaleraMetrics;

/**
 * The Galera client's meters: quorum and node state follow the tracker, and HikariCP's pool metrics land in the
 * same registry. No database: the node's status source is in memory (the pool never connects: it keeps no idle
 * connection).
 */
class GaleraMetricsTest {
    @Test
    void quorumNodeStateAndPoolMetricsAreExposed() throws Exception {
        GaleraClientConfig config = GaleraClientConfig.builder()
                .node("n1", "127.0.0.1", 13306)
                .voters(1)
                .user("u")
                .database("d")
                .pollIntervalMs(20)
                .pollTimeoutMs(50)
                .riseCount(1)
                .fallCount(1)
                .canaryIntervalMs(0)
                .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (GaleraQuorumClient client =
                GaleraQuorumClient.start(config, GaleraQuorumClientPollerDeathTest.InMemoryNode::new)) {
            new GaleraMetrics(client).bindTo(registry);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.get("sipha.galera.quorate").gauge().value() != 1) {
                if (System.nanoTime() - deadline > 0) {
                    fail("never quorate");
                }
                Thread.sleep(10);
            }
            assertEquals(
                    1,
                    registry.get("sipha.galera.node.up")
                            .tag("node", "n1")
                            .gauge()
                            .value());
            assertEquals(
                    0, registry.get("sipha.galera.demotions").functionCounter().count());
            assertNotNull(
                    registry.find("hikaricp.connections")
                            .tag("pool", "galera-n1")
                            .gauge(),
                    "HikariCP's own pool metrics: " + registry.getMetersAsString());
        }
    }
}
