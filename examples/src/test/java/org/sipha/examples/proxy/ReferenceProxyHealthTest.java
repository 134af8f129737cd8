package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.health.HealthChecking;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * The reference proxy's wiring of health checking, end to end with real SIPp backends on 127.0.0.1 (ports
 * 15120-15139): a killed backend leaves the routing table through OPTIONS probes, calls then complete on the
 * survivor, and the backend returns once it answers again.
 */
class ReferenceProxyHealthTest {
    private static final String PROXY = "127.0.0.1:15139";
    private static final String LIVE = "sip:127.0.0.1:15121";
    private static final String DOOMED = "sip:127.0.0.1:15122";

    private final SippProcesses sipp = new SippProcesses();
    private RoutingTableWriter writer;
    private HealthChecking health;
    private SipProxyServer server;

    @BeforeAll
    static void requireSipp() {
        SippProcess.requireSipp();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (health != null) {
            health.close();
            writer.close();
        }
        sipp.close();
    }

    @Test
    void killedBackendLeavesTheTableAndCallsCompleteOnTheSurvivor() throws Exception {
        sipp.start(SippProcess.uas("uas_answer.xml", 15121, 15131, 15123).answerOptions());
        SippProcess doomed = sipp.start(
                SippProcess.uas("uas_answer.xml", 15122, 15132, 15127).answerOptions());
        ProxyOptions o = ProxyOptions.parse(new String[] {
            "--listen",
            "udp:" + PROXY,
            "--backend",
            LIVE,
            "--backend",
            DOOMED,
            "--probe-interval-ms",
            "200",
            "--probe-timeout-ms",
            "150",
            "--warmup-calls",
            "0",
            "--event-loops",
            "1"
        });
        RoutingTableOwner owner = ReferenceProxy.routingTable(o);
        DispatcherNextHopSelector selector = new DispatcherNextHopSelector(owner, 1);
        writer = new RoutingTableWriter(owner, "sipha-routing-table");
        health = ReferenceProxy.healthChecking(o, writer, selector, "sipha-health");
        server = SipProxyServer.start(ReferenceProxy.config(o, selector, health.outcomeListener()));
        ReferenceProxy.startHealth(health, writer, o, server);
        awaitState(owner, DOOMED, DestinationState.ACTIVE, 10_000);

        doomed.sigkill();
        long t0 = System.nanoTime();
        awaitState(owner, DOOMED, DestinationState.INACTIVE, 10_000);
        System.out.printf(
                "killed backend out of the routing table after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertEquals(DestinationState.ACTIVE, owner.table().state(LIVE));

        // The dead backend is no longer in the snapshot, so every call is offered to the survivor first; the bound
        // only guards against a hang (a call that did reach the dead one would still complete after failover).
        assertEquals(
                0,
                SippProcess.uac("uac_call.xml", PROXY, 15120, 15133, 15134)
                        .calls(20)
                        .rate(20)
                        .run(60_000),
                "UAC failed; see " + SippProcess.DEFAULT_WORK_DIR);

        sipp.start(SippProcess.uas("uas_answer.xml", 15122, 15132, 15127).answerOptions());
        awaitState(owner, DOOMED, DestinationState.ACTIVE, 10_000);
    }

    private static void awaitState(RoutingTableOwner owner, String id, DestinationState want, long timeoutMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (owner.table().state(id) == want) {
                return;
            }
            Thread.sleep(20);
        }
        fail(id + " did not become " + want + " within " + timeoutMs + " ms; it is "
                + owner.table().state(id));
    }
}
