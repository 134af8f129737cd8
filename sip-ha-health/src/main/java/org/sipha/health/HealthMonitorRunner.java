package org.sipha.health;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link HealthMonitor}'s duty cycle on a dedicated daemon thread with {@link System#nanoTime()}, parking
 * briefly when idle. {@link #start()} and {@link #close()} may be called from any thread; close waits for the
 * thread to stop and closes the monitor.
 */
public final class HealthMonitorRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitorRunner.class);
    private final HealthMonitor monitor;
    private final long idleParkNs;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;

    /** @param idleParkNs how long to park when a cycle did nothing (bounds timing resolution; e.g. 1 ms). */
    public HealthMonitorRunner(final HealthMonitor monitor, final long idleParkNs, final String threadName) {
        this.monitor = monitor;
        this.idleParkNs = Math.max(TimeUnit.MICROSECONDS.toNanos(50), idleParkNs);
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    public HealthMonitorRunner start() {
        started = true;
        thread.start();
        return this;
    }

    private void run() {
        while (running) {
            try {
                if (monitor.doWork(System.nanoTime()) == 0) {
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
