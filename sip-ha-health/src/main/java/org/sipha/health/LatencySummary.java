package org.sipha.health;

/**
 * Latency figures of one destination at one moment: immutable.
 *
 * @param count  samples recorded since start.
 * @param ewmaNs exponentially weighted moving average, 0 before the first sample.
 * @param p50Ns  median from the HdrHistogram.
 * @param p90Ns  90th percentile.
 * @param p99Ns  99th percentile.
 * @param maxNs  largest sample (clamped to the trackable maximum).
 */
public record LatencySummary(long count, long ewmaNs, long p50Ns, long p90Ns, long p99Ns, long maxNs) {
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0);
}
