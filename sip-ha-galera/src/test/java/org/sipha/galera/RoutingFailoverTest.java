package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.galera.TestClients.await;
import static org.sipha.galera.TestClients.awaitAllUp;
import static org.sipha.galera.TestClients.measure;
import static org.sipha.galera.TestClients.ms;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The routing DataSource against the real cluster: 1047, 1213, a frozen local node, and its stale resume. */
@ExtendWith(GaleraClusterExtension.class)
class RoutingFailoverTest {
    private static final AtomicLong SEQ = new AtomicLong(System.currentTimeMillis() * 1000);

    @BeforeEach
    void tables() throws SQLException {
        try (Connection c = GaleraTestCluster.connect(2, 10_000);
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS route_probe (seq BIGINT NOT NULL PRIMARY KEY,"
                    + " node VARCHAR(16) NOT NULL) ENGINE=InnoDB");
            st.execute(
                    "CREATE TABLE IF NOT EXISTS cert_probe (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
        }
    }

    /** A write that says where it ran; idempotent by {@code seq}, whose probe finds an earlier commit. */
    static String write(GaleraRoutingDataSource ds, long seq) throws SQLException {
        return ds.execute(
                c -> {
                    String node;
                    try (Statement st = c.createStatement();
                            ResultSet rs = st.executeQuery("SELECT @@wsrep_node_name")) {
                        rs.next();
                        node = rs.getString(1);
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO route_probe (seq, node) VALUES (?, ?) ON DUPLICATE KEY UPDATE seq = seq")) {
                        ps.setLong(1, seq);
                        ps.setString(2, node);
                        ps.executeUpdate();
                    }
                    return node;
                },
                c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT node FROM route_probe WHERE seq = ?")) {
                        ps.setLong(1, seq);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                        }
                    }
                });
    }

    @Test
    void error1047DemotesTheNodeAtOnceAndTheUnitOfWorkRunsElsewhere(GaleraTestCluster cluster) throws Exception {
        // polls so rare that only the routing layer can notice the isolation
        GaleraClientConfig cfg = TestClients.config(1)
                .pollIntervalMs(600_000)
                .riseCount(1)
                .canaryIntervalMs(0)
                .build();
        try (GaleraQuorumClient client = GaleraQuorumClient.start(cfg)) {
            awaitAllUp(client);
            assertEquals("n1", write(client.dataSource(), SEQ.incrementAndGet()), "local node first");
            cluster.isolate(1);
            cluster.awaitOwnClusterStatus(1, "non-Primary", 20_000);
            assertTrue(client.view().node("n1").up(), "the poller has not noticed yet");

            String node = write(client.dataSource(), SEQ.incrementAndGet());

            assertTrue(node.equals("n2") || node.equals("n3"), node);
            assertEquals(1, client.dataSource().demotions());
            await(
                    "demotion reaches the view",
                    5_000,
                    () -> !client.view().node("n1").up());
            assertTrue(
                    client.view().node("n1").reason().contains("1047"),
                    client.view().node("n1").reason());
        }
    }

    @Test
    void certificationFailure1213RerunsTheWholeUnitOfWork(GaleraTestCluster cluster) throws Exception {
        try (GaleraQuorumClient client =
                        GaleraQuorumClient.start(TestClients.config(1).build());
                Connection other = GaleraTestCluster.connect(2, 10_000)) {
            awaitAllUp(client);
            try (Statement st = other.createStatement()) {
                st.execute("REPLACE INTO cert_probe VALUES (1, 0)");
            }
            AtomicInteger runs = new AtomicInteger();
            int seen = client.dataSource().execute(c -> {
                int run = runs.incrementAndGet();
                int v;
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE cert_probe SET v = v + 1 WHERE id = 1");
                    if (run == 1) {
                        // a conflicting write commits first on another node: ours must fail certification
                        try (Statement o = other.createStatement()) {
                            o.executeUpdate("UPDATE cert_probe SET v = v + 100 WHERE id = 1");
                        }
                    }
                    try (ResultSet rs = st.executeQuery("SELECT v FROM cert_probe WHERE id = 1")) {
                        rs.next();
                        v = rs.getInt(1);
                    }
                }
                return v;
            });
            assertEquals(2, runs.get(), "first run aborted by certification, second committed");
            assertEquals(1, client.dataSource().backoffRetries());
            assertEquals(101, seen);
            assertEquals(0, client.dataSource().demotions(), "a conflict is not the node's fault");
        }
    }

    record Result(long startNanos, long endNanos, String node, Throwable error) {}

    @Test
    void frozenLocalNodeIsDemotedAndWritesContinueElsewhereWithoutErrors(GaleraTestCluster cluster) throws Exception {
        try (GaleraQuorumClient client =
                GaleraQuorumClient.start(TestClients.config(1).build())) {
            awaitAllUp(client);
            List<Result> results = new CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(32);
            AtomicLong downAt = new AtomicLong();
            client.addListener(e -> {
                if (e instanceof GaleraEvent.NodeDown d && d.node().name().equals("n1")) {
                    downAt.compareAndSet(0, System.nanoTime());
                }
            });
            long tStop = 0;
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(14);
                for (int i = 0; System.nanoTime() < end; i++) {
                    if (i == 10) {
                        tStop = System.nanoTime();
                        cluster.sigstop(1);
                    }
                    pool.execute(() -> {
                        long s = System.nanoTime();
                        try {
                            String node = write(client.dataSource(), SEQ.incrementAndGet());
                            results.add(new Result(s, System.nanoTime(), node, null));
                        } catch (Throwable t) {
                            results.add(new Result(s, System.nanoTime(), null, t));
                        }
                    });
                    Thread.sleep(100);
                }
            } finally {
                pool.shutdown();
                assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "writers finish");
                checkStaleResume(cluster, client);
            }
            final long stop = tStop;
            List<Result> errors =
                    results.stream().filter(r -> r.error() != null).toList();
            assertEquals(
                    List.of(), errors.stream().map(r -> r.error().toString()).toList(), "no error reaches the caller");
            assertTrue(downAt.get() > 0, "n1 demoted");
            Result firstElsewhere = results.stream()
                    .filter(r -> r.startNanos() > stop && !"n1".equals(r.node()))
                    .min((a, b) -> Long.compare(a.endNanos(), b.endNanos()))
                    .orElseThrow();
            long maxLatency = results.stream()
                    .mapToLong(r -> r.endNanos() - r.startNanos())
                    .max()
                    .orElse(0);
            StringBuilder timeline = new StringBuilder();
            for (Result r : results.stream()
                    .sorted((a, b) -> Long.compare(a.startNanos(), b.startNanos()))
                    .toList()) {
                timeline.append(String.format(
                        "%+d..%+d ms %s; ",
                        (r.startNanos() - stop) / 1_000_000, (r.endNanos() - stop) / 1_000_000, r.node()));
            }
            org.slf4j.LoggerFactory.getLogger(RoutingFailoverTest.class)
                    .info("write timeline relative to SIGSTOP: {}", timeline);
            long elsewhereAfterDown = results.stream()
                    .filter(r -> r.startNanos() > downAt.get() && !"n1".equals(r.node()))
                    .count();
            assertTrue(elsewhereAfterDown > 10, "writes continued on n2/n3: " + elsewhereAfterDown);
            measure("SIGSTOP n1 -> our NodeDown(n1)", ms(downAt.get() - stop));
            measure("SIGSTOP n1 -> first new write committed on n2/n3", ms(firstElsewhere.endNanos() - stop));
            measure("SIGSTOP n1: longest write latency seen by a caller", ms(maxLatency));
            measure(
                    "SIGSTOP n1: writes ok / demotions / busy skips / unknown outcomes / probe hits",
                    results.size()
                            + " / " + client.dataSource().demotions() + " / "
                            + client.dataSource().busySkips() + " / "
                            + client.dataSource().unknownOutcomes() + " / "
                            + client.dataSource().probeHits());
        }
    }

    /** After SIGCONT, n1 may claim Primary/Synced/size 4 while its peers evicted it: we must not trust it then. */
    private static void checkStaleResume(GaleraTestCluster cluster, GaleraQuorumClient client) throws Exception {
        assertFalse(client.view().node("n1").up(), "still frozen, still down");
        long tCont = System.nanoTime();
        cluster.sigcont(1);
        int staleSeen = 0;
        int trustedWhileStale = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (System.nanoTime() < deadline) {
            Map<String, String> s1 = cluster.statusOrNull(1);
            Map<String, String> s2 = cluster.statusOrNull(2);
            boolean up = client.view().node("n1").up();
            if (s1 != null
                    && s2 != null
                    && "Primary".equals(s1.get("WSREP_CLUSTER_STATUS"))
                    && Long.parseUnsignedLong(s1.get("WSREP_CLUSTER_CONF_ID"))
                            < Long.parseUnsignedLong(s2.get("WSREP_CLUSTER_CONF_ID"))) {
                staleSeen++;
                if (up) {
                    trustedWhileStale++;
                }
            } else if (up) {
                break;
            }
            Thread.sleep(20);
        }
        measure(
                "SIGCONT n1: polls that saw n1 claim Primary with an older conf_id than n2 (stale window)",
                staleSeen + " (client trusted n1 during them: " + trustedWhileStale + ")");
        assertEquals(0, trustedWhileStale, "stale node trusted");
        await(
                "n1 trusted again after resume",
                40_000,
                () -> client.view().node("n1").up());
        measure("SIGCONT n1 -> our NodeUp(n1)", ms(System.nanoTime() - tCont));
    }
}
