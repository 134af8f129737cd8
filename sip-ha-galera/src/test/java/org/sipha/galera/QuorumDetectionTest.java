package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.galera.TestClients.await;
import static org.sipha.galera.TestClients.awaitAllUp;
import static org.sipha.galera.TestClients.measure;
import static org.sipha.galera.TestClients.ms;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sipha.core.spi.SiteQuorumSignal;

/** Quorum verdicts against the real cluster: isolation, 2|2 split, bootstrap island, hanging commits. */
@ExtendWith(GaleraClusterExtension.class)
class QuorumDetectionTest {

    record Stamped(GaleraEvent event, long atNanos) {}

    @Test
    void isolatedLocalNodeIsReportedDownWhileTheMajorityStaysQuorate(GaleraTestCluster cluster) throws Exception {
        try (GaleraQuorumClient client =
                        GaleraQuorumClient.start(TestClients.config(1).build());
                GaleraQuorumClient pollOnly = GaleraQuorumClient.start(
                        TestClients.config(1).canaryIntervalMs(0).build())) {
            List<Stamped> events = new CopyOnWriteArrayList<>();
            client.addListener(e -> events.add(new Stamped(e, System.nanoTime())));
            java.util.concurrent.atomic.AtomicLong pollOnlyDown = new java.util.concurrent.atomic.AtomicLong();
            pollOnly.addListener(e -> {
                if (e instanceof GaleraEvent.NodeDown d && d.node().name().equals("n1")) {
                    pollOnlyDown.compareAndSet(0, System.nanoTime());
                }
            });
            awaitAllUp(client);
            awaitAllUp(pollOnly);

            long t0 = System.nanoTime();
            cluster.isolate(1);
            long ownChange = cluster.awaitOwnClusterStatus(1, "non-Primary", 20_000);
            await("client demotes n1", 20_000, () -> !client.view().node("n1").up());
            Stamped down = events.stream()
                    .filter(s -> s.event() instanceof GaleraEvent.NodeDown d
                            && d.node().name().equals("n1"))
                    .findFirst()
                    .orElseThrow();

            await(
                    "isolation settled: n2 and n3 see size 3",
                    20_000,
                    () -> "3".equals(sizeOf(cluster, 2)) && "3".equals(sizeOf(cluster, 3)));
            Thread.sleep(1000); // a few more polls and canary beats on the majority side
            ClusterView v = client.view();
            assertFalse(v.node("n1").up());
            assertTrue(
                    events.stream()
                            .noneMatch(s -> s.event() instanceof GaleraEvent.SiteQuorumChanged q && !q.quorate()),
                    "site never lost quorum: " + events);
            assertTrue(v.node("n2").up() && v.node("n3").up(), "majority side must stay trusted: " + v);
            assertTrue(client.isSiteQuorate());
            assertEquals(
                    List.of("n2", "n3"),
                    v.usableNodesLocalFirst().stream().map(GaleraNode::name).toList());
            measure("isolation -> n1's own wsrep_cluster_status=non-Primary (50 ms polling)", ms(ownChange));
            measure(
                    "isolation -> our NodeDown(n1)",
                    ms(down.atNanos() - t0) + " (reason: " + ((GaleraEvent.NodeDown) down.event()).reason() + ")");
            measure("our NodeDown(n1) minus n1's own change (negative = earlier)", ms(down.atNanos() - t0 - ownChange));
            await("poll-only client demotes n1", 10_000, () -> pollOnlyDown.get() != 0);
            measure(
                    "poll-only client (canary off): NodeDown(n1) minus n1's own change",
                    ms(pollOnlyDown.get() - t0 - ownChange));

            long t1 = System.nanoTime();
            cluster.unisolate(1);
            await(
                    "client trusts n1 again",
                    40_000,
                    () -> client.view().node("n1").up());
            measure("unisolate -> our NodeUp(n1) (rise 3 polls)", ms(System.nanoTime() - t1));
        }
    }

    @Test
    void twoTwoSplitLeavesBothHalvesNonQuorate(GaleraTestCluster cluster) throws Exception {
        try (GaleraQuorumClient client =
                GaleraQuorumClient.start(TestClients.config(1).build())) {
            awaitAllUp(client);
            List<SiteQuorumSignal.Change> changes = new CopyOnWriteArrayList<>();
            client.addSiteQuorumListener(changes::add);
            await("listener told the current state", 5_000, () -> !changes.isEmpty());
            assertTrue(changes.get(0).quorate(), "listener is told the current state first: " + changes);

            long t0 = System.nanoTime();
            cluster.splitTwoTwo();
            await("site loses quorum", 30_000, () -> !client.isSiteQuorate());
            measure("2|2 split -> our SiteQuorumChanged(false)", ms(System.nanoTime() - t0));
            for (int n = 1; n <= 3; n++) {
                cluster.awaitOwnClusterStatus(n, "non-Primary", 20_000);
            }
            assertTrue(
                    client.view().usableNodesLocalFirst().isEmpty(),
                    client.view().toString());
            assertTrue(changes.stream().anyMatch(SiteQuorumSignal.Change::quorate), "was quorate before: " + changes);
            SiteQuorumSignal.Change lost =
                    changes.stream().filter(c -> !c.quorate()).findFirst().orElseThrow();
            assertEquals(30, lost.retryAfterSecs(), "SIP side gets a Retry-After hint");
        }
    }

