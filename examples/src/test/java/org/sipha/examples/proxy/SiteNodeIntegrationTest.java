package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isDrainMarked;
import static org.sipha.anycast.RouterTable.isPresent;
import static org.sipha.examples.proxy.SiteNodeFixture.WAIT_MS;
import static org.sipha.examples.proxy.SiteNodeFixture.assertLogShows;
import static org.sipha.examples.proxy.SiteNodeFixture.log;
import static org.sipha.examples.proxy.SiteNodeFixture.report;
import static org.sipha.examples.proxy.SiteNodeFixture.signal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.anycast.ProcessRegistry;
import org.sipha.anycast.RouterTable;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;
import org.sipha.testsupport.SippStats;

/**
 * The reference proxy as a site node, in a child JVM, owning its site's anycast announcement over real BGP: it
 * drives an announcing BIRD (127.0.0.7:1797, AS 65001) through its control socket, and the test reads the table of
 * a router BIRD (127.0.0.6:1796, AS 65000, graceful restart off) that peers with it. The proxy listens on
 * 127.0.0.1:15300 and forwards to SIPp backends on 127.0.0.1:15301 and 15302; a SIPp caller uses 15303
 * (control ports 15311-15313, media 15321-15335). Addresses and ports are used by no other test.
 * <ul>
 *   <li>both backends killed: withdrawn at once (nothing left to drain for), back once they answer, after damping;</li>
 *   <li>SIGKILL of the proxy JVM: its dead-man relay withdraws; a restarted node announces again;</li>
 *   <li>SIGSTOP of the proxy JVM: the relay withdraws when the heartbeats stop; SIGCONT announces again;</li>
 *   <li>SIGTERM while SIPp places calls: drained (65535:0 at the router), then withdrawn, no call fails.</li>
 * </ul>
 * Needs {@code bird} (Debian bird2) and {@code sipp} (sip-tester); with {@code CI=true} a missing tool fails. Run
 * under the shared lock ({@code flock /tmp/sipha-it.lock}). Measured times are printed as "MEASURED ..." lines,
 * never asserted against a wall clock; each node's log (with its relay's) is kept in {@code target/site-node}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SiteNodeIntegrationTest {
    static final String PROXY = "127.0.0.1:15300";

    @TempDir
    static Path dir;

    static SiteNodeFixture bgp;
    static RouterTable table;
    private final SippProcesses sipp = new SippProcesses();

    @BeforeAll
    static void startDaemons() throws Exception {
        SippProcess.requireSipp();
        bgp = SiteNodeFixture.start(dir, "127.0.0.6", 1796, "127.0.0.7", 1797);
        table = bgp.table;
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        if (bgp != null) {
            bgp.close();
        }
    }

    @AfterEach
    void stopNodesAndSipp() {
        if (bgp != null) {
            bgp.killNodes();
        }
        sipp.close();
    }

    @Test
    @Order(1)
    void bothBackendsKilledWithdrawAtOnceAndTheRouteComesBackDampedOnceTheyAnswer() throws Exception {
        SippProcess b1 = sipp.start(backend(1));
        SippProcess b2 = sipp.start(backend(2));
        // one flap suppresses (penalty 1000 >= suppress 1000) until the penalty halves to the reuse limit (2 s)
        Process node = startNode("backends", "--damping", "1000,1000,500,8000,2000");
        awaitAnnounced("backends");

        b1.sigkill();
        long t0 = System.nanoTime();
        b2.sigkill();
        long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
        assertTrue(gone >= 0, "withdrawn with no backend left: " + log("backends"));
        report(
                "both backends SIGKILLed -> gone at router (--min-backends 1, OPTIONS every 100 ms, fall 3; "
                        + "self-check every 100 ms, fall 2)",
                gone);
        assertLogShows("backends", "no backend is usable");

        t0 = System.nanoTime();
        sipp.start(backend(1));
        sipp.start(backend(2));
        long back = table.awaitNs(isPresent(true), t0, WAIT_MS);
        assertTrue(back >= 0, "announced again once the backends answer: " + log("backends"));
        report(
                "backends restarted -> back at router (health rise 2, self-check rise 3, damping reuse after ~2 s)",
                back);
        assertLogShows("backends", "flapping: damping penalty");
        stopNode(node, "backends");
    }

    @Test
    @Order(2)
    void sigkillOfTheProxyJvmIsWithdrawnByItsDeadManRelay() throws Exception {
        sipp.start(backend(1));
        sipp.start(backend(2));
        for (int run = 1; run <= 2; run++) {
            String name = "kill" + run;
            Process node = startNode(name);
            awaitAnnounced(name);
            List<ProcessHandle> relays = node.descendants().toList();
            relays.forEach(ProcessRegistry::register);
            assertFalse(relays.isEmpty(), "the node runs a dead-man relay: " + log(name));
            long t0 = System.nanoTime();
            node.destroyForcibly(); // SIGKILL
            long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(gone >= 0, "withdrawn after SIGKILL of the proxy: " + log(name));
            report("SIGKILL of the proxy JVM -> gone at router (dead-man relay on EOF), run " + run, gone);
            for (ProcessHandle r : relays) {
                assertTrue(r.onExit().get(10, TimeUnit.SECONDS) != null, "the relay exits after withdrawing");
            }
            assertLogShows(name, "heartbeat pipe closed");
        }
        long t0 = System.nanoTime();
        Process node = startNode("restarted");
        long back = table.awaitNs(isPresent(true), t0, WAIT_MS);
        assertTrue(back >= 0, "a restarted node announces again: " + log("restarted"));
        report("proxy JVM restarted -> back at router (JVM start, relay, self-check rise 3)", back);
        stopNode(node, "restarted");
    }

    @Test
    @Order(3)
    void sigstopOfTheProxyJvmIsWithdrawnWhenItsHeartbeatStopsAndSigcontAnnouncesAgain() throws Exception {
        sipp.start(backend(1));
        sipp.start(backend(2));
        Process node = startNode("stop");
        awaitAnnounced("stop");
        node.descendants().forEach(ProcessRegistry::register);
        for (int run = 1; run <= 2; run++) {
            long t0 = System.nanoTime();
            signal("STOP", node.pid());
            long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(gone >= 0, "withdrawn while the proxy is stopped: " + log("stop"));
            report(
                    "SIGSTOP of the proxy JVM -> gone at router (heartbeat 100 ms, relay timeout 500 ms), run " + run,
                    gone);
            t0 = System.nanoTime();
            signal("CONT", node.pid());
            long back = table.awaitNs(isPresent(true), t0, WAIT_MS);
            assertTrue(back >= 0, "announced again after SIGCONT: " + log("stop"));
            report("SIGCONT -> back at router (reconcile every 1 s), run " + run, back);
        }
        assertLogShows("stop", "no heartbeat for 500 ms");
        stopNode(node, "stop");
    }

    @Test
    @Order(4)
    void sigtermWhileCallsRunDrainsThenWithdrawsAndNoCallFails() throws Exception {
        sipp.start(backend(1));
        sipp.start(backend(2));
        Process node = startNode("term", "--drain-ms", "3000");
        awaitAnnounced("term");
        // calls of 500 ms at 200 per second, so about a hundred are always in progress
        SippProcess caller = sipp.start(SippProcess.uac("uac_call.xml", PROXY, 15303, 15313, 15331)
                .calls(100_000)
                .rate(200)
                .args("-d", "500"));
        ProxyUnderTest.await(
                () -> successful(caller) >= 20, 30_000, () -> "calls through the node: " + caller.output());

        long t0 = System.nanoTime();
        node.destroy(); // SIGTERM
        long drained = table.awaitNs(isDrainMarked(), t0, WAIT_MS);
        assertTrue(drained >= 0, "drained (65535:0) on SIGTERM: " + log("term"));
        report("SIGTERM -> 65535:0 + prepend at router", drained);
        long atDrain = successful(caller);
        Thread.sleep(1_000); // the carrier keeps sending a while, then prefers another site's route
        signal("USR1", caller.pid()); // SIPp: no new calls, finish the ones in progress, exit
        assertTrue(caller.waitFor(20_000), "the caller finished its calls: " + caller.output());

        long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
        assertTrue(gone >= 0, "withdrawn after the drain: " + log("term"));
        report("SIGTERM -> gone at router (--drain-ms 3000)", gone);
        assertTrue(gone > drained, "drained first, withdrawn after");
        assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node exits after the drain: " + log("term"));
        assertEquals(0, node.exitValue(), "exit status after SIGTERM: " + log("term"));

        SippStats s = caller.stats();
        System.out.printf(
                "MEASURED calls through the node: %d, of which %d completed after SIGTERM (during the "
                        + "drain); failed: %d%n",
                s.successfulCalls(), s.successfulCalls() - atDrain, s.failedCalls());
        assertEquals(0, s.failedCalls(), "no call fails: " + caller.output());
        assertEquals(0, caller.exitCode(), caller.output());
        assertTrue(s.successfulCalls() > atDrain, "calls placed during the drain completed: " + s);
        assertLogShows("term", "withdrawn");
    }

    private static SippProcess.Builder backend(int n) {
        return SippProcess.uas("uas_answer.xml", 15300 + n, 15310 + n, 15317 + 4 * n)
                .answerOptions()
                .globalTimeoutS(0);
    }

    private static long successful(SippProcess p) {
        try {
            return p.stats().successfulCalls();
        } catch (RuntimeException e) {
            return 0; // no statistics row yet
        }
    }

    /** The reference proxy as a site node in a child JVM, with the two SIPp backends and {@code extra}. */
    private static Process startNode(String name, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--listen",
                "udp:" + PROXY,
                "--backend",
                "sip:127.0.0.1:15301",
                "--backend",
                "sip:127.0.0.1:15302",
                "--record-route-secret",
                "site node integration test secret",
                "--warmup-calls",
                "0",
                "--probe-interval-ms",
                "100",
                "--probe-timeout-ms",
                "80",
                "--min-backends",
                "1",
                "--drain-ms",
                "1000")); // a later --drain-ms in extra wins
        args.addAll(List.of(extra));
        return bgp.startNode(name, args);
    }

    private static void awaitAnnounced(String name) {
        bgp.awaitAnnounced(name);
    }

    private static void stopNode(Process node, String name) throws Exception {
        bgp.stopNode(node, name);
    }
}
