package org.sipha.anycast;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
 * Dead-man switch as a separate relay process ({@link DeadManRelayMain}) that holds its own connection to the
 * routing daemon and reads heartbeats from a pipe whose write end only this JVM holds.
 *
 * <ul>
 *   <li>This JVM dies (SIGKILL, OOM kill, crash): the kernel closes the pipe, the relay reads EOF and withdraws
 *       at once (milliseconds).</li>
 *   <li>This JVM hangs (SIGSTOP, GC storm, deadlocked decision thread): heartbeats stop and the relay withdraws
 *       after {@code timeoutMs}. When heartbeats resume, the decider's reconciliation re-announces.</li>
 *   <li>With a process address, the relay also removes the service address from this host in both cases and adds
 *       it back when heartbeats resume, so traffic sent to it from this host reaches a site that still serves.</li>
 * </ul>
 * Why a process and not a thread: nothing inside a dead or stopped JVM can act. Why not the daemon's own
 * session: a BIRD or ExaBGP that the operator runs must survive our restarts, and a stopped JVM keeps every
 * socket open.
 *
 * <p>Threading: {@link #start()}/{@link #close()} by the owner; {@link #heartbeat()}/{@link #isAlive()} by the
 * decision thread only.
 */
public final class RelayDeadManSwitch implements DeadManSwitch {
    private static final Logger LOG = LoggerFactory.getLogger(RelayDeadManSwitch.class);
    static final String READY = "READY";
    /** The relay's argument that precedes a process address ({@link DeadManRelayMain}). */
    static final String PROCESS_ADDRESS = "process-address";

    private static final long START_TIMEOUT_MS = 20_000;
    private static final int MAX_LINES_BEFORE_READY = 1000;
    /** System properties the relay inherits, so that it logs as its parent does (format, level, logback file). */
    private static final List<String> INHERITED_PROPERTIES =
            List.of("sipha.log.format", "sipha.log.level", "logback.configurationFile");

    private final List<String> announcerSpec;
    /** {@code ADDR/LEN DEV NETNS|-}, or empty. */
    private final List<String> processAddress;

    private final long timeoutMs;
    private final List<String> jvmOptions;
    private Process relay;
    private OutputStream heartbeats;

    /**
     * @param announcerSpec what the relay withdraws through ({@link RouteAnnouncer#spec()})
     * @param timeoutMs     heartbeat silence after which the relay withdraws; keep it several heartbeat periods
     */
    public RelayDeadManSwitch(List<String> announcerSpec, long timeoutMs) {
        this(announcerSpec, timeoutMs, null, "lo", null);
    }

    /**
     * A relay that also holds the service address on this host for this JVM's life (see {@link DeadManRelayMain}):
     * added when the relay starts, removed when this JVM dies or hangs, added back when it resumes.
     *
     * @param processAddress e.g. {@code 198.51.100.10/32}, or null for none
     * @param device         the interface it goes on, e.g. {@code lo}
     * @param netns          the network namespace ({@code ip -n}), or null for the current one
     */
    public RelayDeadManSwitch(
            List<String> announcerSpec, long timeoutMs, String processAddress, String device, String netns) {
        this(
                announcerSpec,
                timeoutMs,
                processAddress == null
                        ? List.of()
                        : List.of(processAddress, device, netns == null ? AnnouncerSpec.NONE : netns),
                List.of("-Xmx32m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    }

    RelayDeadManSwitch(
            List<String> announcerSpec, long timeoutMs, List<String> processAddress, List<String> jvmOptions) {
        if (timeoutMs < 10) {
            throw new IllegalArgumentException("dead-man timeout must be >= 10 ms: " + timeoutMs);
        }
        AnnouncerSpec.parse(announcerSpec).close(); // fail here, not in the relay, on a bad spec
        if (!processAddress.isEmpty()) {
            List<String> spec = new ArrayList<>(List.of(AnnouncerSpec.ADDRESS));
            spec.addAll(processAddress);
            AnnouncerSpec.parse(spec).close();
        }
        this.announcerSpec = List.copyOf(announcerSpec);
        this.processAddress = List.copyOf(processAddress);
        this.timeoutMs = timeoutMs;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    @Override
    public void start() throws AnnouncerException {
        closeQuietly();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        for (String p : INHERITED_PROPERTIES) {
            String v = System.getProperty(p);
            if (v != null) {
                cmd.add("-D" + p + "=" + v);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DeadManRelayMain.class.getName());
        cmd.add(Long.toString(timeoutMs));
        if (!processAddress.isEmpty()) {
            cmd.add(PROCESS_ADDRESS);
            cmd.addAll(processAddress);
        }
        cmd.addAll(announcerSpec);
        Process p;
        try {
            p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw new AnnouncerException("cannot start dead-man relay: " + e, e);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        // A logging framework may print its own status lines to stdout before the relay's; skip a bounded number.
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                String first = null;
                for (int i = 0; i < MAX_LINES_BEFORE_READY; i++) {
                    String l = out.readLine();
                    if (l == null || READY.equals(l)) {
                        return l == null ? first : l;
                    }
                    first = first == null ? l : first;
                }
                return first;
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = firstLine.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            line = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            line = null;
        }
        if (!READY.equals(line)) {
            p.destroyForcibly();
            throw new AnnouncerException(
                    "dead-man relay did not become ready (first line: " + line + "); see its log on stderr");
        }
        relay = p;
        heartbeats = p.getOutputStream();
        LOG.info(
                "dead-man relay pid {} armed: withdraws through {} on EOF or after {} ms without heartbeat{}",
                p.pid(),
                announcerSpec,
                timeoutMs,
                processAddress.isEmpty() ? "" : "; holds " + processAddress.get(0) + " while this JVM runs");
    }

    /** Pid of the relay process, or -1. */
    public long relayPid() {
        Process p = relay;
        return p == null ? -1 : p.pid();
    }

    @Override
    public void heartbeat() {
        OutputStream o = heartbeats;
        if (o == null) {
            return;
        }
        try {
            o.write('h');
            o.flush();
        } catch (IOException e) {
            LOG.error("dead-man relay heartbeat failed: {}", e.toString());
            heartbeats = null;
        }
    }

    @Override
    public boolean isAlive() {
        return heartbeats != null && relay != null && relay.isAlive();
    }

    @Override
    public void close() {
        Process p = relay;
        relay = null;
        if (heartbeats != null) {
            try {
                heartbeats.close(); // EOF: the relay withdraws and exits
            } catch (IOException ignored) {
                // the relay is gone already
            }
            heartbeats = null;
        }
        if (p != null) {
            try {
                // the relay withdraws on EOF and exits; give it time, then make sure
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeQuietly() {
        if (heartbeats != null) {
            try {
                heartbeats.close();
            } catch (IOException ignored) {
                // the relay is gone already
            }
            heartbeats = null;
        }
        if (relay != null && relay.isAlive()) {
            relay.destroy();
        }
        relay = null;
    }
}
