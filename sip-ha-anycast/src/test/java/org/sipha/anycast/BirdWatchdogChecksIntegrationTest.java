package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isDrainMarked;
import static org.sipha.anycast.RouterTable.isPresent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.testsupport.RequiredTool;

/**
 * The standalone watchdog (a child JVM running {@link AnycastWatchdogMain}) judging a half-dead proxy, with real
 * BGP: a router BIRD (127.0.0.2:1794, AS 65000) peers with an announcing BIRD (127.0.0.5:1795, AS 65001) that
 * the watchdog drives through its control socket; the test reads the router's table.
 * <ul>
 *   <li>A stand-in proxy on 127.0.0.65:25067 that answers OPTIONS with 503: withdrawn; 200 again: back after
 *       flap damping lets it.</li>
 *   <li>A real Kamailio on 127.0.0.66:25070 (dispatcher set 1: 127.0.0.66:25071-25073, never contacted,
 *       probing off) answering OPTIONS with 200, checked with {@code kamcmd dispatcher.list --min-up=2}:
 *       destinations set inactive with {@code kamcmd dispatcher.set_state} drain, then withdraw the route.</li>
 * </ul>
 * Addresses and ports are used by no other test. Needs {@code bird} (Debian bird2) and, for the second test,
 * {@code kamailio}/{@code kamcmd} (Debian kamailio); with {@code CI=true} a missing tool fails. Run under the
 * shared lock ({@code flock /tmp/sipha-it.lock}). Measured figures are printed as "MEASURED ..." lines.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BirdWatchdogChecksIntegrationTest {
    static final String PREFIX = "198.51.100.10/32";
    static final InetSocketAddress SIP = new InetSocketAddress("127.0.0.65", 25067);
    static final String KAMAILIO_LISTEN = "udp:127.0.0.66:25070";
    static final long WAIT_MS = 30_000;

    static final String ROUTER_CONF = """
            router id 127.0.0.2;
            protocol device { scan time 10; }
            protocol bgp ann {
              local 127.0.0.2 port 1794 as 65000;
              neighbor 127.0.0.5 as 65001;
              multihop; strict bind yes; passive yes;
              graceful restart off;
              hold time 9; keepalive time 1;
              error wait time 1, 5;
              ipv4 { import all; export none; };
            }
            """;
    static final String ANNOUNCER_CONF = """
            router id 127.0.0.5;
            protocol device { scan time 10; }
            protocol static sipha_up { ipv4; disabled yes; route 198.51.100.10/32 blackhole; }
            protocol static sipha_drain { ipv4 { preference 100; }; disabled yes;
              route 198.51.100.10/32 blackhole { bgp_community.add((65535,0)); bgp_path.prepend(65001); }; }
            protocol bgp rtr {
              local 127.0.0.5 port 1795 as 65001;
              neighbor 127.0.0.2 port 1794 as 65000;
              multihop; strict bind yes;
              graceful restart off;
              hold time 9; connect delay time 1;
              ipv4 { import none; export where proto = "sipha_up" || proto = "sipha_drain"; next hop self; };
            }
            """;
    static final String DISPATCHER_LIST = """
            1 sip:127.0.0.66:25071 0 0
            1 sip:127.0.0.66:25072 0 0
            1 sip:127.0.0.66:25073 0 0
            """;
    static final String KAMAILIO_ROUTING = """
            request_route {
              if (method == "OPTIONS") { sl_send_reply("200", "OK"); exit; }
              sl_send_reply("404", "Not here");
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
        bed = BirdTestBed.start(dir, "rtrw", ROUTER_CONF, "ancw", ANNOUNCER_CONF, PREFIX, SIP);
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

    @Test
    @Order(1)
    void proxyAnswering503IsWithdrawnAndComesBackDampedWhenItAnswers200Again() throws Exception {
        // one flap suppresses (penalty 1000 >= suppress 1000) until the penalty halves to the reuse limit (2 s)
        Process child = startWatchdog("w503", "--sip-target=127.0.0.65:25067", "--damping=1000,1000,500,8000,2000");
        try {
            assertTrue(
                    table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0,
                    "announced while the proxy answers 200: " + log("w503"));

            long t0 = System.nanoTime();
            proxy.answer(503, "Service Unavailable", "Reason: SIP;cause=503;text=\"no PBX left\"");
            long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(gone >= 0, "withdrawn while the proxy answers 503: " + log("w503"));
            report("proxy answers 503 -> gone at router (fall=2, interval 50 ms)", gone);
            assertLogShows("w503", "503 Service Unavailable to OPTIONS from 127.0.0.65:25067");
            assertLogShows("w503", "Reason: SIP;cause=503;text=\"no PBX left\"");

            t0 = System.nanoTime();
            proxy.answer(200, "OK");
            long back = table.awaitNs(isPresent(true), t0, WAIT_MS);
            assertTrue(back >= 0, "re-announced once the proxy answers 200 again: " + log("w503"));
            report("proxy answers 200 again -> back at router (rise=2, damping reuse after ~2 s)", back);
            assertLogShows("w503", "flapping: damping penalty");
        } finally {
            proxy.answer(200, "OK");
            stopWatchdog(child);
        }
    }

    @Test
    @Order(2)
    void kamailioWithTooFewActiveDispatcherDestinationsDrainsThenWithdrawsAndComesBack() throws Exception {
        RequiredTool.require("kamailio", "kamailio");
        RequiredTool.require("kamcmd", "kamailio");
        Path kdir = Files.createDirectories(dir.resolve("kamailio"));
        try (KamailioDaemon kamailio =
                new KamailioDaemon(kdir, KAMAILIO_LISTEN, DISPATCHER_LIST, KAMAILIO_ROUTING).start()) {
            Process child = startWatchdog(
                    "wkam",
                    "--sip-target=127.0.0.66:25070",
                    "--check-command=" + kamailio.kamcmdLine("dispatcher.list"),
                    "--min-up=2",
                    "--check-interval-ms=200",
                    "--check-timeout-ms=200",
                    "--drain-ms=1000");
            try {
                assertTrue(
                        table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0,
                        "announced with 3 of 3 destinations active: " + log("wkam"));
                assertTrue(!table.drainMarked(), "UP, not draining: " + table.route());

                setState(kamailio, "ip", "sip:127.0.0.66:25071");
                long t0 = System.nanoTime();
                setState(kamailio, "ip", "sip:127.0.0.66:25072");
                assertTrue(
                        table.awaitNs(isDrainMarked(), t0, WAIT_MS) >= 0,
                        "drained (65535:0) with 1 of 3 active: " + log("wkam"));
                long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
                assertTrue(gone >= 0, "withdrawn after the drain: " + log("wkam"));
                report("2 of 3 dispatcher destinations inactive -> gone (check every 200 ms, fall=2, drain 1 s)", gone);
                assertLogShows("wkam", "1 of 3 dispatcher destinations active (need 2)");

                t0 = System.nanoTime();
                setState(kamailio, "ap", "sip:127.0.0.66:25072");
                long back = table.awaitNs(isPresent(true), t0, WAIT_MS);
                assertTrue(back >= 0, "re-announced with 2 of 3 active: " + log("wkam"));
                report("a destination active again -> back (rise=2)", back);
                assertTrue(!table.drainMarked(), "UP, not draining: " + table.route());
            } finally {
                stopWatchdog(child);
            }
        }
    }

    private static void setState(KamailioDaemon k, String state, String uri) throws Exception {
        String r = k.kamcmd("dispatcher.set_state", state, "1", uri);
        assertTrue(r.startsWith("0:"), "kamcmd dispatcher.set_state " + state + " 1 " + uri + ": " + r);
    }

    private static Process startWatchdog(String name, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp",
                System.getProperty("java.class.path"),
                AnycastWatchdogMain.class.getName(),
                "--sip-local=127.0.0.65:0",
                "--probe-interval-ms=50",
                "--probe-timeout-ms=40",
                "--rise=2",
                "--fall=2",
                "--announcer=bird",
                "--bird-socket=" + announcer.controlSocket,
                "--bird-protocol=sipha_up",
                "--bird-drain-protocol=sipha_drain",
                "--deadman-timeout-ms=300",
                "--heartbeat-ms=50",
                "--reconcile-ms=200"));
        cmd.addAll(List.of(extra));
        if (!String.join(" ", extra).contains("--drain-ms=")) {
            cmd.add("--drain-ms=0");
        }
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        ProcessRegistry.register(p);
        children.add(p);
        return p;
    }

    /** SIGTERM: the watchdog withdraws and exits; its relay exits after it. */
    private static void stopWatchdog(Process child) throws Exception {
        child.descendants().forEach(ProcessRegistry::register);
        child.destroy();
        assertTrue(child.waitFor(20, TimeUnit.SECONDS), "watchdog exits on SIGTERM");
        assertTrue(table.awaitNs(isPresent(false), System.nanoTime(), WAIT_MS) >= 0, "withdrawn on SIGTERM");
    }

    private static void assertLogShows(String name, String text) throws IOException {
        assertTrue(
                Files.readString(dir.resolve(name + ".log")).contains(text), "log shows '" + text + "': " + log(name));
    }

    private static void report(String what, long ns) {
        System.out.printf("MEASURED %s: %.2f ms%n", what, ns / 1e6);
    }

    private static String log(String name) {
        try {
            String s = Files.readString(dir.resolve(name + ".log"));
            return "\n--- " + name + ".log ---\n" + (s.length() > 8000 ? s.substring(s.length() - 8000) : s);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
