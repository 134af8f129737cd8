package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.DestinationState;
import org.sipha.core.spi.HealthProbeBranch;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.health.DestinationHealthView;
import org.sipha.health.HealthChecking;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * The reference proxy's health checking under a flood of forged OPTIONS replies, with real sockets (proxy and a SIPp
 * backend on 127.0.0.1:15545-15552, the forger on 127.0.0.2): the forger answers every probe the proxy may have out,
 * to both backends, with a 200 OK carrying its branch and Call-ID. The backend that does not exist (nothing listens
 * on its port) leaves the routing table anyway, and the live one stays healthy throughout.
 */
class ForgedProbeRepliesTest {
    private static final String PROXY = "127.0.0.1:15545";
    private static final String LIVE = "sip:127.0.0.1:15546";
    private static final String DEAD = "sip:127.0.0.1:15552";
    private static final long MAX_FORGED = 2_000_000;

    private final SippProcesses sipp = new SippProcesses();
    private final AtomicBoolean flooding = new AtomicBoolean(true);
    private final AtomicLong forged = new AtomicLong();
    private RoutingTableWriter writer;
    private HealthChecking health;
    private SipProxyServer server;
    private Thread forger;

    @BeforeAll
    static void requireSipp() {
        SippProcess.requireSipp();
    }

    @AfterEach
    void stop() throws Exception {
        flooding.set(false);
        if (forger != null) {
            forger.join(5_000);
        }
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
    void aDeadBackendGoesDownAndALiveOneStaysUpWhateverTheForgedReplies() throws Exception {
        sipp.start(SippProcess.uas("uas_answer.xml", 15546, 15547, 15548).answerOptions());
        ProxyOptions o = ProxyOptions.parse(new String[] {
            "--listen", "udp:" + PROXY,
            "--backend", LIVE,
            "--backend", DEAD,
            "--probe-interval-ms", "100",
            "--probe-timeout-ms", "80",
            "--warmup-calls", "0",
            "--event-loops", "2"
        });
        RoutingTableOwner owner = ReferenceProxy.routingTable(o);
        DispatcherNextHopSelector selector = new DispatcherNextHopSelector(owner, 1);
        writer = new RoutingTableWriter(owner, "sipha-routing-table");
        health = ReferenceProxy.healthChecking(o, writer, selector, "sipha-health");
        server = SipProxyServer.start(ReferenceProxy.config(o, selector, health.outcomeListener()));
        long healthStartNs = System.nanoTime();
        ReferenceProxy.startHealth(health, writer, o, server);
        awaitFirstProbeAnswered(LIVE);
        forger = new Thread(() -> forge(healthStartNs), "forger");
        forger.start();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (owner.table().state(DEAD) != DestinationState.INACTIVE && System.nanoTime() < deadline) {
            assertLiveHealthy();
            Thread.sleep(10);
        }
        if (owner.table().state(DEAD) != DestinationState.INACTIVE) {
            fail("the dead backend is still " + owner.table().state(DEAD) + " after 15 s of forged replies");
        }
        for (int i = 0; i < 100; i++) { // another second of forgery: the live one stays, the dead one stays out
            assertLiveHealthy();
            assertEquals(DestinationState.INACTIVE, owner.table().state(DEAD), "the dead backend came back");
            Thread.sleep(10);
        }
        flooding.set(false);
        forger.join(5_000);
        System.out.printf(
                "forged replies sent %d, dropped by the proxy as from an address no probe went to %d%n",
                forged.get(), server.probeTransport().foreignReplies());
        assertTrue(server.probeTransport().foreignReplies() > 0, "the forged replies reached the proxy");
    }

    /** The live backend in the table and healthy by its own checks (not merely kept in by fail-open). */
    private void assertLiveHealthy() {
        DestinationHealthView live = health.snapshot().destination(LIVE);
        assertTrue(live.healthy() && live.state() == DestinationState.ACTIVE, "the live backend failed: " + live);
    }

    private void awaitFirstProbeAnswered(String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (health.snapshot().destination(id).probeLatency().count() == 0) {
            if (System.nanoTime() > deadline) {
                fail(id + " never answered a probe");
            }
            Thread.sleep(5);
        }
    }

    /**
     * 200 OK from 127.0.0.2 for both backends' probes with every sequence number the prober may be using: it numbers
     * probes 1, 2, ... across destinations, about two per interval here, so a window around that estimate is
     * answered every 5 ms (about 12,000 replies a second, each probe answered many times).
     */
    private void forge(long healthStartNs) {
        InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", 15545);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            while (flooding.get() && forged.get() < MAX_FORGED) {
                long estimate = 2 + 2 * TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healthStartNs) / 100;
                for (long seq = Math.max(1, estimate - 10); seq <= estimate + 20; seq++) {
                    for (int index = 0; index < 2; index++) {
                        byte[] b = reply(index, seq);
                        s.send(new DatagramPacket(b, b.length, proxy));
                        forged.incrementAndGet();
                    }
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            throw new IllegalStateException("forger failed", e);
        }
    }

    private static byte[] reply(int index, long seq) {
        String id = index + "-" + seq;
        return ("SIP/2.0 200 OK\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:15545;branch=" + HealthProbeBranch.PREFIX + id + ";rport\r\n"
                        + "From: <sip:sipha@localhost>;tag=sipha-hc-" + index + "\r\n"
                        + "To: <sip:127.0.0.1>;tag=forged\r\n"
                        + "Call-ID: sipha-hc-" + id + "\r\n"
                        + "CSeq: " + seq + " OPTIONS\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
