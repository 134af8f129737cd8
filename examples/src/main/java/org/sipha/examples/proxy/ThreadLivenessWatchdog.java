package org.sipha.examples.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the threads the reference proxy cannot run without (health checking, the routing table's writer) on a
 * daemon thread of its own, and ends the process with {@link FatalUncaughtExceptionHandler#EXIT_INTERNAL_FAULT}
 * when one has died or its duty-cycle time has not advanced for {@code stuckChecks} checks in a row: without them
 * the proxy would keep sending calls to backends that died since. A pause of the whole process (GC, SIGSTOP)
 * stops the checks too, so it does not count as stuck.
 *
 * <p>Threading: {@link #watch} before {@link #start}, both from the thread that builds it; {@link #close} and
 * {@link #checks} any thread. The exit action runs on the watchdog thread.
 */
final class ThreadLivenessWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadLivenessWatchdog.class);

    private record Watched(String name, BooleanSupplier alive, LongSupplier lastDutyCycleNanos) {}

    private final long checkIntervalNs;
    private final int stuckChecks;
    private final IntConsumer exit;
    private final List<Watched> watched = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long checks;

    /**
     * @param checkIntervalMs time between two checks
     * @param stuckChecks     checks in a row without progress after which a thread counts as stuck
     * @param exit            ends the process with the status given, e.g. {@code Runtime.getRuntime()::halt}
     */
    ThreadLivenessWatchdog(long checkIntervalMs, int stuckChecks, IntConsumer exit) {
        this.checkIntervalNs = TimeUnit.MILLISECONDS.toNanos(checkIntervalMs);
        this.stuckChecks = stuckChecks;
        this.exit = exit;
        this.thread = new Thread(this::run, "sipha-watchdog");
        this.thread.setDaemon(true);
    }

    /** Also watches the thread called {@code name}. Before {@link #start}. */
    ThreadLivenessWatchdog watch(String name, BooleanSupplier alive, LongSupplier lastDutyCycleNanos) {
        watched.add(new Watched(name, alive, lastDutyCycleNanos));
        return this;
    }

    ThreadLivenessWatchdog start() {
        thread.start();
        return this;
    }

    /** How many checks have run. Any thread. */
    long checks() {
        return checks;
    }

    private void run() {
        long[] lastSeen = new long[watched.size()];
        int[] unchanged = new int[watched.size()];
        for (int i = 0; i < lastSeen.length; i++) {
            lastSeen[i] = watched.get(i).lastDutyCycleNanos().getAsLong();
        }
        while (running) {
            LockSupport.parkNanos(checkIntervalNs);
            if (!running) {
                return;
            }
            for (int i = 0; i < lastSeen.length; i++) {
                Watched w = watched.get(i);
                long cycle = w.lastDutyCycleNanos().getAsLong();
                unchanged[i] = cycle == lastSeen[i] ? unchanged[i] + 1 : 0;
                lastSeen[i] = cycle;
                if (!w.alive().getAsBoolean()) {
                    fault(w.name() + " thread has died");
                    return;
                }
                if (unchanged[i] >= stuckChecks) {
                    fault(w.name() + " thread is stuck: no duty cycle for " + unchanged[i] + " checks "
                            + TimeUnit.NANOSECONDS.toMillis(checkIntervalNs) + " ms apart");
                    return;
                }
            }
            checks++;
        }
    }

    private void fault(String what) {
        LOG.error(
                "{}; exiting with status {} for the supervisor to restart the proxy",
                what,
                FatalUncaughtExceptionHandler.EXIT_INTERNAL_FAULT);
        System.err.flush();
        exit.accept(FatalUncaughtExceptionHandler.EXIT_INTERNAL_FAULT);
    }

    /** Stops watching (before the watched threads are closed on purpose); waits for the watchdog thread briefly. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
