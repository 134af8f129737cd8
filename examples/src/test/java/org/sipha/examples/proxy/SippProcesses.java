package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * SIPp processes (Debian package {@code sip-tester}) a test starts on 127.0.0.1, with their output in
 * {@code target/sipp}; ended by their own handles in {@link #close()} (and by a shutdown hook if the JVM exits
 * first), never by name.
 */
public final class SippProcesses implements AutoCloseable {
    public static final Path WORK = Paths.get("target", "sipp");
    /** Every SIPp still running that any instance started, for the shutdown hook. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
            "sipp-cleanup"));
    }

    private final List<Process> processes = new ArrayList<>();

    /** Fails under CI=true if sipp is missing; otherwise skips. */
    public static void requireSipp() {
        boolean present = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            present |= Files.isExecutable(Paths.get(dir, "sipp"));
        }
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("sipp is not installed: apt-get install -y sip-tester (this test needs the real SIPp)");
        }
        assumeTrue(present, "sipp (Debian package sip-tester) not installed");
    }

    /** A UAS answering calls (and OPTIONS, {@code -aa}) on {@code port}. */
    public Process uas(int port, int controlPort, int mediaPort) throws IOException {
        return start("uas_answer.xml", port, controlPort, mediaPort, List.of("-aa"));
    }

    /**
     * A UAS running {@code scenario} on {@code port}; with {@code answerOptions} false, SIPp answers no OPTIONS
     * (an unexpected request for the scenario: it is dropped), so health probes to it time out.
     */
    Process uas(String scenario, int port, int controlPort, int mediaPort, boolean answerOptions) throws IOException {
        return start(scenario, port, controlPort, mediaPort, answerOptions ? List.of("-aa") : List.of());
    }

    /** Starts placing {@code calls} calls at {@code rate}/s and returns at once; the caller waits for the process. */
    Process callsInBackground(String scenario, String target, int port, int controlPort, int mediaPort, int calls,
                              int rate) throws IOException {
        return start(scenario, port, controlPort, mediaPort, List.of(target, "-m", Integer.toString(calls),
            "-r", Integer.toString(rate), "-recv_timeout", "8000"));
    }

    /** Sends {@code signal} (e.g. STOP, CONT) to a process this instance started, by its pid. */
    void signal(Process p, String signal) throws IOException, InterruptedException {
        if (!processes.contains(p)) {
            throw new IllegalArgumentException("not a process of ours");
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + p.pid() + " failed");
        }
    }

    /** Places one call with {@code scenario} to {@code target}; returns SIPp's exit code (0: the call passed). */
    public int call(String scenario, String target, int port, int controlPort, int mediaPort) throws Exception {
        return calls(scenario, target, port, controlPort, mediaPort, 1, 1);
    }

    /** Places {@code calls} calls at {@code rate}/s; returns SIPp's exit code, -1 if it did not end in 60 s. */
    public int calls(String scenario, String target, int port, int controlPort, int mediaPort, int calls, int rate)
        throws Exception {
        Process p = start(scenario, port, controlPort, mediaPort, List.of(target, "-m", Integer.toString(calls),
            "-r", Integer.toString(rate), "-recv_timeout", "8000"));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return p.exitValue();
    }

    /** SIPp uses 4 ports from {@code mediaPort} (RTP/RTCP audio and video). */
    private Process start(String scenario, int port, int controlPort, int mediaPort, List<String> extra)
        throws IOException {
        Files.createDirectories(WORK);
        List<String> cmd = new ArrayList<>(List.of("sipp", "-sf", scenario(scenario), "-i", "127.0.0.1",
            "-p", Integer.toString(port), "-cp", Integer.toString(controlPort), "-mp", Integer.toString(mediaPort),
            "-nostdin", "-timeout", "60s"));
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd).directory(WORK.toFile()).redirectErrorStream(true)
            .redirectOutput(WORK.resolve(scenario.replace(".xml", "") + "-" + port + ".log").toFile()).start();
        processes.add(p);
        LIVE.add(p);
        return p;
    }

    private static String scenario(String name) {
        try {
            return Paths.get(SippProcesses.class.getResource("/sipp/" + name).toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing scenario " + name, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            LIVE.remove(p);
        }
        processes.clear();
    }
}
