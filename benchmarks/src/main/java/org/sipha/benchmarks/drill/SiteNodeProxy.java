package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The site's proxy under test: the reference proxy jar as a site node ({@code --anycast}, its own BIRD through
 * {@code --bird-config}), routing the site's set of {@link DestinationLists} (its own PBXs first, the other site's
 * next) with {@code priority-groups}. With a Galera cluster it follows the site's quorum, takes the lists from the
 * cluster's configuration version ({@code --config-from-galera}) and keeps routing without quorum
 * ({@code --quorum-loss ignore}: accounting spools locally; the node still drains and withdraws). Its 100 Trying
 * waits for the PBX ({@code --trying-on-answer}), so an INVITE lost with a killed proxy is retransmitted to site B.
 * The drill's thread.
 */
final class SiteNodeProxy implements SiteProxy {
    private final ChildProcesses children;
    private final Topology.Site site;
    private final DrillOptions options;
    private final Path dir;
    private final Path log;
    private Process process;

    SiteNodeProxy(ChildProcesses children, Topology.Site site, DrillOptions options, Path dir) {
        this.children = children;
        this.site = site;
        this.options = options;
        this.dir = dir;
        this.log = dir.resolve("proxy-" + site.name() + ".log");
    }

    @Override
    public void start() {
        try {
            Path birdConf = dir.resolve("bird-" + site.name() + ".conf");
            Files.writeString(birdConf, BirdConfigs.site(site, dir.resolve("bird-" + site.name() + ".log")));
            Path secret = secret(dir);
            List<String> cmd = new ArrayList<>(List.of(
                    options.java(),
                    "-Xmx256m",
                    "-XX:+ExitOnOutOfMemoryError",
                    "-jar",
                    options.jar().toString(),
                    "--listen",
                    "udp:0.0.0.0:" + Topology.SIP_PORT,
                    "--listen",
                    DestinationLists.ANYCAST_SOCKET,
                    "--process-address",
                    Topology.ANYCAST + "/32",
                    "--advertise",
                    Topology.ANYCAST + ":" + Topology.SIP_PORT,
                    "--record-route-secret-file",
                    secret.toString(),
                    "--anycast",
                    Topology.ANYCAST + "/32",
                    "--bird-config",
                    birdConf.toString(),
                    "--bird-socket",
                    dir.resolve("bird-" + site.name() + ".ctl").toString(),
                    "--min-backends",
                    "1",
                    "--drain-ms",
                    "2000",
                    "--drain-timeout-ms",
                    "4000",
                    "--probe-interval-ms",
                    "100",
                    "--probe-timeout-ms",
                    "80",
                    "--failover-timeout-ms",
                    "800",
                    "--damping",
                    "1000,8000,750,8000,1000",
                    "--warmup-calls",
                    "2000"));
            if (!options.tryingAtOnce()) {
                cmd.add("--trying-on-answer");
            }
            cmd.addAll(destinations());
            cmd.addAll(options.galeraArgs(site));
            if (options.accounting()) {
                cmd.addAll(List.of(
                        "--accounting",
                        "--accounting-spool",
                        dir.resolve("accounting-" + site.name() + ".spool").toString()));
            }
            Files.writeString(
                    log,
                    "--- start " + System.currentTimeMillis() + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            process = children.start(site.ns(), log, cmd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The site's set of the priority lists ({@link DestinationLists}): from the configuration version in the Galera
     * cluster when there is one, else from a dispatcher.list holding both sites' sets.
     */
    private List<String> destinations() throws IOException {
        List<String> args = new ArrayList<>(
                List.of("--algorithm", "priority-groups", "--route-set", Integer.toString(site.routeSet())));
        if (options.galeraNodesPerSite() > 0) {
            args.addAll(List.of(
                    "--config-from-galera",
                    dir.resolve("config-" + site.name() + ".version").toString(),
                    "--quorum-loss",
                    "ignore"));
        } else {
            Path list = dir.resolve("dispatcher.list");
            Files.writeString(list, DestinationLists.shared(java.util.Set.of()));
            args.addAll(List.of("--dispatcher-list", list.toString()));
        }
        return args;
    }

    /** The Record-Route secret both sites share, written to {@code dir} on first use. */
    static Path secret(Path dir) throws IOException {
        Path secret = dir.resolve("rr.secret");
        if (!Files.exists(secret)) {
            Files.writeString(secret, "the drill's record-route secret, shared by both sites");
            Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return secret;
    }

    @Override
    public void kill() {
        // SIGKILL to the JVM alone: its relay and BIRD notice it die (the relay's pipe, BIRD's parent-death signal)
        process.destroyForcibly();
        children.awaitExit(process, 10_000);
    }

    @Override
    public void hang() {
        Shell.signal(process.pid(), "STOP");
    }

    @Override
    public void resume() {
        Shell.signal(process.pid(), "CONT");
    }

    @Override
    public void killSpeaker() {
        Optional<ProcessHandle> bird = process.descendants()
                .filter(h -> h.info().command().orElse("").endsWith("/bird"))
                .findFirst();
        bird.orElseThrow(() -> new IllegalStateException("site " + site.name() + ": no BIRD child of the proxy"))
                .destroyForcibly();
    }

    @Override
    public void plannedStop() {
        children.stop(process, 20_000);
    }

    @Override
    public String describe() {
        return "sip-ha site node";
    }
}
