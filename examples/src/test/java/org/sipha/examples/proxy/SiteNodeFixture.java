package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isPresent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sipha.anycast.BirdDaemon;
import org.sipha.anycast.ProcessRegistry;
import org.sipha.anycast.RouterTable;
import org.sipha.testsupport.RequiredTool;

/**
 * Real BGP for site node tests: a router BIRD (AS 65000, passive, graceful restart off) peering with an announcing
 * BIRD (AS 65001) that holds {@link #PREFIX} in the two disabled static protocols the proxy drives, plus the
 * reference proxy started with {@code --anycast} in child JVMs. Each node's output, with its dead-man relay's, goes
 * to {@code target/site-node/NAME.log}. Test-only; the test's thread.
 */
final class SiteNodeFixture implements AutoCloseable {
    static final String PREFIX = "198.51.100.10/32";
    static final long WAIT_MS = 30_000;
    static final Path LOGS = Path.of("target", "site-node");

    final BirdDaemon router;
    final BirdDaemon announcer;
    final RouterTable table;
    private final List<Process> nodes = new ArrayList<>();

    private SiteNodeFixture(BirdDaemon router, BirdDaemon announcer, RouterTable table) {
        this.router = router;
        this.announcer = announcer;
        this.table = table;
    }

    /** Starts both daemons, configured in {@code dir}: the router listens on routerIp:routerPort. */
    static SiteNodeFixture start(Path dir, String routerIp, int routerPort, String announcerIp, int announcerPort)
            throws Exception {
        BirdDaemon.requireBird();
        Files.createDirectories(LOGS);
        String tag = Integer.toString(routerPort);
        BirdDaemon router = new BirdDaemon(dir, "rtr" + tag, """
            router id %1$s;
            protocol device { scan time 10; }
            protocol bgp ann {
              local %1$s port %2$d as 65000;
              neighbor %3$s as 65001;
              multihop; strict bind yes; passive yes;
              graceful restart off;
              hold time 9; keepalive time 1;
              error wait time 1, 5;
              ipv4 { import all; export none; };
            }
            """.formatted(routerIp, routerPort, announcerIp)).start();
        BirdDaemon announcer = new BirdDaemon(
                        dir, "anc" + tag, """
            router id %1$s;
            protocol device { scan time 10; }
            protocol static sipha_up { ipv4; disabled yes; route 198.51.100.10/32 blackhole; }
            protocol static sipha_drain { ipv4 { preference 100; }; disabled yes;
              route 198.51.100.10/32 blackhole { bgp_community.add((65535,0)); bgp_path.prepend(65001); }; }
            protocol bgp rtr {
              local %1$s port %2$d as 65001;
              neighbor %3$s port %4$d as 65000;
              multihop; strict bind yes;
              graceful restart off;
              hold time 9; connect delay time 1;
              ipv4 { import none; export where proto = "sipha_up" || proto = "sipha_drain"; next hop self; };
            }
            """.formatted(announcerIp, announcerPort, routerIp, routerPort))
                .start();
        return new SiteNodeFixture(router, announcer, new RouterTable(router.controlSocket, PREFIX, "ann"));
    }

    /**
     * The reference proxy in a child JVM with {@code args} plus {@code --anycast PREFIX} and the announcing BIRD's
     * control socket, logging to {@code target/site-node/NAME.log}.
     */
    Process startNode(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp",
                System.getProperty("java.class.path"),
                ReferenceProxy.class.getName(),
                "--anycast",
                PREFIX,
                "--bird-socket",
                announcer.controlSocket.toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(LOGS.resolve(name + ".log").toFile())
                .start();
        ProcessRegistry.register(p);
        nodes.add(p);
        return p;
    }

    void awaitAnnounced(String name) {
        assertTrue(table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0, "the node announces: " + log(name));
    }

    /** SIGTERM: the node drains (nothing to drain for when already withdrawn), withdraws and exits 0. */
    void stopNode(Process node, String name) throws Exception {
        node.descendants().forEach(ProcessRegistry::register);
        node.destroy();
        assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node exits on SIGTERM: " + log(name));
        assertEquals(0, node.exitValue(), log(name));
        assertTrue(table.awaitNs(isPresent(false), System.nanoTime(), WAIT_MS) >= 0, "withdrawn on SIGTERM");
    }

    /** SIGKILLs every node still running and its relay. */
    void killNodes() {
        for (Process p : nodes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        nodes.clear();
    }

    static void signal(String sig, long pid) throws Exception {
        Process k = new ProcessBuilder(RequiredTool.require("kill", "procps").toString(), "-" + sig, Long.toString(pid))
                .inheritIO()
                .start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -" + sig + " " + pid);
    }

    static void report(String what, long ns) {
        System.out.printf("MEASURED %s: %.2f ms%n", what, ns / 1e6);
    }

    static void assertLogShows(String name, String text) throws IOException {
        assertTrue(
                Files.readString(LOGS.resolve(name + ".log")).contains(text), "log shows '" + text + "': " + log(name));
    }

    static String log(String name) {
        try {
            String s = Files.readString(LOGS.resolve(name + ".log"));
            return "\n--- " + name + ".log ---\n" + (s.length() > 8000 ? s.substring(s.length() - 8000) : s);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        killNodes();
        table.close();
        announcer.close();
        router.close();
        ProcessRegistry.killAll();
    }
}
