package org.sipha.dispatcher.engine;

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
import java.util.concurrent.TimeUnit;

/**
 * A SIPp process (Debian package {@code sip-tester}) started by a test on 127.0.0.1, with its output in
 * {@code target/sipp}. Ended by its own handle in {@link #close()} and by a shutdown hook, never by name.
 */
final class Sipp implements AutoCloseable {
    private static final Path WORK = Paths.get("target", "sipp");
    private final Process process;
    private final Path log;
    private final Thread hook;

    private Sipp(List<String> cmd, String name) throws IOException {
        Files.createDirectories(WORK);
        log = WORK.resolve(name + ".log");
        process = new ProcessBuilder(cmd).directory(WORK.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        hook = new Thread(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Fails under CI=true if sipp is missing; otherwise skips the test. */
    static void requireSipp() {
        boolean present = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            present |= Files.isExecutable(Paths.get(dir, "sipp"));
        }
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("sipp is not installed: apt-get install -y sip-tester (the tests need the real SIPp)");
        }
        assumeTrue(present, "sipp (Debian package sip-tester) not installed");
    }

    /** A UAS on {@code port} running {@code scenario}, ending after {@code calls} calls. */
    static Sipp uas(String scenario, int port, int calls) throws IOException {
        return uas(scenario, port, calls, false);
    }

    /** Like {@link #uas(String, int, int)}, over TCP ({@code -t t1}) if {@code tcp}. */
    static Sipp uas(String scenario, int port, int calls, boolean tcp) throws IOException {
        List<String> cmd = base(scenario, port);
        if (tcp) {
            cmd.addAll(List.of("-t", "t1"));
        }
        cmd.addAll(List.of("-m", Integer.toString(calls)));
        return new Sipp(cmd, "uas-" + port + "-" + scenario + (tcp ? "-tcp" : ""));
    }

    /** A UAC on 15070 placing {@code calls} calls at {@code rate}/s to {@code target}. */
    static Sipp uac(String scenario, String target, int calls, int rate) throws IOException {
        return uac(scenario, target, calls, rate, false);
    }

    /** Like {@link #uac(String, String, int, int)}, over TCP ({@code -t t1}) if {@code tcp}. */
    static Sipp uac(String scenario, String target, int calls, int rate, boolean tcp) throws IOException {
        List<String> cmd = base(scenario, 15070);
        if (tcp) {
            cmd.addAll(List.of("-t", "t1"));
        }
        cmd.add(target);
        cmd.addAll(List.of("-m", Integer.toString(calls), "-r", Integer.toString(rate), "-l",
            Integer.toString(Math.max(10, rate * 4)), "-recv_timeout", "8000"));
        return new Sipp(cmd, "uac-" + scenario + (tcp ? "-tcp" : ""));
    }

    private static List<String> base(String scenario, int port) {
        int k = port == 15070 ? 0 : port == 15081 ? 1 : 2; // control and media ports kept inside 15060-15099
        List<String> cmd = new ArrayList<>(List.of("sipp", "-sf", scenarioPath(scenario), "-i", "127.0.0.1",
            "-p", Integer.toString(port), "-cp", Integer.toString(15071 + 2 * k),
            "-mp", Integer.toString(15090 + 3 * k), "-nostdin", "-timeout", "60s", "-trace_err",
            "-error_file", WORK.toAbsolutePath().resolve("err-" + port + ".log").toString()));
        return cmd;
    }

    private static String scenarioPath(String name) {
        try {
            return Paths.get(Sipp.class.getResource("/sipp/" + name).toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing scenario " + name, e);
        }
    }

    /** Waits for the exit code (bounded); -1 if it did not end in time (then it is destroyed). */
    int await(long timeoutMs) throws InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    /** The tail of SIPp's output, for assertion messages. */
    String output() {
        try {
            String s = Files.readString(log);
            return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook runs anyway
        }
    }
}
