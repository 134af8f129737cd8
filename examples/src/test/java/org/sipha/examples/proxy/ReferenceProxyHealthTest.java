package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.engine.SipProxyServer;

/**
 * The reference proxy's wiring of health checking, end to end with real SIPp backends on 127.0.0.1 (ports
 * 15120-15139): a killed backend leaves the routing table through OPTIONS probes, calls then complete on the
 * survivor, and the backend returns once it answers again.
 */
class ReferenceProxyHealthTest {
    private static final Path WORK = Paths.get("target", "sipp");
    private static final String PROXY = "127.0.0.1:15139";
    private static final String LIVE = "sip:127.0.0.1:15121";
    private static final String DOOMED = "sip:127.0.0.1:15122";

    private final List<Process> processes = new ArrayList<>();
    private HealthWiring health;
    private SipProxyServer server;

    @BeforeAll
    static void requireSipp() {
        boolean present = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            present |= Files.isExecutable(Paths.get(dir, "sipp"));
        }
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("sipp is not installed: apt-get install -y sip-tester (this test needs the real SIPp)");
        }
        assumeTrue(present, "sipp (Debian package sip-tester) not installed");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (health != null) {
            health.close();
        }
        for (Process p : processes) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void killedBackendLeavesTheTableAndCallsCompleteOnTheSurvivor() throws Exception {
        uas(15121, 15131, 15123);
        Process doomed = uas(15122, 15132, 15127);
        ProxyOptions o = ProxyOptions.parse(new String[] {"--listen", "udp:" + PROXY, "--backend", LIVE,
            "--backend", DOOMED, "--probe-interval-ms", "200", "--probe-timeout-ms", "150", "--warmup-calls", "0",
            "--event-loops", "1"});
        RoutingTableOwner owner = ReferenceProxy.routingTable(o);
        health = HealthWiring.start(owner, ReferenceProxy.destinations(o), "127.0.0.1", o);
        server = SipProxyServer.start(ReferenceProxy.config(o, owner, health.outcomeListener()));
        awaitState(owner, DOOMED, DestinationState.ACTIVE, 10_000);

        doomed.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        awaitState(owner, DOOMED, DestinationState.INACTIVE, 10_000);
        System.out.printf("killed backend out of the routing table after %d ms%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertEquals(DestinationState.ACTIVE, owner.table().state(LIVE));

        Process uac = sipp("uac_call.xml", 15120, 15133, 15134, List.of(PROXY, "-m", "20", "-r", "20", "-recv_timeout", "8000"));
        // The dead backend is no longer in the snapshot, so every call is offered to the survivor first; the bound
        // only guards against a hang (a call that did reach the dead one would still complete after failover).
        assertEquals(0, await(uac, 60_000), "UAC failed; see " + WORK.resolve("uac-15120.log"));

        uas(15122, 15132, 15127);
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
        fail(id + " did not become " + want + " within " + timeoutMs + " ms; it is " + owner.table().state(id));
    }

    private Process uas(int port, int controlPort, int mediaPort) throws IOException {
        return sipp("uas_answer.xml", port, controlPort, mediaPort, List.of("-aa"));
    }

    /** SIPp uses 4 ports from {@code mediaPort} (RTP/RTCP audio and video). */
    private Process sipp(String scenario, int port, int controlPort, int mediaPort, List<String> extra)
        throws IOException {
        Files.createDirectories(WORK);
        List<String> cmd = new ArrayList<>(List.of("sipp", "-sf", scenario(scenario), "-i", "127.0.0.1",
            "-p", Integer.toString(port), "-cp", Integer.toString(controlPort), "-mp", Integer.toString(mediaPort),
            "-nostdin", "-timeout", "60s"));
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd).directory(WORK.toFile()).redirectErrorStream(true)
            .redirectOutput(WORK.resolve((scenario.startsWith("uac") ? "uac-" : "uas-") + port + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private static int await(Process p, long timeoutMs) throws InterruptedException {
        if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    private static String scenario(String name) {
        try {
            return Paths.get(ReferenceProxyHealthTest.class.getResource("/sipp/" + name).toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing scenario " + name, e);
        }
    }
}
