package org.sipha.anycast;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command with a deadline and bounded output. Output (stdout and stderr) goes to a temp file,
 * not a pipe, so a command that hangs or leaves a child holding its stdout cannot block the caller past the
 * deadline. Stateless; any thread.
 */
final class BoundedCommand {
    static final int MAX_OUTPUT = 64 * 1024;

    record Result(int exitCode, String output) {}

    private BoundedCommand() {}

    /** Kills the command and what it started (a script's {@code sleep} would otherwise outlive it), by pid. */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /**
     * @param who prefix for error messages, e.g. the announcer's name
     * @throws AnnouncerException if the command cannot start, does not exit in time, or the wait is interrupted
     */
    static Result run(List<String> command, long timeoutMs, String who) throws AnnouncerException {
        Path out = null;
        Process p = null;
        try {
            out = Files.createTempFile("sipha-cmd", ".out");
            p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new AnnouncerException(who + ": " + command + " did not exit within " + timeoutMs + " ms");
            }
            try (InputStream in = Files.newInputStream(out)) {
                return new Result(p.exitValue(), new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new AnnouncerException(who + ": interrupted while running " + command, e);
        } catch (IOException e) {
            if (p != null) {
                kill(p);
            }
            throw new AnnouncerException(who + ": cannot run " + command + ": " + e, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file; the OS cleans up eventually
                }
            }
        }
    }
}
