package org.sipha.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One SIPp process (Debian package {@code sip-tester}) a test starts on 127.0.0.1: a UAS or UAC scenario with the
 * given SIP, control and media ports. Its output, error trace and statistics ({@code -trace_stat}, a row a second
 * and one at the end) go to files in the work folder, {@code target/sipp} unless told otherwise. It is signalled
 * and ended only through its own pid: {@link #close()} sends SIGTERM, then SIGKILL; a shutdown hook SIGKILLs it if
 * the JVM exits first.
 *
 * <p>The thread that started it calls its methods; the shutdown hook only SIGKILLs it.
 */
public final class SippProcess implements AutoCloseable {
    /** Where output, error traces and statistics go unless {@link Builder#workDir(Path)} says otherwise. */
    public static final Path DEFAULT_WORK_DIR = Path.of("target", "sipp");
    /** What {@link #await(long)} returns when SIPp did not end in time. */
    public static final int TIMED_OUT = -1;

    private final Process process;
    private final Path log;
    private final Path statsFile;
    private final Thread hook;
    private boolean hookRemoved;
    private boolean stopped;

    private SippProcess(Process process, Path log, Path statsFile) {
        this.process = process;
        this.log = log;
        this.statsFile = statsFile;
        this.hook = new Thread(process::destroyForcibly, "sipp-" + process.pid() + "-kill");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The sipp binary; skips the test when SIPp is not installed, fails it under {@code CI=true}. */
    public static Path requireSipp() {
        return RequiredTool.require("sipp", "sip-tester");
    }

    /**
     * A UAS running {@code scenario} on 127.0.0.1:{@code port}, with no call limit until {@link Builder#calls(int)}.
     *
     * @param scenario a classpath resource: a bare name is looked up under {@code /sipp/}, a name starting with
     *                 '/' as given
     * @param mediaPort SIPp binds it and {@code mediaPort + 2}
     */
    public static Builder uas(String scenario, int port, int controlPort, int mediaPort) {
        return new Builder(scenario, null, port, controlPort, mediaPort);
    }

    /**
     * A UAC running {@code scenario} from 127.0.0.1:{@code port} to {@code target} ("host:port"): one call unless
     * {@link Builder#calls(int)} says otherwise, each given up after 8 s without the expected message.
     */
    public static Builder uac(String scenario, String target, int port, int controlPort, int mediaPort) {
        return new Builder(scenario, target, port, controlPort, mediaPort)
                .calls(1)
                .recvTimeoutMs(8_000);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeoutMs} for SIPp to end; true if it did. It keeps running otherwise. */
    public boolean waitFor(long timeoutMs) throws InterruptedException {
        boolean ended = process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        if (ended) {
            removeHook();
        }
        return ended;
    }

    /**
     * SIPp's exit code (0: every call passed, 1: at least one failed, 97/99/255: SIPp's own errors) once it ends
     * within {@code timeoutMs}; else it is SIGKILLed and this returns {@link #TIMED_OUT}.
     */
    public int await(long timeoutMs) throws InterruptedException {
        if (!waitFor(timeoutMs)) {
            sigkill();
            return TIMED_OUT;
        }
        return process.exitValue();
    }

    /** The exit code of a SIPp that has ended (128 + signal if it was killed). */
    public int exitCode() {
        if (process.isAlive()) {
            throw new IllegalStateException("SIPp " + pid() + " is still running");
        }
        return process.exitValue();
    }

    /** The latest statistics row: at most about a second old while SIPp runs, final once it ended normally. */
    public SippStats stats() {
        try {
            return SippStats.parseLastRow(Files.readAllLines(statsFile));
        } catch (IOException e) {
            throw new UncheckedIOException("no SIPp statistics in " + statsFile, e);
        }
    }

    /** The tail of SIPp's output, for assertion messages. */
    public String output() {
        try {
            String s = Files.readString(log);
            return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** The file SIPp's standard output and error go to. */
    public Path log() {
        return log;
    }

    /** SIGSTOP to this pid: SIPp freezes, as a hung peer would. */
    public void sigstop() throws IOException, InterruptedException {
        signal("STOP");
        stopped = true;
    }

    /** SIGCONT to this pid: a stopped SIPp runs on. */
    public void sigcont() throws IOException, InterruptedException {
        signal("CONT");
        stopped = false;
    }

    /** SIGKILL to this pid, then waits (up to 10 s) until it is gone. */
    public void sigkill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("SIPp " + pid() + " still alive 10 s after SIGKILL");
        }
        removeHook();
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Path kill = RequiredTool.require("kill", "procps");
        Process k = new ProcessBuilder(kill.toString(), "-" + signal, Long.toString(pid()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!k.waitFor(10, TimeUnit.SECONDS)) {
            k.destroyForcibly();
            throw new IOException("kill -" + signal + " " + pid() + " did not end in 10 s");
        }
        if (k.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + pid() + " failed with " + k.exitValue());
        }
    }

    /** Ends SIPp if it still runs: SIGTERM, then SIGKILL after 3 s (at once if it is stopped). */
    @Override
    public void close() {
        try {
            if (process.isAlive() && !stopped) {
                process.destroy();
                process.waitFor(3, TimeUnit.SECONDS);
            }
            if (process.isAlive()) {
                sigkill();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        removeHook();
    }

    private void removeHook() {
        if (hookRemoved) {
            return;
        }
        hookRemoved = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // the JVM is already shutting down: the hook runs anyway
        }
    }

    /**
     * What to start: the scenario, ports and options. May start several processes one after another (a UAS
     * restarted after SIGKILL). The test's thread only.
     */
    public static final class Builder {
        private final String scenario;
        private final String target;
        private final int port;
        private final int controlPort;
        private final int mediaPort;
        private int calls;
        private int rate;
        private int callLimit;
        private int recvTimeoutMs;
        private int globalTimeoutS = 60;
        private boolean tcp;
        private boolean answerOptions;
        private Path workDir = DEFAULT_WORK_DIR;
        private final List<String> extraArgs = new ArrayList<>();

        private Builder(String scenario, String target, int port, int controlPort, int mediaPort) {
            this.scenario = scenario;
            this.target = target;
            this.port = port;
            this.controlPort = controlPort;
            this.mediaPort = mediaPort;
        }

        /** {@code -m}: SIPp ends after this many calls (a UAS: after this many handled). */
        public Builder calls(int calls) {
            this.calls = calls;
            return this;
        }

        /** {@code -r}: calls started per second (a UAC). */
        public Builder rate(int callsPerSecond) {
            this.rate = callsPerSecond;
            return this;
        }

        /** {@code -l}: at most this many calls at once. */
        public Builder callLimit(int calls) {
            this.callLimit = calls;
            return this;
        }

        /** {@code -recv_timeout}: a call waiting longer than this for a message fails. */
        public Builder recvTimeoutMs(int timeoutMs) {
            this.recvTimeoutMs = timeoutMs;
            return this;
        }

        /** {@code -timeout}: SIPp ends itself after this long (60 s by default; 0: never). */
        public Builder globalTimeoutS(int seconds) {
            this.globalTimeoutS = seconds;
            return this;
        }

        /** {@code -t t1}: TCP, one connection. */
        public Builder tcp() {
            this.tcp = true;
            return this;
        }

        /** {@code -aa}: SIPp answers OPTIONS (and INFO, NOTIFY, UPDATE) outside the scenario with 200. */
        public Builder answerOptions() {
            this.answerOptions = true;
            return this;
        }

        /** The folder for output, error trace and statistics (created if missing), instead of target/sipp. */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** Further SIPp options, appended as given. */
        public Builder args(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /** Starts SIPp; skips the test when SIPp is not installed, fails it under {@code CI=true}. */
        public SippProcess start() throws IOException {
            Path sipp = requireSipp();
            Path dir = workDir.toAbsolutePath();
            Files.createDirectories(dir);
            String name = name();
            Path log = dir.resolve(name + ".log");
            Path stats = dir.resolve(name + "-stats.csv");
            Files.deleteIfExists(stats);
            List<String> cmd = command(sipp, scenarioFile(dir), dir.resolve(name + "-errors.log"), stats);
            Process p = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new SippProcess(p, log, stats);
        }

        /** Starts SIPp, waits for it as {@link SippProcess#await(long)} does and ends it; returns the exit code. */
        public int run(long timeoutMs) throws IOException, InterruptedException {
            try (SippProcess p = start()) {
                return p.await(timeoutMs);
            }
        }

        List<String> command(Path sipp, Path scenarioFile, Path errorFile, Path statsFile) {
            List<String> cmd = new ArrayList<>(List.of(
                    sipp.toString(),
                    "-sf",
                    scenarioFile.toString(),
                    "-i",
                    "127.0.0.1",
                    "-p",
                    Integer.toString(port),
                    "-ci",
                    "127.0.0.1",
                    "-cp",
                    Integer.toString(controlPort),
                    "-mi",
                    "127.0.0.1",
                    "-mp",
                    Integer.toString(mediaPort),
                    "-nostdin",
                    "-trace_err",
                    "-error_file",
                    errorFile.toString(),
                    "-trace_stat",
                    "-stf",
                    statsFile.toString(),
                    "-fd",
                    "1"));
            if (globalTimeoutS > 0) {
                cmd.addAll(List.of("-timeout", globalTimeoutS + "s"));
            }
            if (tcp) {
                cmd.addAll(List.of("-t", "t1"));
            }
            if (answerOptions) {
                cmd.add("-aa");
            }
            if (target != null) {
                cmd.add(target);
            }
            option(cmd, "-m", calls);
            option(cmd, "-r", rate);
            option(cmd, "-l", callLimit);
            option(cmd, "-recv_timeout", recvTimeoutMs);
            cmd.addAll(extraArgs);
            return cmd;
        }

        private static void option(List<String> cmd, String option, int value) {
            if (value > 0) {
                cmd.addAll(List.of(option, Integer.toString(value)));
            }
        }

        private String name() {
            String base = scenario.substring(scenario.lastIndexOf('/') + 1).replace(".xml", "");
            return (target == null ? "uas-" : "uac-") + port + "-" + base + (tcp ? "-tcp" : "");
        }

        /** The scenario as a file: in place when the resource is one, else copied into {@code dir}. */
        private Path scenarioFile(Path dir) throws IOException {
            String resource = scenario.startsWith("/") ? scenario.substring(1) : "sipp/" + scenario;
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            URL url = (loader != null ? loader : SippProcess.class.getClassLoader()).getResource(resource);
            if (url == null) {
                throw new IllegalArgumentException("no SIPp scenario /" + resource + " on the classpath");
            }
            if ("file".equals(url.getProtocol())) {
                try {
                    return Path.of(url.toURI());
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("bad scenario URL " + url, e);
                }
            }
            Path copy = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        }
    }
}
