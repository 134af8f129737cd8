package org.sipha.galera;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Client configs for {@link GaleraTestCluster}, bounded waits, and the measurement log of the run. */
final class TestClients {
    private static final Logger LOG = LoggerFactory.getLogger("MEASURE");
    static final Map<String, String> MEASUREMENTS = new ConcurrentHashMap<>();

    private TestClients() {}

    /** All 3 nodes, local n{@code local}, 4 voters, test-friendly timeouts (the library defaults otherwise). */
    static GaleraClientConfig.Builder config(int local) {
        GaleraClientConfig.Builder b = GaleraClientConfig.builder();
        for (int n = 1; n <= GaleraTestCluster.NODES; n++) {
            b.node("n" + n, "127.0.0.1", GaleraTestCluster.sqlPort(n));
        }
        return b.localNode("n" + local)
                .voters(GaleraTestCluster.voters())
                .user(GaleraTestCluster.USER)
                .password(GaleraTestCluster.PASSWORD)
                .database("sipha")
                .statementTimeoutMs(6000)
                .canaryTimeoutMs(6000); // evs.suspect_timeout=PT2S: eviction stalls commits ~3.5 s
    }

    /** Waits (bounded) for a condition; fails with the message if it does not hold in time. */
    static long await(String what, long timeoutMs, BooleanSupplier cond) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
            }
            Thread.sleep(10);
        }
        return System.nanoTime() - t0;
    }

    static void awaitAllUp(GaleraQuorumClient client) throws InterruptedException {
        await(
                "all nodes up in the client",
                30_000,
                () -> client.view().nodes().stream().allMatch(ClusterView.NodeView::up));
    }

    static void measure(String name, String value) {
        MEASUREMENTS.put(name, value);
        LOG.info("{} = {}", name, value);
    }

    static String ms(long nanos) {
        return String.format("%.0f ms", nanos / 1e6);
    }
}
