package org.sipha.anycast;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes the local SIP proxy with OPTIONS every {@code intervalMs} on its own thread and reports each result to
 * the {@link AnycastController} (which applies rise/fall). Probing blocks on the network, so it must not run on
 * the decision thread.
 *
 * <p>If the probe thread dies or hangs, its results stop: the controller then counts the proxy as failing once
 * none arrived for {@link #silenceMs} (5 intervals, at least 1 s) and withdraws, as the loop tells it on
 * {@link #start()}.
 *
 * <p>Threading: {@link #start()} and {@link #close()} by the owner; the probe thread owns the pinger.
 */
public final class ProxyProbeLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyProbeLoop.class);

    private static final long SILENT_INTERVALS = 5;
    private static final long MIN_SILENCE_MS = 1_000;

    private final LocalProxyProbe pinger;
    private final AnycastController controller;
    private final long intervalNs;
    private final long timeoutMs;
    private final Thread thread;
    private volatile boolean running;

    /**
     * @param intervalMs time between the starts of two probes
     * @param timeoutMs  how long one probe waits for the answer; must be less than the interval
     */
    public ProxyProbeLoop(SipOptionsPinger pinger, AnycastController controller, long intervalMs, long timeoutMs) {
        this((LocalProxyProbe) pinger, controller, intervalMs, timeoutMs);
    }

    ProxyProbeLoop(LocalProxyProbe pinger, AnycastController controller, long intervalMs, long timeoutMs) {
        if (intervalMs < 1 || timeoutMs < 1 || timeoutMs > intervalMs) {
            throw new IllegalArgumentException(
                    "need 1 <= timeoutMs <= intervalMs: interval=" + intervalMs + " timeout=" + timeoutMs);
        }
        this.pinger = Objects.requireNonNull(pinger);
        this.controller = Objects.requireNonNull(controller);
        this.intervalNs = intervalMs * 1_000_000L;
        this.timeoutMs = timeoutMs;
        this.thread = new Thread(this::run, "sipha-anycast-probe");
        this.thread.setDaemon(true);
    }

    public void start() {
        running = true;
        controller.expectProxyProbesWithin(silenceMs());
        thread.start();
    }

    /** How long the controller waits for a result before it counts the proxy as failing. */
    long silenceMs() {
        return Math.max(MIN_SILENCE_MS, SILENT_INTERVALS * (intervalNs / 1_000_000L));
    }

    private void run() {
        try {
            probe();
        } catch (RuntimeException | Error e) {
            LOG.error(
                    "anycast probe thread died; the proxy counts as failing after {} ms without a result",
                    silenceMs(),
                    e);
            throw e;
        }
    }

    private void probe() {
        long next = System.nanoTime();
        SipOptionsPinger.Result last = null;
        while (running) {
            SipOptionsPinger.Result r = pinger.ping(timeoutMs);
            if (last == null || last.pass() != r.pass()) {
                LOG.info("probe {}: {}", r.pass() ? "PASS" : "FAIL", r.detail());
            } else {
                LOG.debug("probe {}: {}", r.pass() ? "PASS" : "FAIL", r.detail());
            }
            last = r;
            controller.onProxyProbe(r.pass(), r.detail());
            next += intervalNs;
            long now = System.nanoTime();
            if (next - now < 0) {
                next = now; // fell behind (slow probe or a pause): do not burst to catch up
            } else {
                LockSupport.parkNanos(next - now);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(timeoutMs + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pinger.close();
    }
}
