package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * FRR's bgpd (127.0.0.4, AS 65004, never listens, no zebra, own vty socket folder) announcing to a router BIRD on
 * 127.0.0.2:1793, driven with vtysh. SIP stand-in on 127.0.0.65:25065.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrrAnycastIntegrationTest {
    static final String PREFIX = "198.51.100.10/32";
    static final String BGPD = "/usr/lib/frr/bgpd";
    static final InetSocketAddress SIP = new InetSocketAddress("127.0.0.65", 25065);
    static final long WAIT_MS = 30_000;
    static final String ROUTER_CONF = """
            router id 127.0.0.2;
            protocol device { scan time 10; }
            protocol bgp frr {
              local 127.0.0.2 port 1793 as 65000;
              neighbor 127.0.0.4 as 65004;
              multihop; strict bind yes; passive yes;
              graceful restart off;
              hold time 9; keepalive time 1;
              error wait time 1, 5;
              ipv4 { import all; export none; };
            }
            """;
    static final String BGPD_CONF = """
            frr defaults traditional
            hostname sipha-test
            log stdout
            router bgp 65004
             bgp router-id 127.0.0.4
             no bgp ebgp-requires-policy
             no bgp network import-check
             bgp graceful-restart-disable
             neighbor 127.0.0.2 remote-as 65000
             neighbor 127.0.0.2 port 1793
             neighbor 127.0.0.2 update-source 127.0.0.4
             neighbor 127.0.0.2 ebgp-multihop 2
             neighbor 127.0.0.2 timers 1 3
             neighbor 127.0.0.2 timers connect 1
            !
            route-map sipha-drain permit 10
             set community 65535:0 additive
             set as-path prepend 65004 65004
            !
            """;

    @TempDir
    static Path dir;

    static BirdDaemon router;
    static Process bgpd;
    static RouterTable table;
    static SipOptionsResponder proxy;
    static final List<Process> children = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        BirdDaemon.requireBird();
        RequiredTool.requireExecutable(Path.of(BGPD), "frr");
        RequiredTool.require("vtysh", "frr");
        router = new BirdDaemon(dir, "rtrf", ROUTER_CONF).start();
        Files.writeString(dir.resolve("bgpd.conf"), BGPD_CONF);
        startBgpd();
        table = new RouterTable(router.controlSocket, PREFIX, "frr");
        proxy = new SipOptionsResponder(SIP);
        proxy.start();
    }

    static void startBgpd() throws Exception {
        Files.deleteIfExists(dir.resolve("bgpd.vty"));
        bgpd = new ProcessBuilder(
                        BGPD,
                        "-Z",
                        "-n",
                        "-p",
                        "0",
                        "-S",
                        "-P",
                        "0",
                        "-f",
                        dir.resolve("bgpd.conf").toString(),
                        "-i",
                        dir.resolve("bgpd.pid").toString(),
                        "--vty_socket",
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(dir.resolve("bgpd.log").toFile()))
                .start();
        ProcessRegistry.register(bgpd);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(dir.resolve("bgpd.vty")) && System.nanoTime() < deadline && bgpd.isAlive()) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(dir.resolve("bgpd.vty")), "bgpd vty socket: " + log("bgpd"));
    }

    static void stopBgpd() throws Exception {
        bgpd.destroy();
        if (!bgpd.waitFor(10, TimeUnit.SECONDS)) {
            bgpd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : children) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (bgpd != null) {
            stopBgpd();
        }
        if (table != null) {
            table.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (router != null) {
            router.close();
        }
    }

    private static FrrAnnouncer frr() {
        return new FrrAnnouncer(dir.toString(), 65004, PREFIX, "sipha-drain", 5_000);
    }

    @Test
    @Order(1)
    void vtyshAnnouncesDrainsRestoresAndWithdrawsIdempotently() throws Exception {
        FrrAnnouncer a = frr();
        long t0 = System.nanoTime();
        a.apply(RouteAnnouncement.ANNOUNCE);
        assertTrue(table.awaitNs(isPresent(true), t0, WAIT_MS) >= 0, "announced: " + log("bgpd"));
        assertEquals(RouteAnnouncement.ANNOUNCE, a.observe().orElseThrow());
        a.apply(RouteAnnouncement.DRAIN);
        assertTrue(table.awaitNs(isDrainMarked(), System.nanoTime(), WAIT_MS) >= 0, "drain community");
        assertTrue(table.route().contains("65004 65004 65004"), "prepended: " + table.route());
        assertEquals(RouteAnnouncement.DRAIN, a.observe().orElseThrow());
        a.apply(RouteAnnouncement.ANNOUNCE);
        assertTrue(
                table.awaitNs(
                                t -> {
                                    try {
                                        return t.present() && !t.drainMarked();
                                    } catch (AnnouncerException e) {
                                        throw new IllegalStateException(e);
                                    }
                                },
                                System.nanoTime(),
                                WAIT_MS)
                        >= 0,
                "route-map cleared when UP again: " + table.route());
        t0 = System.nanoTime();
        a.apply(RouteAnnouncement.WITHDRAW);
        long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
        assertTrue(gone >= 0, "withdrawn");
        System.out.printf("MEASURED frr: vtysh 'no network' -> gone at router: %.2f ms%n", gone / 1e6);
        a.apply(RouteAnnouncement.WITHDRAW); // idempotent: "% Can't find static route specified" is fine
        assertEquals(RouteAnnouncement.WITHDRAW, a.observe().orElseThrow());

        FrrAnnouncer wrongAs = new FrrAnnouncer(dir.toString(), 65999, PREFIX, null, 5_000);
        AnnouncerException e = assertThrows(AnnouncerException.class, () -> wrongAs.apply(RouteAnnouncement.ANNOUNCE));
        assertTrue(e.getMessage().contains("65999") || e.getMessage().contains("%"), e.getMessage());
        assertFalse(table.present(), "nothing announced by a rejected command");
    }

    @Test
    @Order(2)
    void reconcilesAfterBgpdRestartsAndRelayWithdrawsWhenTheDeciderIsKilled() throws Exception {
        Process child = startDecider();
        assertTrue(
                table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0,
                "child decider announces through FRR: " + log("frr-child"));
        stopBgpd();
        assertTrue(table.awaitNs(isPresent(false), System.nanoTime(), WAIT_MS) >= 0, "gone with bgpd");
        long t0 = System.nanoTime();
        startBgpd();
        long back = table.awaitNs(isPresent(true), t0, WAIT_MS);
        assertTrue(back >= 0, "reconciled after bgpd restart: " + log("frr-child"));
        System.out.printf("MEASURED frr: bgpd restarted -> prefix back (reconcile 200 ms): %.2f ms%n", back / 1e6);

        List<ProcessHandle> relays = child.descendants().toList();
        relays.forEach(ProcessRegistry::register);
        t0 = System.nanoTime();
        child.destroyForcibly();
        long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
        assertTrue(gone >= 0, "gone after SIGKILL of the decider: " + log("frr-child"));
        System.out.printf("MEASURED frr: SIGKILL decider -> gone (relay runs vtysh): %.2f ms%n", gone / 1e6);
        for (ProcessHandle r : relays) {
            r.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    private static Process startDecider() throws IOException {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                AnycastWatchdogMain.class.getName(),
                "--sip-target=127.0.0.65:25065",
                "--sip-local=127.0.0.65:0",
                "--probe-interval-ms=50",
                "--probe-timeout-ms=40",
                "--rise=2",
                "--fall=2",
                "--drain-ms=0",
                "--announcer=frr",
                "--frr-vty-socket=" + dir,
                "--frr-asn=65004",
                "--prefix=" + PREFIX,
                "--frr-drain-route-map=sipha-drain",
                "--frr-timeout-ms=2000",
                "--deadman-timeout-ms=3000",
                "--heartbeat-ms=50",
                "--reconcile-ms=200");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("frr-child.log").toFile())
                .start();
        ProcessRegistry.register(p);
        children.add(p);
        return p;
    }

    private static String log(String name) {
        try {
            String s = Files.readString(dir.resolve(name + ".log"));
            return "\n--- " + name + ".log ---\n" + (s.length() > 6000 ? s.substring(s.length() - 6000) : s);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
