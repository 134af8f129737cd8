package org.sipha.health;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real SIPp UAS (Debian package {@code sip-tester}) answering OPTIONS with 200, on 127.0.0.1 only. The test
 * keeps the {@link Process} handle and kills only that pid; a shutdown hook covers an aborted JVM.
 */
final class SippUas implements AutoCloseable {
    private final Path workDir;
    private final Path scenario;
    private final int sipPort;
    private final int controlPort;
    private final int mediaPort;
    private Process process;

    SippUas(final Path workDir, final int sipPort, final int controlPort, final int mediaPort) throws IOException {
        this.workDir = workDir;
        this.sipPort = sipPort;
        this.controlPort = controlPort;
        this.mediaPort = mediaPort;
        this.scenario = workDir.resolve("options_uas.xml");
        try (InputStream in = SippUas.class.getResourceAsStream("/options_uas.xml")) {
            Files.copy(in, scenario, StandardCopyOption.REPLACE_EXISTING);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
    }

    /** Path of the sipp binary; fails (CI=true) or skips the test when it is not installed. */
    static String requireSipp() {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            final File f = new File(dir, "sipp");
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("sipp (Debian package sip-tester) is required on CI but is not installed");
        }
        Assumptions.abort("sipp (Debian package sip-tester) not installed");
        return null;
    }

    void start() throws IOException {
        final List<String> cmd = List.of(requireSipp(), "-sf", scenario.toString(),
            "-i", "127.0.0.1", "-p", Integer.toString(sipPort),
            "-ci", "127.0.0.1", "-cp", Integer.toString(controlPort),
            "-mi", "127.0.0.1", "-mp", Integer.toString(mediaPort),
            "-nostdin");
        process = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
            .redirectOutput(workDir.resolve("sipp-" + System.nanoTime() + ".log").toFile()).start();
    }

    /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux) and wait for the exit. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Sends {@code -STOP} or {@code -CONT} to this UAS's pid only (procps {@code kill}). */
    void signal(final String signal) throws IOException, InterruptedException {
        final Process k = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
            throw new IOException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
