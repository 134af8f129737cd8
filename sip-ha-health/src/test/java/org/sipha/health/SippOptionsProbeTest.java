package org.sipha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.testsupport.SippProcess;

/**
 * Active probing against a real SIPp UAS on 127.0.0.1 (ports 15100-15119): live is ACTIVE, SIGKILL gives INACTIVE
 * after {@code fall} missed probes, a restart gives ACTIVE again after {@code rise} replies. The detection and
 * recovery times are printed (and written to target/health-detection.txt), not asserted against a wall clock.
 */
class SippOptionsProbeTest {
    private static final int PROBE_PORT = 15100;
    private static final int UAS_PORT = 15101;
    private static final int UAS_CONTROL_PORT = 15111;
    private static final int UAS_MEDIA_PORT = 15112; // SIPp also binds media port + 2
    private static final long INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(150);
    private static final int RISE = 2;
    private static final int FALL = 3;

    @TempDir
    Path workDir;

    private SippProcess.Builder uasCommand;
    private SippProcess uas;
    private HealthMonitorRunner runner;

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
        if (uas != null) {
            uas.close();
        }
    }

    private final LinkedBlockingQueue<HealthEvent> events = new LinkedBlockingQueue<>();

    private HealthMonitor startMonitorAndUas() throws IOException {
        SippProcess.requireSipp();
        uasCommand = SippProcess.uas("/options_uas.xml", UAS_PORT, UAS_CONTROL_PORT, UAS_MEDIA_PORT)
                .workDir(workDir)
                .globalTimeoutS(0);
        final HealthMonitor monitor = HealthMonitor.builder(HealthConfig.builder()
                        .rise(RISE)
                        .fall(FALL)
                        .startActive(false)
                        .maxEjectedPercent(100)
                        .slowStartNs(0)
                        .build())
                .addSet("uas", List.of(Destination.of("uas", "sip:127.0.0.1:" + UAS_PORT)), null)
                .listener(events::add)
                .prober(
                        OptionsProbeConfig.builder()
                                .intervalNs(INTERVAL_NS)
                                .timeoutNs(TIMEOUT_NS)
                                .jitter(0.1)
                                .build(),
                        UdpProbeTransport.open(new InetSocketAddress("127.0.0.1", PROBE_PORT)))
                .build();
        uas = uasCommand.start();
        runner = new HealthMonitorRunner(monitor, TimeUnit.MILLISECONDS.toNanos(1), "health-test").start();
        return monitor;
    }

    @Test
    void detectsAStoppedSippUasAndTakesItBackAfterSigcont() throws Exception {
        final HealthMonitor monitor = startMonitorAndUas();
        assertNotNull(awaitState(events, DestinationState.ACTIVE, 15), "the live SIPp UAS never became ACTIVE");
        final long stopNs = System.nanoTime();
        uas.sigstop();
        final HealthEvent down = awaitState(events, DestinationState.INACTIVE, 15);
        assertNotNull(down, "the stopped SIPp UAS was never marked INACTIVE");
        assertEquals(HealthCause.PROBE_TIMEOUT, down.cause());
        final long contNs = System.nanoTime();
        uas.sigcont();
        final HealthEvent back = awaitState(events, DestinationState.ACTIVE, 15);
        assertNotNull(back, "the continued SIPp UAS never became ACTIVE again");
        final String report = String.format(
                "SIGSTOP -> INACTIVE after %d ms; SIGCONT -> ACTIVE after %d ms "
                        + "(late replies to timed-out probes ignored: %d)%n",
                TimeUnit.NANOSECONDS.toMillis(down.timeNs() - stopNs),
                TimeUnit.NANOSECONDS.toMillis(back.timeNs() - contNs),
                monitor.prober().unmatchedReplies());
        System.out.print(report);
        Files.writeString(
                Path.of("target", "health-detection.txt"),
                report,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    @Test
    void detectsAKilledSippUasAndItsReturnByProbesAlone() throws Exception {
        final HealthMonitor monitor = startMonitorAndUas();

        final long startNs = System.nanoTime();
        final HealthEvent up = awaitState(events, DestinationState.ACTIVE, 15);
        assertNotNull(up, "the live SIPp UAS never became ACTIVE");
        assertEquals(HealthCause.PROBE_RECOVERED, up.cause());
        final long upMs = TimeUnit.NANOSECONDS.toMillis(up.timeNs() - startNs);

        // Stays ACTIVE while alive: a few more intervals without any event.
        assertTrue(events.poll(5 * INTERVAL_NS, TimeUnit.NANOSECONDS) == null, "no flapping while the UAS is alive");
        assertTrue(uas.isAlive());

        final long killNs = System.nanoTime();
        uas.sigkill();
        final List<HealthEvent> seen = new ArrayList<>();
        final HealthEvent down = awaitState(events, DestinationState.INACTIVE, 15, seen);
        assertNotNull(down, "the killed SIPp UAS was never marked INACTIVE; saw " + seen);
        assertEquals(HealthCause.PROBE_TIMEOUT, down.cause());
        final long detectMs = TimeUnit.NANOSECONDS.toMillis(down.timeNs() - killNs);
        // It takes FALL missed probes: the last one is sent at least (FALL - 1) jittered intervals after the kill.
        assertTrue(
                down.timeNs() - killNs >= (long) ((FALL - 1) * INTERVAL_NS * 0.9) + TIMEOUT_NS,
                "marked down after " + detectMs + " ms, too early for " + FALL + " missed probes");

        final long restartNs = System.nanoTime();
        uas = uasCommand.start();
        final HealthEvent probing = awaitState(events, DestinationState.PROBING, 15);
        assertNotNull(probing, "restarted UAS never reached PROBING");
        final HealthEvent back = awaitState(events, DestinationState.ACTIVE, 15);
        assertNotNull(back, "restarted UAS never became ACTIVE again");
        assertEquals(HealthCause.PROBE_RECOVERED, back.cause());
        final long recoverMs = TimeUnit.NANOSECONDS.toMillis(back.timeNs() - restartNs);

        final LatencySummary rtt = monitor.snapshot().destination("uas").probeLatency();
        final String report = String.format(
                "interval=%d ms timeout=%d ms fall=%d rise=%d jitter=10%%%n"
                        + "initial ACTIVE after %d ms%nSIGKILL -> INACTIVE after %d ms (worst case fall x interval x 1.1 + timeout = %d ms)%n"
                        + "restart -> ACTIVE after %d ms (includes SIPp start-up)%n"
                        + "probe RTT: n=%d ewma=%d us p50=%d us p99=%d us max=%d us%n",
                TimeUnit.NANOSECONDS.toMillis(INTERVAL_NS),
                TimeUnit.NANOSECONDS.toMillis(TIMEOUT_NS),
                FALL,
                RISE,
                upMs,
                detectMs,
                TimeUnit.NANOSECONDS.toMillis((long) (FALL * INTERVAL_NS * 1.1) + TIMEOUT_NS),
                recoverMs,
                rtt.count(),
                rtt.ewmaNs() / 1000,
                rtt.p50Ns() / 1000,
                rtt.p99Ns() / 1000,
                rtt.maxNs() / 1000);
        System.out.print(report);
        Files.writeString(
                Path.of("target", "health-detection.txt"),
                report,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        assertTrue(rtt.count() >= RISE * 2);
        assertFalse(monitor.snapshot().panicSets().contains("uas"));
    }

    private static HealthEvent awaitState(
            final LinkedBlockingQueue<HealthEvent> events, final DestinationState state, final int seconds)
            throws InterruptedException {
        return awaitState(events, state, seconds, new ArrayList<>());
    }

    private static HealthEvent awaitState(
            final LinkedBlockingQueue<HealthEvent> events,
            final DestinationState state,
            final int seconds,
            final List<HealthEvent> seen)
            throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            final HealthEvent e = events.poll(left, TimeUnit.NANOSECONDS);
            if (e == null) {
                return null;
            }
            seen.add(e);
            if (e.state() == state) {
                return e;
            }
        }
        return null;
    }
}
