package org.sipha.anycast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The announcing BGP speaker run as this JVM's child, so that the announcement shares the node's fate: BIRD in the
 * foreground under {@code setpriv --pdeathsig KILL}. However the node dies, the speaker dies with it and the kernel
 * closes its BGP sessions, so its peers withdraw the prefix at once (with graceful restart off on their side):
 * <ul>
 *   <li>the JVM alone is killed: the kernel sends the speaker SIGKILL (its parent died);</li>
 *   <li>the whole group is killed (systemd {@code KillMode=control-group}, {@code systemctl kill}, an OOM kill of
 *       the unit with {@code memory.oom.group}): the speaker is one of the processes killed;</li>
 *   <li>the JVM hangs: the speaker lives on, so the dead-man relay withdraws through its control socket.</li>
 * </ul>
 * A speaker shared with other services (the host's BIRD) outlives the node and its relay when both are killed
 * together; this one cannot. A speaker that dies on its own while the node lives is started again (bounded by a
 * {@link RestartBudget}), as a service manager would.
 *
 * <p>The parent-death signal fires when the thread that started the process ends, so a dedicated thread starts it
 * and waits for it for as long as it runs. Threading: {@link #start} and {@link #close} by the owner; {@link #pid}
 * and {@link #isAlive} any thread.
 */
public final class ChildBgpSpeaker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildBgpSpeaker.class);
    private static final long STOP_WAIT_MS = 5_000;
    private static final long POLL_MS = 20;

    private final List<String> command;
    private final Path controlSocket;
    private final RestartBudget restarts;
    /** Guards the hand-over of {@link #process} between a restart and {@link #close}. */
    private final Object lifecycle = new Object();

    private volatile Process process;
    /** Set by {@link #close}: an exit after it is the one we asked for. */
    private volatile boolean closing;

    private ChildBgpSpeaker(List<String> command, Path controlSocket, RestartBudget restarts) {
        this.command = List.copyOf(command);
        this.controlSocket = controlSocket;
        this.restarts = restarts;
    }

    /**
     * BIRD ({@code birdBinary}) with configuration {@code config} and control socket {@code controlSocket}; restarted
     * when it exits on its own, at most 5 times in 60 s.
     */
    public static ChildBgpSpeaker bird(String birdBinary, Path config, Path controlSocket) {
        return bird(birdBinary, config, controlSocket, new RestartBudget(5, 60_000));
    }

    static ChildBgpSpeaker bird(String birdBinary, Path config, Path controlSocket, RestartBudget restarts) {
        return new ChildBgpSpeaker(
                List.of(birdBinary, "-f", "-c", config.toString(), "-s", controlSocket.toString()),
                controlSocket,
                restarts);
    }

    /** The command run under {@code setpriv}. */
    public List<String> command() {
        return command;
    }

    /**
     * Starts the speaker and returns once its control socket answers.
     *
     * @throws AnnouncerException if {@code setpriv} is missing, another daemon already answers on the control
     *     socket, the speaker exits, or it does not answer within {@code timeoutMs}
     */
    public void start(long timeoutMs) throws AnnouncerException {
        if (answers(controlSocket)) {
            throw new AnnouncerException("a daemon already answers on " + controlSocket
                    + ": the node runs its own BGP speaker and needs a control socket of its own");
        }
        Path setpriv = Path.of("/usr/bin/setpriv");
        if (!Files.isExecutable(setpriv)) {
            throw new AnnouncerException("setpriv (util-linux) is needed to tie the BGP speaker to this JVM");
        }
        List<String> cmd = new ArrayList<>(List.of(setpriv.toString(), "--pdeathsig", "KILL", "--"));
        cmd.addAll(command);
        CompletableFuture<Process> started = new CompletableFuture<>();
        closing = false;
        Thread owner = new Thread(() -> run(cmd, started), "sipha-bgp-speaker");
        owner.setDaemon(true);
        owner.start();
        Process p;
        try {
            p = started.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AnnouncerException("cannot start " + command + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AnnouncerException("interrupted while starting " + command, e);
        }
        process = p;
        awaitControlSocket(p, timeoutMs);
        LOG.info("BGP speaker pid {} runs as this node's child (dies with it): {}", p.pid(), command);
    }

    /**
     * On the owner thread: starts the process and waits for it, so the parent-death signal stays armed. A speaker
     * that exits on its own is started again within the restart budget; it starts with the prefix withdrawn and
     * the controller's reconciliation re-applies the current decision.
     */
    private void run(List<String> cmd, CompletableFuture<Process> started) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).inheritIO().start();
        } catch (IOException e) {
            started.completeExceptionally(e);
            return;
        }
        started.complete(p);
        try {
            while (true) {
                int rc = p.waitFor();
                if (closing) {
                    LOG.info("BGP speaker pid {} exited with {}", p.pid(), rc);
                    return;
                }
                long delayMs = restarts.nextDelayMs(System.nanoTime());
                if (delayMs < 0) {
                    LOG.error(
                            "BGP speaker pid {} exited with {} on its own, {}: its sessions are down, so the prefix "
                                    + "stays withdrawn until this program restarts",
                            p.pid(),
                            rc,
                            restarts.describeExhausted());
                    return;
                }
                LOG.warn(
                        "BGP speaker pid {} exited with {} on its own: its sessions are down; restarting it in {} ms",
                        p.pid(),
                        rc,
                        delayMs);
                Thread.sleep(delayMs);
                p = restart(cmd);
                if (p == null) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // only close() ends the process
        }
    }

    /** @return the new speaker, or null when {@link #close} came first or it cannot be started. */
    private Process restart(List<String> cmd) {
        synchronized (lifecycle) {
            if (closing) {
                return null;
            }
            try {
                Process p = new ProcessBuilder(cmd).inheritIO().start();
                process = p;
                LOG.info("BGP speaker restarted as pid {}", p.pid());
                return p;
            } catch (IOException e) {
                LOG.error("cannot restart the BGP speaker {}: {}; the prefix stays withdrawn", command, e.toString());
                return null;
            }
        }
    }

    private void awaitControlSocket(Process p, long timeoutMs) throws AnnouncerException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadline < 0) {
            if (!p.isAlive()) {
                throw new AnnouncerException(command + " exited with " + p.exitValue() + " (see its output)");
            }
            if (answers(controlSocket)) {
                return;
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new AnnouncerException(command + ": control socket " + controlSocket + " not answering");
    }

    private static boolean answers(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (BirdControlSocket s = BirdControlSocket.connect(socket, 1_000)) {
            return true;
        } catch (AnnouncerException e) {
            return false;
        }
    }

    /** The speaker's pid, or -1 before {@link #start}. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** SIGTERM (BIRD closes its sessions with an administrative shutdown), then SIGKILL after 5 s. */
    @Override
    public void close() {
        Process p;
        synchronized (lifecycle) {
            closing = true;
            p = process;
            process = null;
        }
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(STOP_WAIT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
