package org.sipha.anycast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.sipha.testsupport.RequiredTool;

/**
 * A real BIRD 2 started by a test in the foreground ({@code -f}), with its own config, control socket and log in
 * a temp folder. Stopped by pid through its Process handle. Test-only; public for other modules' tests (test-jar).
 * The test's thread only.
 */
public final class BirdDaemon implements AutoCloseable {
    final Path dir;
    final String name;
    final Path config;
    /** The daemon's control socket (birdc's {@code -s}). */
    public final Path controlSocket;

    private Process process;

    /** Writes {@code configText} (plus a log line) to {@code dir/name.conf}; nothing runs yet. */
    public BirdDaemon(Path dir, String name, String configText) throws IOException {
        this.dir = dir;
        this.name = name;
        this.config = dir.resolve(name + ".conf");
        this.controlSocket = dir.resolve(name + ".ctl");
        Files.writeString(config, "log \"" + dir.resolve(name + ".log") + "\" all;\n" + configText);
    }

    /** Path of the bird binary; skips the test when BIRD 2 is not installed, fails it under CI=true. */
    public static String requireBird() {
        return RequiredTool.require("bird", "bird2").toString();
    }

    /** Starts BIRD and waits (bounded, 30 s) until its control socket answers. */
    public BirdDaemon start() throws IOException, InterruptedException {
        Files.deleteIfExists(controlSocket);
        process = new ProcessBuilder(
                        requireBird(),
                        "-f",
                        "-c",
                        config.toString(),
                        "-s",
                        controlSocket.toString(),
                        "-P",
                        dir.resolve(name + ".pid").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve(name + ".out").toFile()))
                .start();
        ProcessRegistry.register(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("bird " + name + " exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve(name + ".out")));
            }
            if (Files.exists(controlSocket)) {
                try (BirdControlSocket s = BirdControlSocket.connect(controlSocket, 2_000)) {
                    return this;
                } catch (AnnouncerException e) {
                    // not accepting yet
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("bird " + name + " control socket not up within 30 s");
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM, wait up to 10 s, then SIGKILL. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
