package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.galera.GaleraClusterExtension;
import org.sipha.galera.GaleraTestCluster;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * The reference proxy's quorum hook against a real 3-node MariaDB Galera cluster with garbd (started by
 * {@link GaleraClusterExtension}) and a real SIPp backend and caller (127.0.0.1 ports 15140-15159): while the
 * site has no quorum, new calls get 503 with Retry-After; once quorum is back, calls complete again.
 */
@ExtendWith(GaleraClusterExtension.class)
class ReferenceProxyQuorumTest {
    private static final String PROXY = "127.0.0.1:15159";

    private final SippProcesses sipp = new SippProcesses();
    private SipProxyServer server;
    private QuorumWiring quorum;

    @BeforeAll
    static void requireSipp() {
        SippProcess.requireSipp();
    }

    @AfterEach
    void stop() throws Exception {
        if (quorum != null) {
            quorum.close();
        }
        if (server != null) {
            server.close();
        }
        sipp.close();
    }

    @Test
    void newCallsGet503WhileTheSiteHasNoQuorumAndCompleteOnceItIsBack(GaleraTestCluster cluster) throws Exception {
        sipp.start(SippProcess.uas("uas_answer.xml", 15141, 15151, 15143).answerOptions());
        String[] args = {
            "--listen",
            "udp:" + PROXY,
            "--backend",
            "sip:127.0.0.1:15141",
            "--no-health",
            "--warmup-calls",
            "0",
            "--event-loops",
            "1",
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
            GaleraTestCluster.PASSWORD
        };
        ProxyOptions o = ProxyOptions.parse(args);
        server = SipProxyServer.start(ReferenceProxy.config(o));
        quorum = QuorumWiring.start(o, server);
        awaitQuorate(true, 30_000);
        assertEquals(0, uac("uac_call.xml").run(60_000), "call with quorum");

        cluster.splitTwoTwo();
        long t0 = System.nanoTime();
        awaitQuorate(false, 30_000);
        System.out.printf(
                "site quorum loss seen by the proxy after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertEquals(0, uac("uac_expect_503.xml").run(60_000), "503 with Retry-After");

        cluster.heal();
        awaitQuorate(true, 60_000);
        assertEquals(0, uac("uac_call.xml").run(60_000), "call after quorum returned");
    }

    /** The SIPp UAC placing one call with {@code scenario} through the proxy. */
    private static SippProcess.Builder uac(String scenario) {
        return SippProcess.uac(scenario, PROXY, 15140, 15150, 15144);
    }

    private void awaitQuorate(boolean want, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (quorum.isQuorate() == want) {
                return;
            }
            Thread.sleep(50);
        }
        fail("site quorum did not become " + want + " within " + timeoutMs + " ms");
    }
}
