package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isPresent;
import static org.sipha.examples.proxy.SiteNodeFixture.LOGS;
import static org.sipha.examples.proxy.SiteNodeFixture.PREFIX;
import static org.sipha.examples.proxy.SiteNodeFixture.WAIT_MS;
import static org.sipha.examples.proxy.SiteNodeFixture.log;
import static org.sipha.examples.proxy.SiteNodeFixture.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.anycast.BirdDaemon;
import org.sipha.anycast.ProcessRegistry;
import org.sipha.anycast.RouterTable;
import org.sipha.testsupport.RequiredTool;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * The route never outlives the node: with {@code --bird-config} the node runs its announcing BIRD as its own child
 * ({@code setpriv --pdeathsig KILL}), so killing the proxy JVM and its dead-man relay together (what systemd's
 * default {@code KillMode=control-group} does), or the whole group with BIRD, takes BIRD's BGP session down and the
 * router withdraws the prefix at once. Router BIRD 127.0.0.10:1800 (AS 65000, graceful restart off); the node's
 * BIRD 127.0.0.11:1801 (AS 65001); the proxy on 127.0.0.1:15480 with SIPp backends on 15481-15482 (control
 * 15483-15484, media 15486-15492). With ExaBGP as the announcer (dialing from 127.0.0.11) the same kill withdraws
 * through ExaBGP's FIFO helper, which shuts ExaBGP down once the FIFO has no writer left. Needs {@code bird},
 * {@code exabgp}, {@code setpriv}, {@code kill} and {@code sipp}; run under the shared lock. Times are printed as
 * "MEASURED" lines, never asserted.
 */
class SiteNodeFateIntegrationTest {
    private static final String ROUTER_IP = "127.0.0.10";
    private static final String NODE_IP = "127.0.0.11";

    @TempDir
    static Path dir;

    private static BirdDaemon router;
    private static RouterTable table;
    private static Path nodeBirdConfig;
    private final SippProcesses sipp = new SippProcesses();
    private final List<Process> nodes = new ArrayList<>();

    @BeforeAll
    static void startRouter() throws Exception {
        BirdDaemon.requireBird();
        SippProcess.requireSipp();
        RequiredTool.require("setpriv", "util-linux");
        Files.createDirectories(LOGS);
        router = new BirdDaemon(dir, "rtr1800", """
            router id %1$s;
            protocol device { scan time 10; }
            protocol bgp ann {
              local %1$s port 1800 as 65000;
              neighbor %2$s as 65001;
              multihop; strict bind yes; passive yes;
              graceful restart off;
              hold time 9; keepalive time 1;
              error wait time 1, 5;
              ipv4 { import all; export none; };
            }
            """.formatted(ROUTER_IP, NODE_IP)).start();
        table = new RouterTable(router.controlSocket, PREFIX, "ann");
        nodeBirdConfig = dir.resolve("node1801.conf");
        Files.writeString(nodeBirdConfig, """
            log "%3$s" all;
            router id %1$s;
            protocol device { scan time 10; }
            protocol static sipha_up { ipv4; disabled yes; route 198.51.100.10/32 blackhole; }
            protocol static sipha_drain { ipv4 { preference 100; }; disabled yes;
              route 198.51.100.10/32 blackhole { bgp_community.add((65535,0)); bgp_path.prepend(65001); }; }
            protocol bgp rtr {
              local %1$s port 1801 as 65001;
              neighbor %2$s port 1800 as 65000;
              multihop; strict bind yes;
              graceful restart off;
              hold time 9; connect delay time 1;
              ipv4 { import none; export where proto = "sipha_up" || proto = "sipha_drain"; next hop self; };
            }
            """.formatted(NODE_IP, ROUTER_IP, dir.resolve("node1801.log")));
    }

