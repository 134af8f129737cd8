package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The router namespace's BIRD and what it says: which site its kernel table sends the anycast address to, and
 * which sites announce it. The drill's thread.
 */
final class Router {
    private final Path socket;
    private final ChildProcesses children;
    private final Path dir;

    Router(ChildProcesses children, Path dir) {
        this.children = children;
        this.dir = dir;
        this.socket = dir.resolve("router.ctl");
    }

    void start() {
        try {
            Path conf = dir.resolve("router.conf");
            Files.writeString(conf, BirdConfigs.router(dir.resolve("router-bird.log")));
            children.start(
                    Topology.ROUTER,
                    dir.resolve("router.out"),
                    List.of(
                            "bird",
                            "-f",
                            "-c",
                            conf.toString(),
                            "-s",
                            socket.toString(),
                            "-P",
                            dir.resolve("router.pid").toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "A", "B", or "" when the router's kernel table has no route to the anycast address. */
    String preferredSite() {
        String out = Shell.tryRun("ip", "-n", Topology.ROUTER, "route", "show", Topology.ANYCAST)
                .output();
        if (out.contains("via " + Topology.A.uplinkIp())) {
            return "A";
        }
        if (out.contains("via " + Topology.B.uplinkIp())) {
            return "B";
        }
        return "";
    }

    /** Whether the router holds a route to the anycast address from {@code site} ("site_a" or "site_b"). */
    boolean hasRouteFrom(String protocol) {
        return Shell.tryRun(
                        "birdc",
                        "-s",
                        socket.toString(),
                        "show",
                        "route",
                        Topology.ANYCAST + "/32",
                        "protocol",
                        protocol)
                .output()
                .contains("[" + protocol + " ");
    }

    /** Polls every 50 ms until the kernel route points at {@code site}; false after {@code timeoutMs}. */
    boolean awaitPreferred(String site, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (preferredSite().equals(site)) {
                return true;
            }
            Drill.sleep(50);
        }
        return false;
    }

    /** Polls until both sites announce and A is preferred; false after {@code timeoutMs}. */
    boolean awaitBothAnnounced(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (hasRouteFrom("site_a")
                    && hasRouteFrom("site_b")
                    && preferredSite().equals("A")) {
                return true;
            }
            Drill.sleep(200);
        }
        return false;
    }
}