    @Test
    void losingOnlyTheArbitratorKeepsEveryNodeTrusted(GaleraTestCluster cluster) throws Exception {
        try (GaleraQuorumClient client =
                GaleraQuorumClient.start(TestClients.config(1).build())) {
            awaitAllUp(client);
            List<GaleraEvent> events = new CopyOnWriteArrayList<>();
            client.addListener(events::add);
            cluster.killGarbd();
            await("nodes see garbd gone", 20_000, () -> "3".equals(sizeOf(cluster, 1)));
            Thread.sleep(1000);
            assertTrue(
                    client.view().nodes().stream().allMatch(ClusterView.NodeView::up),
                    client.view().toString());
            assertTrue(events.stream().noneMatch(e -> e instanceof GaleraEvent.SiteQuorumChanged), events.toString());
        }
    }

    @Test
    void reBootstrappedIslandIsRefusedByTheMajorityGuard(GaleraTestCluster cluster) throws Exception {
        try {
            cluster.isolate(3);
            cluster.awaitOwnClusterStatus(3, "non-Primary", 20_000);
            cluster.bootstrapIsland(3);
            cluster.awaitOwnClusterStatus(3, "Primary", 20_000);
            Map<String, String> own = cluster.statusOrNull(3);
            assertEquals("1", own.get("WSREP_CLUSTER_SIZE"), "n3 is a Primary island of one: " + own);

            // a client of a site whose only node is the island must refuse it
            GaleraClientConfig islandOnly = GaleraClientConfig.builder()
                    .node("n3", "127.0.0.1", GaleraTestCluster.sqlPort(3))
                    .voters(GaleraTestCluster.voters())
                    .user(GaleraTestCluster.USER)
                    .password(GaleraTestCluster.PASSWORD)
                    .database("sipha")
                    .build();
            try (GaleraQuorumClient island = GaleraQuorumClient.start(islandOnly);
                    GaleraQuorumClient all =
                            GaleraQuorumClient.start(TestClients.config(1).build())) {
                List<GaleraEvent> islandEvents = new CopyOnWriteArrayList<>();
                island.addListener(islandEvents::add);
                await(
                        "island verdict",
                        10_000,
                        () -> island.view().node("n3").reason().contains("not a majority"));
                await(
                        "n1 and n2 trusted",
                        30_000,
                        () -> all.view().node("n1").up()
                                && all.view().node("n2").up());
                Thread.sleep(1500); // many more polls than riseCount
                assertFalse(island.view().node("n3").up(), island.view().toString());
                assertFalse(island.isSiteQuorate());
                assertTrue(
                        islandEvents.stream().noneMatch(e -> e instanceof GaleraEvent.NodeUp), islandEvents.toString());
                assertFalse(all.view().node("n3").up(), all.view().toString());
                assertTrue(all.isSiteQuorate());
            }
        } finally {
            cluster.rebuildNode(3); // an island cannot merge back; replace it by a fresh joiner
        }
    }

    @Test
    void commitCanaryDemotesANodeWhoseCommitsHangWhileItsStatusLooksHealthy(GaleraTestCluster cluster)
            throws Exception {
        GaleraClientConfig cfg = TestClients.config(1)
                .canaryIntervalMs(300)
                .canaryTimeoutMs(1500)
                .build();
        try (GaleraQuorumClient client = GaleraQuorumClient.start(cfg)) {
            awaitAllUp(client);
            await("canary row of n1 exists", 10_000, () -> canaryRowExists(1));
            try (Connection holder = GaleraTestCluster.connect(1, 20_000);
                    Statement st = holder.createStatement()) {
                holder.setAutoCommit(false);
                st.executeQuery("SELECT * FROM sipha_canary WHERE node = 'n1' FOR UPDATE")
                        .close();
                long t0 = System.nanoTime();
                await(
                        "canary demotes n1",
                        15_000,
                        () -> !client.view().node("n1").up());
                measure("commits hang on n1 -> NodeDown(n1) by the canary", ms(System.nanoTime() - t0));
                assertTrue(
                        client.view().node("n1").reason().contains("canary"),
                        client.view().node("n1").reason());
                Map<String, String> own = cluster.statusOrNull(1);
                assertEquals("Primary", own.get("WSREP_CLUSTER_STATUS"));
                assertEquals("Synced", own.get("WSREP_LOCAL_STATE_COMMENT"));
                holder.rollback();
            }
            await(
                    "n1 trusted again after commits flow",
                    30_000,
                    () -> client.view().node("n1").up());
        }
    }

    private static String sizeOf(GaleraTestCluster cluster, int n) {
        Map<String, String> s = cluster.statusOrNull(n);
        return s == null ? null : s.get("WSREP_CLUSTER_SIZE");
    }

    private static boolean canaryRowExists(int n) {
        try (Connection c = GaleraTestCluster.connect(n, 2000);
                Statement st = c.createStatement()) {
            return st.executeQuery("SELECT 1 FROM sipha_canary WHERE node = 'n" + n + "'")
                    .next();
        } catch (Exception e) {
            return false;
        }
    }
}
