package org.sipha.anycast;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.sipha.core.spi.DestinationsUpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link CommandCheck} every {@code intervalMs} on its own thread and feeds a "K destinations up" input,
 * normally {@link AnycastController#onDestinationsUp} with the controller's K set to the check's {@code minUp}.
 * The verdict changes only after {@code rise} consecutive passing or {@code fall} failing runs
 * ({@link RiseFallCounter}); the counts of the run that changed it are then reported after every run, so a
 * single slow or failed run neither withdraws nor lets the route back.
 *
 * <p>Threading: {@link #start()} and {@link #close()} by the owner; the check thread owns everything else.
 */
final class CommandCheckLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandCheckLoop.class);

    private final CommandCheck check;
    private final DestinationsUpListener listener;
    private final RiseFallCounter verdict;
    private final long intervalNs;
    private final Thread thread;
    private volatile boolean running;

    // check-thread state: what the listener is told
    private int reportedUp = -1;
    private int reportedTotal;

    CommandCheckLoop(CommandCheck check, DestinationsUpListener listener, long intervalMs, int rise, int fall) {
        if (intervalMs < 1) {
            throw new IllegalArgumentException("intervalMs must be >= 1: " + intervalMs);
        }
        this.check = Objects.requireNonNull(check);
        this.listener = Objects.requireNonNull(listener);
        this.verdict = new RiseFallCounter(rise, fall);
        this.intervalNs = intervalMs * 1_000_000L;
        this.thread = new Thread(this::run, "sipha-anycast-check");
        this.thread.setDaemon(true);
    }

    void start() {
        running = true;
        thread.start();
    }

    private void run() {
        long next = System.nanoTime();
        while (running) {
            runOnce();
            next += intervalNs;
            long now = System.nanoTime();
            if (next - now < 0) {
                next = now; // a slow command: do not burst to catch up
            } else {
                LockSupport.parkNanos(next - now);
            }
        }
    }

    /** Check thread (or a test): one run; logs a verdict change with its detail, reports the verdict's counts. */
    void runOnce() {
        CommandCheck.Result r = check.run();
        if (verdict.record(r.pass())) {
            LOG.info(
                    "check command now {} ({} consecutive {}): {}",
                    verdict.verdict(),
                    r.pass() ? verdict.passRun() : verdict.failRun(),
                    r.pass() ? "passes" : "failures",
                    r.detail());
            reportedUp = r.up();
            reportedTotal = r.total();
        } else {
            LOG.debug("check command {}: {}", r.pass() ? "PASS" : "FAIL", r.detail());
        }
        if (reportedUp >= 0) {
            listener.onDestinationsUp(reportedUp, reportedTotal);
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(intervalNs / 1_000_000 + 1_000); // a run is bounded by its timeout, below the interval
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
