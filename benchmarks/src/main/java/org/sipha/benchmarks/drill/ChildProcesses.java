package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Every process the drill starts, each inside a namespace through {@code ip netns exec} (which execs in place, so
 * the child's pid is the program's own). Ends them by pid only, with their descendants (the proxy's relay and
 * BIRD), at {@link #close()} or from a shutdown hook when the JVM exits first. The drill's thread starts and stops;
 * the hook may run on any thread.
 */
final class ChildProcesses implements AutoCloseable {
    private final List<Process> running = new CopyOnWriteArrayList<>();
    private final Thread hook = new Thread(this::killAll, "drill-kill-children");
    /** Set first by {@link #killAll()}: the drill's thread may still be starting processes meanwhile. */
    private volatile boolean closed;

    ChildProcesses() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts {@code cmd} in namespace {@code ns}, output and errors appended to {@code log}. */
    Process start(String ns, Path log, List<String> cmd) {
        if (closed) {
            throw new IllegalStateException("the drill is being stopped");
        }
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(cmd);
        try {
            Process p = new ProcessBuilder(full)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            p.getOutputStream().close();
            running.add(p);
            if (closed) { // killAll may have taken its snapshot before the add: this one is ours to end
                kill(p);
                throw new IllegalStateException("the drill is being stopped");
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + full, e);
        }
    }

    /**
     * SIGKILL to the descendants, then (50 ms later, so that the process can still reap them instead of leaving
     * them to PID 1) to the process, then waits (at most 10 s) for it.
     */
    void kill(Process p) {
        List<ProcessHandle> kids = p.descendants().toList();
        kids.forEach(ProcessHandle::destroyForcibly);
        if (!kids.isEmpty()) {
            Drill.sleep(50);
        }
        p.destroyForcibly();
        awaitExit(p, 10_000);
    }

    /** SIGTERM, then SIGKILL (with descendants) if it has not exited within {@code graceMs}. */
    void stop(Process p, long graceMs) {
        List<ProcessHandle> kids = p.descendants().toList();
        p.destroy();
        if (!awaitExit(p, graceMs)) {
            p.destroyForcibly();
            awaitExit(p, 10_000);
        }
        kids.forEach(ProcessHandle::destroyForcibly);
    }

    boolean awaitExit(Process p, long timeoutMs) {
        try {
            boolean ended = p.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
            if (ended) {
                running.remove(p);
            }
            return ended;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void killAll() {
        closed = true;
        for (Process p : running) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        Drill.sleep(50);
        for (Process p : running) {
            p.destroyForcibly();
        }
        for (Process p : running) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        running.clear();
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }
}
