package org.sipha.benchmarks.drill;

import java.nio.file.Path;
import java.util.List;

/**
 * One PBX stand-in: a SIPp UAS ({@code uas_drill.xml}) on its own address of a site, answering every INVITE with
 * 180 and 200 (its Contact names its address, which tells the carrier's log which site answered) and OPTIONS
 * automatically. The drill's thread.
 */
final class Pbx {
    private final ChildProcesses children;
    private final Topology.Site site;
    private final String ip;
    private final int port;
    private final Path scenario;
    private final Path log;
    private Process process;

    Pbx(ChildProcesses children, Topology.Site site, int index, Path scenario, Path logDir) {
        this.children = children;
        this.site = site;
        this.ip = site.pbxIps().get(index);
        this.port = 5081 + index;
        this.scenario = scenario;
        this.log = logDir.resolve("pbx-" + site.name() + index + ".log");
    }

    String uri() {
        return "sip:" + ip + ":" + port;
    }

    void start() {
        process = children.start(
                site.ns(),
                log,
                List.of(
                        "sipp",
                        "-sf",
                        scenario.toString(),
                        "-i",
                        ip,
                        "-p",
                        Integer.toString(port),
                        "-mp",
                        Integer.toString(16000 + 10 * (port - 5080)),
                        "-aa",
                        "-nostdin"));
    }

    void kill() {
        children.kill(process);
    }

    void hang() {
        Shell.signal(process.pid(), "STOP");
    }

    void resume() {
        Shell.signal(process.pid(), "CONT");
    }
}
