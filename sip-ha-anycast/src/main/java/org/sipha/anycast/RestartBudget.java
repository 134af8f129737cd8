package org.sipha.anycast;

import java.util.concurrent.TimeUnit;

/**
 * How often a child process that exits on its own may be started again: at most {@code maxRestarts} within any
 * {@code windowMs}, each after a delay doubling from 500 ms (capped at 8 s) with the restarts already in the window.
 * Single thread: the child's owner thread.
 */
final class RestartBudget {
    private static final long FIRST_DELAY_MS = 500;
    private static final long MAX_DELAY_MS = 8_000;

    private final int maxRestarts;
    private final long windowNanos;
    private final long[] restartedAt;
    private int count;

    RestartBudget(int maxRestarts, long windowMs) {
        if (maxRestarts < 0 || windowMs <= 0) {
            throw new IllegalArgumentException("restart budget: " + maxRestarts + " in " + windowMs + " ms");
        }
        this.maxRestarts = maxRestarts;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMs);
        this.restartedAt = new long[maxRestarts];
    }

    /** Takes one restart at {@code nowNanos}: @return the delay before it in ms, or -1 when the budget is spent. */
    long nextDelayMs(long nowNanos) {
        int recent = 0;
        for (int i = 0; i < Math.min(count, maxRestarts); i++) {
            if (nowNanos - restartedAt[i] < windowNanos) {
                recent++;
            }
        }
        if (recent >= maxRestarts) {
            return -1;
        }
        restartedAt[count % maxRestarts] = nowNanos;
        count++;
        return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS << Math.min(recent, 16));
    }

    String describeExhausted() {
        return "restarted " + maxRestarts + " times within " + TimeUnit.NANOSECONDS.toMillis(windowNanos) + " ms";
    }
}
