package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isPresent;
import static org.sipha.examples.proxy.SiteNodeFixture.WAIT_MS;
import static org.sipha.examples.proxy.SiteNodeFixture.assertLogShows;
import static org.sipha.examples.proxy.SiteNodeFixture.log;
import static org.sipha.examples.proxy.SiteNodeFixture.report;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.galera.GaleraClusterExtension;
import org.sipha.galera.GaleraTestCluster;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * The site node following its site's Galera quorum, over real BGP: a real 3-node MariaDB Galera cluster with garbd
 * ({@link GaleraClusterExtension}), the reference proxy with {@code --anycast} and {@code --galera-node} in a child
 * JVM driving an announcing BIRD (127.0.0.9:1799, AS 65001), and a router BIRD (127.0.0.8:1798, AS 65000) whose
 * table the test reads. SIPp backend on 127.0.0.1:15341 (control 15351, media 15361 and 15363), proxy on 127.0.0.1:15340.
 * Addresses and ports are used by no other test.
 *
 * <p>Quorum lost (2 of 4 voters on each side): new calls get 503 and the route is withdrawn at once; quorum back:
 * announced again. Needs the Galera tools, {@code bird} and {@code sipp}; run under the shared lock. Measured times
 * are printed as "MEASURED ..." lines.
 */
@ExtendWith(GaleraClusterExtension.class)
class SiteNodeQuorumIntegrationTest {
    private static final String PROXY = "127.0.0.1:15340";

    @TempDir
    static Path dir;

    static SiteNodeFixture bgp;
    private final SippProcesses sipp = new SippProcesses();

    @BeforeAll
    static void startDaemons() throws Exception {
        SippProcess.requireSipp();
        bgp = SiteNodeFixture.start(dir, "127.0.0.8", 1798, "127.0.0.9", 1799);
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        if (bgp != null) {
            bgp.close();
        }
    }

    @AfterEach
    void stopNodeAndSipp() {
        bgp.killNodes();
        sipp.close();
    }

    @Test
    void quorumLossWithdrawsAtOnceAndQuorumBackAnnouncesAgain(GaleraTestCluster cluster) throws Exception {
        sipp.start(SippProcess.uas("uas_answer.xml", 15341, 15351, 15361)
                .answerOptions()
                .globalTimeoutS(0));
        Process node = bgp.startNode(
                "quorum",
                List.of(
                        "--listen",
                        "udp:" + PROXY,
                        "--backend",
                        "sip:127.0.0.1:15341",
                        "--record-route-secret",
                        "site node quorum integration test secret",
                        "--warmup-calls",
                        "0",
                        "--probe-interval-ms",
                        "100",
                        "--probe-timeout-ms",
                        "80",
                        "--drain-ms",
                        "1000",
                        "--galera-node",
                        "127.0.0.1:" + GaleraTestCluster.sqlPort(1),
                        "--galera-node",
                        "127.0.0.1:" + GaleraTestCluster.sqlPort(2),
                        "--galera-node",
                        "127.0.0.1:" + GaleraTestCluster.sqlPort(3),
                        "--galera-voters",
                        Integer.toString(GaleraTestCluster.voters()),
                        "--galera-user",
                        GaleraTestCluster.USER,
                        "--galera-password",
                        GaleraTestCluster.PASSWORD));
        bgp.awaitAnnounced("quorum");

        long t0 = System.nanoTime();
        cluster.splitTwoTwo();
        long gone = bgp.table.awaitNs(isPresent(false), t0, WAIT_MS);
        assertTrue(gone >= 0, "withdrawn when the site loses quorum: " + log("quorum"));
        report("Galera split 2|2 -> gone at router (quorum detection, then the self-check: new calls refused)", gone);
        assertLogShows("quorum", "new calls are refused: the site's database has no quorum");

        t0 = System.nanoTime();
        cluster.heal();
        long back = bgp.table.awaitNs(isPresent(true), t0, 2 * WAIT_MS);
        assertTrue(back >= 0, "announced again once quorum is back: " + log("quorum"));
        report("Galera healed -> back at router (heal itself included)", back);
        bgp.stopNode(node, "quorum");
    }
}
