package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isDrainMarked;
import static org.sipha.anycast.RouterTable.isPresent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.testsupport.RequiredTool;

/**
 * ExaBGP 4.2 (127.0.0.3, AS 65002, dials only) announcing to a router BIRD on 127.0.0.2:1792, fed through a FIFO
 * and the relay helper from {@link ExaBgpAnnouncer}'s javadoc. SIP stand-in on 127.0.0.65:25064.
 */
class ExaBgpAnycastIntegrationTest {
    static final String PREFIX = "198.51.100.10/32";
    static final InetSocketAddress SIP = new InetSocketAddress("127.0.0.65", 25064);
    static final long WAIT_MS = 30_000;
    static final String ROUTER_CONF = """
            router id 127.0.0.2;
            protocol device { scan time 10; }
            protocol bgp exa {
              local 127.0.0.2 port 1792 as 65000;
              neighbor 127.0.0.3 as 65002;
              multihop; strict bind yes; passive yes;
              graceful restart off;
              hold time 9; keepalive time 1;
              error wait time 1, 5;
              ipv4 { import all; export none; };
            }
            """;

    @TempDir
    static Path dir;

    static BirdDaemon router;
    static Process exabgp;
    static Path fifo;
    static RouterTable table;
    static SipOptionsResponder proxy;
    static final List<Process> children = new ArrayList<>();

    /** Path of the exabgp binary; skips the test when ExaBGP is not installed, fails it under CI=true. */
    static String requireExabgp() {
        return RequiredTool.require("exabgp", "exabgp").toString();
    }

    @BeforeAll
    static void start() throws Exception {
        BirdDaemon.requireBird();
        String exabgpBinary = requireExabgp();
        router = new BirdDaemon(dir, "rtrx", ROUTER_CONF).start();
        fifo = dir.resolve("ctl.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo");
        Path relay = dir.resolve("relay.sh");
        Files.writeString(
                relay,
                "#!/bin/bash\nexec 3< \"$1\"\n"
                        + "while IFS= read -r line <&3; do printf '%s\\n' \"$line\"; done\nprintf 'shutdown\\n'\nsleep 5\n");
        Files.setPosixFilePermissions(relay, PosixFilePermissions.fromString("rwx------"));
        Path conf = dir.resolve("exa.conf");
        Files.writeString(
                conf,
                "process ctl {\n  run " + relay + " " + fifo + ";\n  encoder text;\n}\n"
                        + "neighbor 127.0.0.2 {\n  router-id 127.0.0.3;\n  local-address 127.0.0.3;\n  local-as 65002;\n"
                        + "  peer-as 65000;\n  connect 1792;\n  hold-time 9;\n  family { ipv4 unicast; }\n"
                        + "  api { processes [ ctl ]; }\n}\n");
        ProcessBuilder pb = new ProcessBuilder(exabgpBinary, conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("exa.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("exabgp_api_cli", "false");
        pb.environment().put("exabgp_api_ack", "false");
        pb.environment().put("exabgp_api_respawn", "false");
        pb.environment().put("exabgp_daemon_user", System.getProperty("user.name"));
        pb.environment().put("exabgp_daemon_drop", "false");
        pb.environment().put("exabgp_log_destination", "stdout");
        exabgp = pb.start();
        ProcessRegistry.register(exabgp);
        table = new RouterTable(router.controlSocket, PREFIX, "exa");
        proxy = new SipOptionsResponder(SIP);
        proxy.start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : children) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (exabgp != null) {
            List<ProcessHandle> helpers = exabgp.descendants().toList(); // own process group: kill by pid
            exabgp.destroyForcibly();
            helpers.forEach(ProcessHandle::destroyForcibly);
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

    @Test
    void announcesDrainsWithdrawsAndTheRelayWithdrawsWhenTheDeciderIsKilled() throws Exception {
        // the test's own writer keeps the FIFO open throughout, so ExaBGP stays up between the steps
        try (ExaBgpAnnouncer a = new ExaBgpAnnouncer(fifo, PREFIX, "community [65535:0] as-path [65002 65002]")) {
            long t0 = System.nanoTime();
            a.apply(RouteAnnouncement.ANNOUNCE);
            assertTrue(table.awaitNs(isPresent(true), t0, WAIT_MS) >= 0, "ExaBGP announced: " + log("exa"));
            a.apply(RouteAnnouncement.DRAIN);
            assertTrue(table.awaitNs(isDrainMarked(), System.nanoTime(), WAIT_MS) >= 0, "drain community");
            assertTrue(table.route().contains("65002 65002"), "prepended: " + table.route());
            t0 = System.nanoTime();
            a.apply(RouteAnnouncement.WITHDRAW);
            long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(gone >= 0, "withdrawn");
            System.out.printf("MEASURED exabgp withdraw line -> gone at router: %.2f ms%n", gone / 1e6);

            Process child = startDecider();
            assertTrue(
                    table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0,
                    "child decider announces through ExaBGP: " + log("exa-child"));
            List<ProcessHandle> relays = child.descendants().toList();
            relays.forEach(ProcessRegistry::register);
            t0 = System.nanoTime();
            child.destroyForcibly();
            gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(gone >= 0, "gone after SIGKILL of the decider: " + log("exa-child"));
            System.out.printf("MEASURED exabgp: SIGKILL decider -> gone: %.2f ms%n", gone / 1e6);
            for (ProcessHandle r : relays) {
                r.onExit().get(10, TimeUnit.SECONDS);
            }
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
                "--sip-target=127.0.0.65:25064",
                "--sip-local=127.0.0.65:0",
                "--probe-interval-ms=50",
                "--probe-timeout-ms=40",
                "--rise=2",
                "--fall=2",
                "--drain-ms=0",
                "--announcer=exabgp",
                "--exabgp-fifo=" + fifo,
                "--prefix=" + PREFIX,
                "--deadman-timeout-ms=300",
                "--heartbeat-ms=50",
                "--reconcile-ms=1000");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("exa-child.log").toFile())
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
