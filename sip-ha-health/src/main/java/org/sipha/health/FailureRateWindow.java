package org.sipha.health;

/**
 * Success/failure counts over a sliding time window, kept in a fixed ring of buckets so memory is bounded
 * whatever the traffic. Owner thread only.
 */
final class FailureRateWindow {
    private static final int BUCKETS = 10;
    private final long bucketNs;
    private final int[] successes = new int[BUCKETS];
    private final int[] failures = new int[BUCKETS];
    private long currentBucket = Long.MIN_VALUE;

    FailureRateWindow(final long windowNs) {
        this.bucketNs = Math.max(1, windowNs / BUCKETS);
    }

    void record(final long nowNs, final boolean failure) {
        advance(nowNs);
        final int i = (int) Math.floorMod(currentBucket, (long) BUCKETS);
        if (failure) {
            failures[i]++;
        } else {
            successes[i]++;
        }
    }

    int total(final long nowNs) {
        advance(nowNs);
        int t = 0;
        for (int i = 0; i < BUCKETS; i++) {
            t += successes[i] + failures[i];
        }
        return t;
    }

    int failures(final long nowNs) {
        advance(nowNs);
        int f = 0;
        for (int i = 0; i < BUCKETS; i++) {
            f += failures[i];
        }
        return f;
    }

    void clear() {
        java.util.Arrays.fill(successes, 0);
        java.util.Arrays.fill(failures, 0);
    }

    private void advance(final long nowNs) {
        final long bucket = Math.floorDiv(nowNs, bucketNs);
        if (currentBucket == Long.MIN_VALUE || bucket - currentBucket >= BUCKETS) {
            clear();
        } else {
            // Zero the buckets we skipped over: they belong to time that has left the window.
            for (long b = currentBucket + 1; b <= bucket; b++) {
                final int i = (int) Math.floorMod(b, (long) BUCKETS);
                successes[i] = 0;
                failures[i] = 0;
            }
        }
        if (bucket > currentBucket) {
            currentBucket = bucket;
        }
    }
}
