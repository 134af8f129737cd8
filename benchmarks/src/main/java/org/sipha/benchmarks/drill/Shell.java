package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands (iproute2, kill, birdc) to completion with a bounded wait. Stateless; any thread. */
final class Shell {
    private static final long TIMEOUT_S = 20;

    private Shell() {}

    /** Runs {@code cmd}; throws unless it exits 0 within 20 s. Returns its output. */
    static String run(String... cmd) {
        Result r = tryRun(cmd);
        if (r.exitCode != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.exitCode + ": " + r.output);
        }
        return r.output;
    }

    /** Runs {@code cmd} and returns its exit code (-1 if it did not end within 20 s) and output. */
    static Result tryRun(String... cmd) {
        try {
            Process p =
                    new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, new String(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    /** Sends {@code signal} (e.g. "KILL", "STOP") to one pid. */
    static void signal(long pid, String signal) {
        tryRun("kill", "-" + signal, Long.toString(pid));
    }

    record Result(int exitCode, String output) {}
}