    @AfterAll
    static void stopRouter() throws Exception {
        if (table != null) {
            table.close();
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
    void killingTheJvmAndItsRelayTogetherWithdrawsThroughTheNodesOwnBird() throws Exception {
        startBackends();
        for (int run = 1; run <= 3; run++) {
            String name = "fate-jvm-relay-" + run;
            Process node = startNode(name);
            ProcessHandle bird = child(node, "bird", name);
            ProcessHandle relay = child(node, "java", name);
            long t0 = System.nanoTime();
            kill(relay.pid(), node.pid()); // the speaker is spared: its parent's death must take it along
            long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(gone >= 0, "withdrawn after SIGKILL of the JVM and its relay: " + log(name));
            report("SIGKILL of the proxy JVM and its relay together -> gone at router (own BIRD), run " + run, gone);
            assertTrue(bird.onExit().get(10, TimeUnit.SECONDS) != null, "the node's BIRD died with it");
        }
    }

    @Test
    void killingTheWholeGroupWithdrawsAtOnce() throws Exception {
        startBackends();
        for (int run = 1; run <= 3; run++) {
            String name = "fate-group-" + run;
            Process node = startNode(name);
            ProcessHandle bird = child(node, "bird", name);
            ProcessHandle relay = child(node, "java", name);
            long t0 = System.nanoTime();
            kill(bird.pid(), relay.pid(), node.pid());
            long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
            assertTrue(gone >= 0, "withdrawn after SIGKILL of the whole group: " + log(name));
            report("SIGKILL of the JVM, its relay and its BIRD together -> gone at router, run " + run, gone);
        }
    }

    /**
     * ExaBGP (started by the test, dialing the router from 127.0.0.11) as the node's announcer: the node and its
     * relay are the only writers of the FIFO its API helper reads, so when both are killed the helper reads EOF and
     * tells ExaBGP to shut down, which closes the session.
     */
    @Test
    void withExaBgpKillingTheJvmAndItsRelayTogetherWithdrawsOnceTheFifoHasNoWriter() throws Exception {
        String exabgp = RequiredTool.require("exabgp", "exabgp").toString();
        startBackends();
        Path fifo = dir.resolve("exa.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "mkfifo");
        Path helper = dir.resolve("exa-relay.sh");
        Files.writeString(
                helper,
                "#!/bin/bash\nexec 3< \"$1\"\n"
                        + "while IFS= read -r line <&3; do printf '%s\\n' \"$line\"; done\nprintf 'shutdown\\n'\nsleep 5\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        Path conf = dir.resolve("exa.conf");
        Files.writeString(conf, """
            process ctl {
              run %1$s %2$s;
              encoder text;
            }
            neighbor %3$s {
              router-id %4$s;
              local-address %4$s;
              local-as 65001;
              peer-as 65000;
              connect 1800;
              hold-time 9;
              family { ipv4 unicast; }
              api { processes [ ctl ]; }
            }
            """.formatted(helper, fifo, ROUTER_IP, NODE_IP));
        for (int run = 1; run <= 3; run++) {
            String name = "fate-exabgp-" + run;
            ProcessBuilder pb = new ProcessBuilder(exabgp, conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(LOGS.resolve(name + "-exabgp.log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("exabgp_api_cli", "false");
            pb.environment().put("exabgp_api_ack", "false");
            pb.environment().put("exabgp_api_respawn", "false");
            pb.environment().put("exabgp_daemon_user", System.getProperty("user.name"));
            pb.environment().put("exabgp_daemon_drop", "false");
            pb.environment().put("exabgp_log_destination", "stdout");
            Process exa = pb.start();
            ProcessRegistry.register(exa);
            try {
                Process node = startNode(name, "--announcer", "exabgp", "--exabgp-fifo", fifo.toString());
                ProcessHandle relay = child(node, "java", name);
                long t0 = System.nanoTime();
                kill(relay.pid(), node.pid());
                long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
                assertTrue(gone >= 0, "withdrawn after SIGKILL of the JVM and its relay: " + log(name));
                report("ExaBGP: SIGKILL of the proxy JVM and its relay together -> gone at router, run " + run, gone);
                assertTrue(exa.waitFor(10, TimeUnit.SECONDS), "ExaBGP shut down when the FIFO lost its writers");
            } finally {
                exa.descendants().forEach(ProcessHandle::destroyForcibly); // its helper runs in its own group
                exa.destroyForcibly();
            }
        }
    }

    private void startBackends() throws Exception {
        for (int n = 1; n <= 2; n++) {
            sipp.start(SippProcess.uas("uas_answer.xml", 15480 + n, 15482 + n, 15482 + 4 * n)
                    .answerOptions()
                    .globalTimeoutS(0));
        }
    }

    /** The node in a child JVM, running its own BIRD; returns once the router has the prefix. */
    private Process startNode(String name) throws Exception {
        return startNode(
                name,
                "--bird-config",
                nodeBirdConfig.toString(),
                "--bird-socket",
                dir.resolve("node1801.ctl").toString());
    }

    /** The node in a child JVM announcing through {@code announcer}; returns once the router has the prefix. */
    private Process startNode(String name, String... announcer) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ReferenceProxy.class.getName(),
                "--listen",
                "udp:127.0.0.1:15480",
                "--backend",
                "sip:127.0.0.1:15481",
                "--backend",
                "sip:127.0.0.1:15482",
                "--record-route-secret",
                "site node fate test secret, 32 bytes or more",
                "--warmup-calls",
                "0",
                "--probe-interval-ms",
                "100",
                "--probe-timeout-ms",
                "80",
                "--anycast",
                PREFIX));
        cmd.addAll(List.of(announcer));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(LOGS.resolve(name + ".log").toFile())
                .start();
        ProcessRegistry.register(p);
        nodes.add(p);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!table.present() && p.isAlive() && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        assertTrue(table.present(), "the node announces: " + log(name));
        p.descendants().forEach(ProcessRegistry::register);
        return p;
    }

    /** The node's child process whose command ends with {@code program}. */
    private static ProcessHandle child(Process node, String program, String name) {
        List<ProcessHandle> found = node.children()
                .filter(c -> c.info().command().orElse("").endsWith("/" + program))
                .toList();
        assertFalse(found.isEmpty(), "the node runs " + program + ": " + log(name));
        return found.get(0);
    }

    /**
     * One {@code kill -KILL} for all {@code pids}, so they die within microseconds of each other; children are
     * named before their parent. kill's exit status is not the verdict (a child the node's death already took
     * along may be reaped before its turn comes); every pid being gone within 10 s is.
     */
    private static void kill(long... pids) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of(RequiredTool.require("kill", "procps").toString(), "-KILL"));
        for (long pid : pids) {
            cmd.add(Long.toString(pid));
        }
        Process k = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS), "kill " + cmd);
        for (long pid : pids) {
            ProcessHandle h = ProcessHandle.of(pid).orElse(null);
            if (h != null) {
                h.onExit().get(10, TimeUnit.SECONDS);
            }
        }
    }
}
