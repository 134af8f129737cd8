package org.sipha.health;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link HealthMonitor}'s duty cycle on a dedicated daemon thread with {@link System#nanoTime()}, parking
 * briefly when idle. {@link #start()} and {@link #close()} may be called from any thread; close waits for the
 * thread to stop and closes the monitor. {@link #isAlive()} and {@link #lastDutyCycleNanos()} any thread: a
 * supervisor watches them, since a thread that died (an Error) or hangs leaves the snapshot frozen.
 */
public final class HealthMonitorRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitorRunner.class);
    private final HealthMonitor monitor;
    private final long idleParkNs;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile long lastDutyCycleNanos = System.nanoTime();

    /** @param idleParkNs how long to park when a cycle did nothing (bounds timing resolution; e.g. 1 ms). */
    public HealthMonitorRunner(final HealthMonitor monitor, final long idleParkNs, final String threadName) {
        this.monitor = monitor;
        this.idleParkNs = Math.max(TimeUnit.MICROSECONDS.toNanos(50), idleParkNs);
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    public HealthMonitorRunner start() {
        started = true;
        lastDutyCycleNanos = System.nanoTime();
        thread.start();
        return this;
    }

    /** True from {@link #start()} until the thread ends, by {@link #close()} or by dying. Any thread. */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /**
     * {@link System#nanoTime()} when the thread last began a duty cycle (one every idle park at least, work or
     * not); it stops advancing when the thread died or hangs. Any thread.
     */
    public long lastDutyCycleNanos() {
        return lastDutyCycleNanos;
    }

    private void run() {
        while (running) {
            try {
                final long now = System.nanoTime();
                lastDutyCycleNanos = now;
                if (monitor.doWork(now) == 0) {
                    LockSupport.parkNanos(idleParkNs);
                }
            } catch (final RuntimeException e) {
                // A bug in one cycle must not stop health checking for good.
                LOG.error("health duty cycle failed", e);
                LockSupport.parkNanos(idleParkNs);
            }
        }
        monitor.close();
    }

    @Override
    public void close() {
        running = false;
        if (!started) {
            monitor.close();
            return;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
