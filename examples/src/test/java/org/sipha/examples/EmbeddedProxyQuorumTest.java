package org.sipha.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sipha.galera.GaleraClientConfig;
import org.sipha.galera.GaleraClusterExtension;
import org.sipha.galera.GaleraTestCluster;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * {@link EmbeddedProxy#start} given a real 3-node MariaDB Galera cluster with garbd ({@link GaleraClusterExtension})
 * and real SIPp backends and caller (127.0.0.1 ports 15180-15199): calls complete while the site is quorate, and
 * new calls get 503 with Retry-After once it has lost quorum.
 */
@ExtendWith(GaleraClusterExtension.class)
class EmbeddedProxyQuorumTest {
    private final SippProcesses sipp = new SippProcesses();

    @BeforeAll
    static void requireSipp() {
        SippProcess.requireSipp();
    }

    @AfterEach
    void stopSipp() throws InterruptedException {
        sipp.close();
    }

    @Test
    void callsCompleteWhileTheSiteIsQuorateAndGet503OnceItIsNot(GaleraTestCluster cluster) throws Exception {
        sipp.start(SippProcess.uas("uas_answer.xml", 15181, 15196, 15187).answerOptions());
        sipp.start(SippProcess.uas("uas_answer.xml", 15182, 15197, 15191).answerOptions());
        GaleraClientConfig.Builder galera = GaleraClientConfig.builder()
                .localNode("g1")
                .voters(GaleraTestCluster.voters())
                .user(GaleraTestCluster.USER)
                .password(GaleraTestCluster.PASSWORD)
                .database("sipha");
        for (int n = 1; n <= GaleraTestCluster.NODES; n++) {
            galera.node("g" + n, "127.0.0.1", GaleraTestCluster.sqlPort(n));
        }
        try (EmbeddedProxy proxy = EmbeddedProxy.start(
                EmbeddedProxyTest.listen(), EmbeddedProxyTest.BACKENDS, EmbeddedProxyTest.SECRET, galera.build())) {
            EmbeddedProxyTest.await(proxy::siteQuorate, "site quorate");
            assertEquals(
                    0,
                    SippProcess.uac("uac_call.xml", EmbeddedProxyTest.PROXY, 15180, 15195, 15183)
                            .run(60_000),
                    "call with quorum; see " + SippProcess.DEFAULT_WORK_DIR);

            cluster.splitTwoTwo();
            EmbeddedProxyTest.await(() -> !proxy.siteQuorate(), "site quorum lost");
            assertEquals(
                    0,
                    SippProcess.uac("uac_expect_503.xml", EmbeddedProxyTest.PROXY, 15180, 15195, 15183)
                            .run(60_000),
                    "503 with Retry-After; see " + SippProcess.DEFAULT_WORK_DIR);
        }
    }
}
