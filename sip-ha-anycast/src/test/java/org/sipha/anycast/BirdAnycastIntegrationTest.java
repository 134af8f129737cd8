package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isDrainMarked;
import static org.sipha.anycast.RouterTable.isPresent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real BGP on loopback: a router BIRD (127.0.0.2:1790, AS 65000, graceful restart off) peers with an announcing
 * BIRD (127.0.0.1:1791, AS 65001) that holds 198.51.100.10/32 in two disabled static protocols. Our code drives
 * the announcing BIRD through its control socket; the test reads the router's table through the router's own
 * control socket. The stand-in SIP proxy answers OPTIONS on 127.0.0.65:25060.
 *
 * <p>Measured latencies are printed as "MEASURED ..." lines (never asserted against a wall-clock threshold).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BirdAnycastIntegrationTest {
    static final String PREFIX = "198.51.100.10/32";
    static final InetSocketAddress SIP = new InetSocketAddress("127.0.0.65", 25060);
    static final long WAIT_MS = 30_000;

    static final String ROUTER_CONF = """
            router id 127.0.0.2;
            protocol device { scan time 10; }
            protocol bgp ann {
              local 127.0.0.2 port 1790 as 65000;
              neighbor 127.0.0.1 as 65001;
              multihop; strict bind yes; passive yes;
              graceful restart off;
              hold time 9; keepalive time 1;
              error wait time 1, 5;
              ipv4 { import all; export none; };
            }
            """;
    static final String ANNOUNCER_CONF = """
            router id 127.0.0.1;
            protocol device { scan time 10; }
            protocol static sipha_up { ipv4; disabled yes; route 198.51.100.10/32 blackhole; }
            protocol static sipha_drain { ipv4 { preference 100; }; disabled yes;
              route 198.51.100.10/32 blackhole { bgp_community.add((65535,0)); bgp_path.prepend(65001); }; }
            protocol bgp rtr {
              local 127.0.0.1 port 1791 as 65001;
              neighbor 127.0.0.2 port 1790 as 65000;
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
    static SipOptionsResponder proxy;
    static List<Process> children;
    static BirdTestBed bed;

    @BeforeAll
    static void startDaemons() throws Exception {
        bed = BirdTestBed.start(dir, "rtr", ROUTER_CONF, "anc", ANNOUNCER_CONF, PREFIX, SIP);
        router = bed.router;
        announcer = bed.announcer;
        table = bed.table;
        proxy = bed.proxy;
        children = bed.children;
    }

    @AfterAll
    static void stopDaemons() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    private static BirdProtocolAnnouncer birdAnnouncer() {
        return new BirdProtocolAnnouncer(announcer.controlSocket, "sipha_up", "sipha_drain", 2_000);
    }

    private static void report(String what, long ns) {
        System.out.printf("MEASURED %s: %.2f ms%n", what, ns / 1e6);
    }

    @Test
    @Order(1)
    void controlSocketRepliesAreParsedAndErrorsAreTyped() throws Exception {
        try (BirdControlSocket s = BirdControlSocket.connect(announcer.controlSocket, 2_000)) {
            assertTrue(s.banner().startsWith("BIRD 2"), s.banner());
            BirdReply status = s.command("show status");
            assertEquals(13, status.finalCode(), status.text()); // 0013 Daemon is up and running
            BirdReply bad = s.command("disable nosuch");
            assertTrue(bad.isError(), bad.text());
            assertEquals(9001, bad.finalCode());
            BirdReply again = s.command("show protocols sipha_up");
            assertTrue(again.hasCode(1002), "connection stays usable after an error: " + again.text());
            assertThrows(IllegalArgumentException.class, () -> s.command("show status\ndisable sipha_up"));
        }
        try (BirdProtocolAnnouncer missing =
                new BirdProtocolAnnouncer(announcer.controlSocket, "nosuch", null, 2_000)) {
            AnnouncerException e =
                    assertThrows(AnnouncerException.class, () -> missing.apply(RouteAnnouncement.ANNOUNCE));
            assertTrue(e.getMessage().contains("enable nosuch"), e.getMessage());
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> new BirdProtocolAnnouncer(announcer.controlSocket, "x; restart all", null, 2_000));
        AnnouncerException noDaemon = assertThrows(
                AnnouncerException.class, () -> BirdControlSocket.connect(dir.resolve("absent.ctl"), 1_000));
        assertTrue(noDaemon.getMessage().contains("cannot connect"), noDaemon.getMessage());
    }

    @Test
    @Order(2)
    void announcerDrivesTheRoutersTableDirectly() throws Exception {
        try (BirdProtocolAnnouncer a = birdAnnouncer()) {
            long t0 = System.nanoTime();
            a.apply(RouteAnnouncement.ANNOUNCE);
            assertTrue(table.awaitNs(isPresent(true), t0, WAIT_MS) >= 0, "announced prefix reaches the router");
            assertEquals(RouteAnnouncement.ANNOUNCE, a.observe().orElseThrow());
            assertFalse(table.drainMarked(), table.route());

            a.apply(RouteAnnouncement.DRAIN);
            t0 = System.nanoTime();
            assertTrue(table.awaitNs(isDrainMarked(), t0, WAIT_MS) >= 0, "drain community reaches the router");
            assertTrue(table.route().contains("65001 65001"), "prepended path: " + table.route());
            assertEquals(RouteAnnouncement.DRAIN, a.observe().orElseThrow());

            t0 = System.nanoTime();
            a.apply(RouteAnnouncement.WITHDRAW);
            long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(gone >= 0, "withdrawn prefix leaves the router");
            report("withdraw command -> gone at router", gone);
            assertEquals(RouteAnnouncement.WITHDRAW, a.observe().orElseThrow());
            a.apply(RouteAnnouncement.WITHDRAW); // idempotent
        }
    }

    @Test
    @Order(3)
    void decisionAnnouncesDrainsWithdrawsOnHealthAndReconcilesAfterDaemonRestart() throws Exception {
        AnycastConfig cfg = AnycastConfig.builder()
                .rise(2)
                .fall(2)
                .drainMs(1_500)
                .tickMs(20)
                .heartbeatIntervalMs(50)
                .reconcileIntervalMs(200)
                .build();
        BirdProtocolAnnouncer a = birdAnnouncer();
        RelayDeadManSwitch relay = new RelayDeadManSwitch(a.spec(), 400);
        AnycastController c = new AnycastController(cfg, a, relay);
        SipOptionsPinger pinger = new SipOptionsPinger(new InetSocketAddress("127.0.0.65", 0), SIP);
        ProxyProbeLoop probes = new ProxyProbeLoop(pinger, c, 50, 40);
        try {
            c.start();
            ProcessRegistry.register(ProcessHandle.of(relay.relayPid()).orElseThrow());
            probes.start();
            long t0 = System.nanoTime();
            assertTrue(table.awaitNs(isPresent(true), t0, WAIT_MS) >= 0, "UP: prefix at the router");
            assertEquals(AnycastState.UP, awaitState(c, AnycastState.UP));

            // administrative disable: drain (community + prepend) for 1.5 s, then withdraw
            t0 = System.nanoTime();
            c.setAdminDisabled(true, "integration test");
            assertTrue(table.awaitNs(isDrainMarked(), t0, WAIT_MS) >= 0, "DRAINING: 65535:0 at the router");
            assertEquals(AnycastState.DRAINING, awaitState(c, AnycastState.DRAINING));
            long drained = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(drained >= 0, "withdrawn after the drain time");
            report("admin disable -> gone (drain time 1500 ms)", drained);
            assertEquals(AnycastState.DISABLED, awaitState(c, AnycastState.DISABLED));

            c.setAdminDisabled(false, "integration test done");
            t0 = System.nanoTime();
            assertTrue(table.awaitNs(isPresent(true), t0, WAIT_MS) >= 0, "re-announced after enable");
            assertFalse(table.drainMarked(), "no drain marking when UP: " + table.route());

            // local proxy dies: withdraw without drain (fall=2, probes every 50 ms, ICMP unreachable)
            t0 = System.nanoTime();
            proxy.stop();
            long healthGone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(healthGone >= 0, "withdrawn when the proxy stops answering");
            report("proxy stops answering OPTIONS -> gone (fall=2, interval 50 ms)", healthGone);
            assertEquals(AnycastState.WITHDRAWN, awaitState(c, AnycastState.WITHDRAWN));
            proxy.start();
            assertTrue(table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0, "back after recovery");

            // the announcing daemon restarts: its static protocols come back disabled; reconciliation re-enables
            announcer.stop();
            assertTrue(table.awaitNs(isPresent(false), System.nanoTime(), WAIT_MS) >= 0, "gone with the daemon");
            t0 = System.nanoTime();
            announcer.start();
            long back = table.awaitNs(isPresent(true), t0, WAIT_MS);
            assertTrue(back >= 0, "reconciliation re-announces after the daemon restarts");
            report("announcing BIRD restarted -> prefix back (reconcile every 200 ms; incl. BGP session setup)", back);
        } finally {
            probes.close();
            c.close();
        }
        assertTrue(table.awaitNs(isPresent(false), System.nanoTime(), WAIT_MS) >= 0, "withdrawn on close");
    }

    @Test
    @Order(4)
    void sigkillOfTheDecidingJvmWithdrawsThroughTheRelay() throws Exception {
        for (int i = 0; i < 3; i++) {
            Process child = startDecider("kill" + i);
            assertTrue(
                    table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0,
                    "child decider announces: " + log("kill" + i));
            List<ProcessHandle> relays = child.descendants().toList();
            relays.forEach(ProcessRegistry::register);
            long t0 = System.nanoTime();
            child.destroyForcibly(); // SIGKILL
            long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(gone >= 0, "prefix gone after SIGKILL of the decider: " + log("kill" + i));
            report("SIGKILL decider -> gone, run " + (i + 1), gone);
            child.waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle r : relays) {
                r.onExit().get(10, TimeUnit.SECONDS); // the relay exits by itself after withdrawing
            }
            log("kill" + i)
                    .lines()
                    .filter(l -> l.contains("heartbeat pipe closed"))
                    .forEach(l -> System.out.println("relay: " + l));
        }
    }

    @Test
    @Order(5)
    void sigstopOfTheDecidingJvmWithdrawsAfterHeartbeatTimeoutAndSigcontReannounces() throws Exception {
        for (int i = 0; i < 2; i++) {
            Process child = startDecider("stop" + i);
            try {
                assertTrue(
                        table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0,
                        "child decider announces: " + log("stop" + i));
                child.descendants().forEach(ProcessRegistry::register);
                long t0 = System.nanoTime();
                signal("STOP", child.pid());
                long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
                assertTrue(gone >= 0, "prefix gone while the decider is stopped: " + log("stop" + i));
                report("SIGSTOP decider -> gone (heartbeat 50 ms, relay timeout 300 ms), run " + (i + 1), gone);
                log("stop" + i)
                        .lines()
                        .filter(l -> l.contains("no heartbeat for"))
                        .forEach(l -> System.out.println("relay: " + l));
                t0 = System.nanoTime();
                signal("CONT", child.pid());
                long back = table.awaitNs(isPresent(true), t0, WAIT_MS);
                assertTrue(back >= 0, "re-announced after SIGCONT: " + log("stop" + i));
                report("SIGCONT decider -> back (reconcile 200 ms), run " + (i + 1), back);
            } finally {
                child.destroy(); // SIGTERM: the watchdog withdraws and exits
                assertTrue(child.waitFor(20, TimeUnit.SECONDS), "watchdog exits on SIGTERM");
            }
            assertTrue(table.awaitNs(isPresent(false), System.nanoTime(), WAIT_MS) >= 0, "withdrawn on SIGTERM");
        }
    }

    private static AnycastState awaitState(AnycastController c, AnycastState wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.status().state() != wanted && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return c.status().state();
    }

    private static Process startDecider(String name) throws IOException {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp",
                System.getProperty("java.class.path"),
                AnycastWatchdogMain.class.getName(),
                "--sip-target=127.0.0.65:25060",
                "--sip-local=127.0.0.65:0",
                "--probe-interval-ms=50",
                "--probe-timeout-ms=40",
                "--rise=2",
                "--fall=2",
                "--drain-ms=0",
                "--announcer=bird",
                "--bird-socket=" + announcer.controlSocket,
                "--bird-protocol=sipha_up",
                "--bird-drain-protocol=sipha_drain",
                "--deadman-timeout-ms=300",
                "--heartbeat-ms=50",
                "--reconcile-ms=200");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        ProcessRegistry.register(p);
        children.add(p);
        return p;
    }

    private static void signal(String sig, long pid) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid))
                .inheritIO()
                .start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -" + sig + " " + pid);
    }

    private static String log(String name) {
        try {
            Path f = dir.resolve(name + ".log");
            assertNotNull(f);
            String s = Files.readString(f);
            return "\n--- " + name + ".log ---\n" + (s.length() > 6000 ? s.substring(s.length() - 6000) : s);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
