package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isDrainMarked;
import static org.sipha.anycast.RouterTable.isPresent;

import java.io.IOException;
import java.nio.file.Files;
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
import org.sipha.anycast.BirdDaemon;
import org.sipha.anycast.ProcessRegistry;
import org.sipha.anycast.RouterTable;
import org.sipha.testsupport.RequiredTool;
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
    static final String PREFIX = "198.51.100.10/32";
    static final String PROXY = "127.0.0.1:15300";
    static final long WAIT_MS = 30_000;
    static final Path LOGS = Path.of("target", "site-node");

    static final String ROUTER_CONF = """
        router id 127.0.0.6;
        protocol device { scan time 10; }
        protocol bgp ann {
          local 127.0.0.6 port 1796 as 65000;
          neighbor 127.0.0.7 as 65001;
          multihop; strict bind yes; passive yes;
          graceful restart off;
          hold time 9; keepalive time 1;
          error wait time 1, 5;
          ipv4 { import all; export none; };
        }
        """;
    static final String ANNOUNCER_CONF = """
        router id 127.0.0.7;
        protocol device { scan time 10; }
        protocol static sipha_up { ipv4; disabled yes; route 198.51.100.10/32 blackhole; }
        protocol static sipha_drain { ipv4 { preference 100; }; disabled yes;
          route 198.51.100.10/32 blackhole { bgp_community.add((65535,0)); bgp_path.prepend(65001); }; }
        protocol bgp rtr {
          local 127.0.0.7 port 1797 as 65001;
          neighbor 127.0.0.6 port 1796 as 65000;
          multihop; strict bind yes;
          graceful restart off;
          hold time 9; connect delay time 1;
          ipv4 { import none; export where proto = "sipha_up" || proto = "sipha_drain"; next hop self; };
        }
        """;

    @TempDir
    static Path dir;
    static BirdDaemon router;
    static BirdDaemon announcer;
    static RouterTable table;
    private final SippProcesses sipp = new SippProcesses();
    private final List<Process> nodes = new ArrayList<>();

    @BeforeAll
    static void startDaemons() throws Exception {
        BirdDaemon.requireBird();
        SippProcess.requireSipp();
        Files.createDirectories(LOGS);
        router = new BirdDaemon(dir, "rtrs", ROUTER_CONF).start();
        announcer = new BirdDaemon(dir, "ancs", ANNOUNCER_CONF).start();
        table = new RouterTable(router.controlSocket, PREFIX, "ann");
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        if (table != null) {
            table.close();
        }
        if (announcer != null) {
            announcer.close();
        }
        if (router != null) {
            router.close();
        }
        ProcessRegistry.killAll();
    }

    @AfterEach
    void stopNodesAndSipp() {
        for (Process p : nodes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
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
        report("both backends SIGKILLed -> gone at router (--min-backends 1, OPTIONS every 100 ms, fall 3; "
            + "self-check every 100 ms, fall 2)", gone);
        assertLogShows("backends", "no backend is usable");

        t0 = System.nanoTime();
        sipp.start(backend(1));
        sipp.start(backend(2));
        long back = table.awaitNs(isPresent(true), t0, WAIT_MS);
        assertTrue(back >= 0, "announced again once the backends answer: " + log("backends"));
        report("backends restarted -> back at router (health rise 2, self-check rise 3, damping reuse after ~2 s)",
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
            report("SIGSTOP of the proxy JVM -> gone at router (heartbeat 100 ms, relay timeout 500 ms), run "
                + run, gone);
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
        // calls of 500 ms at 10 per second, so several are always in progress
        SippProcess caller = sipp.start(SippProcess.uac("uac_call.xml", PROXY, 15303, 15313, 15331).calls(100_000)
            .rate(10).args("-d", "500"));
        ProxyUnderTest.await(() -> successful(caller) >= 20, 30_000, () -> "calls through the node: "
            + caller.output());

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
        System.out.printf("MEASURED calls through the node: %d, of which %d completed after SIGTERM (during the "
            + "drain); failed: %d%n", s.successfulCalls(), s.successfulCalls() - atDrain, s.failedCalls());
        assertEquals(0, s.failedCalls(), "no call fails: " + caller.output());
        assertEquals(0, caller.exitCode(), caller.output());
        assertTrue(s.successfulCalls() > atDrain, "calls placed during the drain completed: " + s);
        assertLogShows("term", "withdrawn");
    }

    private static SippProcess.Builder backend(int n) {
        return SippProcess.uas("uas_answer.xml", 15300 + n, 15310 + n, 15317 + 4 * n).answerOptions()
            .globalTimeoutS(0);
    }

    private static long successful(SippProcess p) {
        try {
            return p.stats().successfulCalls();
        } catch (RuntimeException e) {
            return 0; // no statistics row yet
        }
    }

    /** The reference proxy with --anycast in a child JVM, logging to {@code name.log}. */
    private Process startNode(String name, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-XX:TieredStopAtLevel=1",
            "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
            "-cp", System.getProperty("java.class.path"), ReferenceProxy.class.getName(),
            "--listen", "udp:" + PROXY, "--backend", "sip:127.0.0.1:15301", "--backend", "sip:127.0.0.1:15302",
            "--record-route-secret", "site node integration test secret", "--warmup-calls", "0",
            "--probe-interval-ms", "100", "--probe-timeout-ms", "80",
            "--anycast", PREFIX, "--bird-socket", announcer.controlSocket.toString(), "--min-backends", "1"));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(LOGS.resolve(name + ".log").toFile()).start();
        ProcessRegistry.register(p);
        nodes.add(p);
        return p;
    }

    private static void awaitAnnounced(String name) {
        assertTrue(table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0, "the node announces: " + log(name));
    }

    /** SIGTERM: the node drains (nothing to drain for when already withdrawn), withdraws and exits 0. */
    private static void stopNode(Process node, String name) throws Exception {
        node.descendants().forEach(ProcessRegistry::register);
        node.destroy();
        assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node exits on SIGTERM: " + log(name));
        assertEquals(0, node.exitValue(), log(name));
        assertTrue(table.awaitNs(isPresent(false), System.nanoTime(), WAIT_MS) >= 0, "withdrawn on SIGTERM");
    }

    private static void signal(String sig, long pid) throws Exception {
        Process k = new ProcessBuilder(RequiredTool.require("kill", "procps").toString(), "-" + sig,
            Long.toString(pid)).inheritIO().start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -" + sig + " " + pid);
    }

    private static void report(String what, long ns) {
        System.out.printf("MEASURED %s: %.2f ms%n", what, ns / 1e6);
    }

    private static void assertLogShows(String name, String text) throws IOException {
        assertTrue(Files.readString(LOGS.resolve(name + ".log")).contains(text), "log shows '" + text + "': "
            + log(name));
    }

    private static String log(String name) {
        try {
            String s = Files.readString(LOGS.resolve(name + ".log"));
            return "\n--- " + name + ".log ---\n" + (s.length() > 8000 ? s.substring(s.length() - 8000) : s);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
