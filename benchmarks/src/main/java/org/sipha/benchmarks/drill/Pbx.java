package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One PBX stand-in: a small Kamailio ({@code benchmarks/drill/pbx.cfg}) on its own address of a site, answering
 * INVITE (at once, or {@code answerDelayMs} later), BYE and OPTIONS where the top Via says, as a PBX does. Its Contact names its address, which tells the
 * carrier's log which site answered. Crashed and hung as a whole (main process and workers). The drill's thread.
 */
final class Pbx {
    private final ChildProcesses children;
    private final Topology.Site site;
    private final String ip;
    private final int port;
    private final Path template;
    private final Path dir;
    private final int answerDelayMs;
    private Process process;

    Pbx(ChildProcesses children, Topology.Site site, int index, Path template, Path outDir, int answerDelayMs) {
        this.children = children;
        this.site = site;
        this.ip = site.pbxIps().get(index);
        this.port = 5081 + index;
        this.template = template;
        this.dir = outDir.resolve("pbx-" + site.name() + index);
        this.answerDelayMs = answerDelayMs;
    }

    String uri() {
        return "sip:" + ip + ":" + port;
    }

    /** The URI of PBX {@code index} of {@code site}. */
    static String uri(Topology.Site site, int index) {
        return "sip:" + site.pbxIps().get(index) + ":" + (5081 + index);
    }

    void start() {
        try {
            Files.createDirectories(dir);
            Path cfg = dir.resolve("pbx.cfg");
            Files.writeString(
                    cfg,
                    Files.readString(template)
                            .replace("ADDR", ip)
                            .replace("PORT", Integer.toString(port))
                            .replace("MPATH", KamailioSite.modulesPath())
                            .replace("DELAY", Integer.toString(answerDelayMs)));
            process = children.start(
                    site.ns(),
                    dir.resolve("kamailio.out"),
                    List.of(
                            "kamailio",
                            "-DD",
                            "-E",
                            "-m",
                            "32",
                            "-M",
                            "8",
                            "-f",
                            cfg.toString(),
                            "-Y",
                            dir.toString(),
                            "-w",
                            dir.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(0, process.toHandle());
        return all;
    }

    void kill() {
        children.kill(process);
    }

    void hang() {
        processes().forEach(h -> Shell.signal(h.pid(), "STOP"));
    }

    void resume() {
        processes().forEach(h -> Shell.signal(h.pid(), "CONT"));
    }
}
