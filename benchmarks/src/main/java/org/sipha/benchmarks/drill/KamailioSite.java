package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The anchor for a site: Kamailio's dispatcher with the load harness's logic ({@code benchmarks/load/kamailio.cfg}:
 * stateful relay, Record-Route, OPTIONS probing, failover on timeout or 503) over the site's list of
 * {@link DestinationLists} as set 1 with algorithm 13 (round-robin over the highest priority of the active
 * destinations, failover in priority order: the site's own PBXs, then the other site's), announced by the
 * standalone sip-ha watchdog (OPTIONS to Kamailio, {@code kamcmd dispatcher.list}), which runs the site's BIRD as
 * its child. Kamailio probes its PBXs once a second (its shortest interval). The drill's thread.
 */
final class KamailioSite implements SiteProxy {
    private final ChildProcesses children;
    private final Topology.Site site;
    private final DrillOptions options;
    private final Path list;
    private final Path dir;
    private final Path maintenance;
    private final Path ctl;
    private Process kamailio;
    private Process watchdog;

    KamailioSite(ChildProcesses children, Topology.Site site, DrillOptions options, Path dir) {
        this.children = children;
        this.site = site;
        this.options = options;
        this.dir = dir.resolve("kamailio-" + site.name());
        this.list = this.dir.resolve("dispatcher.list");
        this.maintenance = this.dir.resolve("maintenance");
        this.ctl = this.dir.resolve("kamailio.ctl");
    }

    @Override
    public void start() {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(maintenance);
            if (kamailio == null || !kamailio.isAlive()) {
                startKamailio();
            }
            if (watchdog == null || !watchdog.isAlive()) {
                startWatchdog();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startKamailio() throws IOException {
        Files.writeString(list, DestinationLists.set(site, 1, Set.of(), false));
        String mpath = modulesPath();
        String cfg = Files.readString(options.scenarios().resolveSibling("load").resolve("kamailio.cfg"))
                .replace(
                        "listen=udp:127.0.0.1:5060",
                        "listen=udp:0.0.0.0:" + Topology.SIP_PORT + " advertise " + Topology.ANYCAST + ":"
                                + Topology.SIP_PORT)
                .replace("DSLIST", list.toString())
                .replace("\"ALG\"", "\"13\"")
                .replace("MPATH", mpath)
                .replace("\"ds_ping_interval\", 5", "\"ds_ping_interval\", 1")
                .replace("\"ds_probing_threshold\", 3", "\"ds_probing_threshold\", 2")
                .replace(
                        "loadmodule \"dispatcher.so\"",
                        "loadmodule \"dispatcher.so\"\nloadmodule \"ctl.so\"\nmodparam(\"ctl\", \"binrpc\", \"unix:"
                                + ctl + "\")")
                // fault 9 reloads twice within the fault's hold time; Kamailio's default allows one reload in 5 s
                .replace(
                        "modparam(\"dispatcher\", \"list_file\"",
                        "modparam(\"dispatcher\", \"reload_delta\", 1)\nmodparam(\"dispatcher\", \"list_file\"");
        Path conf = dir.resolve("kamailio.cfg");
        Files.writeString(conf, cfg);
        Files.deleteIfExists(ctl);
        kamailio = children.start(
                site.ns(),
                dir.resolve("kamailio.out"),
                List.of(
                        "kamailio",
                        "-DD",
                        "-E",
                        "-x",
                        "tlsf",
                        "-X",
                        "tlsf",
                        "-m",
                        "64",
                        "-M",
                        "16",
                        "-f",
                        conf.toString(),
                        "-Y",
                        dir.toString(),
                        "-w",
                        dir.toString()));
    }

    private void startWatchdog() throws IOException {
        Path birdConf = dir.resolve("bird.conf");
        Files.writeString(birdConf, BirdConfigs.site(site, dir.resolve("bird.log")));
        List<String> cmd = new ArrayList<>(List.of(
                options.java(),
                "-Xmx128m",
                "-jar",
                options.watchdogJar().toString(),
                "--sip-target=127.0.0.1:" + Topology.SIP_PORT,
                "--sip-local=127.0.0.1:0",
                "--down-codes=503",
                "--check-command=kamcmd -s unix:" + ctl + " dispatcher.list",
                "--min-up=1",
                "--check-interval-ms=200",
                "--check-timeout-ms=200",
                "--probe-interval-ms=100",
                "--probe-timeout-ms=80",
                "--rise=2",
                "--fall=3",
                "--drain-ms=2000",
                "--maintenance-file=" + maintenance,
                "--announcer=bird",
                "--bird-config=" + birdConf,
                "--bird-socket=" + dir.resolve("bird.ctl"),
                "--deadman-timeout-ms=500",
                "--heartbeat-ms=100",
                "--damping=1000,8000,750,8000,1000"));
        watchdog = children.start(site.ns(), dir.resolve("watchdog.log"), cmd);
    }

    /** Rewrites the site's list without the PBX URIs {@code out} and has Kamailio reload it. */
    void reloadList(Set<String> out) {
        try {
            Files.writeString(list, DestinationLists.set(site, 1, out, false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String answer = Shell.run("kamcmd", "-s", "unix:" + ctl, "dispatcher.reload");
        if (answer.contains("error")) {
            throw new IllegalStateException("site " + site.name() + ": dispatcher.reload refused: " + answer);
        }
    }

    /** Debian's folder of Kamailio modules. */
    static String modulesPath() {
        return Files.isDirectory(Path.of("/usr/lib/x86_64-linux-gnu/kamailio/modules"))
                ? "/usr/lib/x86_64-linux-gnu/kamailio/modules"
                : "/usr/lib/kamailio/modules";
    }

    /** Kamailio's main process and its workers. */
    private List<ProcessHandle> kamailioProcesses() {
        List<ProcessHandle> all = new ArrayList<>(kamailio.descendants().toList());
        all.add(0, kamailio.toHandle());
        return all;
    }

    @Override
    public void kill() {
        children.kill(kamailio);
    }

    @Override
    public void hang() {
        kamailioProcesses().forEach(h -> Shell.signal(h.pid(), "STOP"));
    }

    @Override
    public void resume() {
        kamailioProcesses().forEach(h -> Shell.signal(h.pid(), "CONT"));
    }

    @Override
    public void killSpeaker() {
        watchdog.descendants()
                .filter(h -> h.info().command().orElse("").endsWith("/bird"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("site " + site.name() + ": no BIRD child of the watchdog"))
                .destroyForcibly();
    }

    /** Maintenance file: the watchdog drains and withdraws; then Kamailio is stopped (SIGTERM). */
    @Override
    public void plannedStop() {
        try {
            Files.writeString(maintenance, "drill\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Drill.sleep(3_000);
        children.stop(kamailio, 10_000);
    }

    @Override
    public String describe() {
        return "Kamailio + watchdog";
    }
}
