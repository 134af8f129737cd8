package org.sipha.benchmarks.drill;

import java.nio.file.Path;
import java.util.List;

/**
 * The carrier: a SIPp UAC in the carrier namespace placing calls at a steady rate to the anycast address, each held
 * for a while so calls are in progress during every fault. Its per-call log ({@code calls.log}, see
 * {@code uac_drill.xml}) is what the drill measures. The drill's thread.
 */
final class Carrier {
    private final ChildProcesses children;
    private final Path scenario;
    private final Path dir;
    private Process process;

    Carrier(ChildProcesses children, Path scenario, Path dir) {
        this.children = children;
        this.scenario = scenario;
        this.dir = dir;
    }

    Path callLog() {
        return dir.resolve("calls.log");
    }

    void start(int callsPerSecond, int holdMs) {
        process = children.start(
                Topology.CARRIER,
                dir.resolve("carrier.log"),
                List.of(
                        "sipp",
                        "-sf",
                        scenario.toString(),
                        "-i",
                        Topology.CARRIER_IP,
                        "-p",
                        "5060",
                        "-mp",
                        "16000",
                        Topology.ANYCAST + ":" + Topology.SIP_PORT,
                        "-r",
                        Integer.toString(callsPerSecond),
                        "-d",
                        Integer.toString(holdMs),
                        "-l",
                        "5000",
                        "-recv_timeout",
                        "10000",
                        "-nostdin",
                        "-trace_logs",
                        "-log_file",
                        callLog().toString(),
                        "-trace_err",
                        "-error_file",
                        dir.resolve("carrier-errors.log").toString()));
    }

    /** Stops placing calls (SIGUSR1), lets the calls in progress end, then ends SIPp. */
    void stop(long graceMs) {
        if (process == null) {
            return;
        }
        Shell.signal(process.pid(), "USR1");
        if (!children.awaitExit(process, graceMs)) {
            children.stop(process, 5_000);
        }
    }
}
