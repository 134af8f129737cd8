package org.sipha.health;

import org.HdrHistogram.Histogram;

/** EWMA plus HdrHistogram of one latency series. Owner thread only (HdrHistogram's Histogram is not thread-safe). */
final class LatencyTracker {
    private final Histogram histogram;
    private final double alpha;
    private final long highestNs;
    private double ewmaNs;

    LatencyTracker(final double alpha, final long highestNs) {
        // 2 significant digits: 1 % resolution is plenty for health decisions and keeps each histogram ~ 30 KiB.
        this.histogram = new Histogram(1, highestNs, 2);
        this.alpha = alpha;
        this.highestNs = highestNs;
    }

    void record(final long ns) {
        final long v = Math.max(1, Math.min(ns, highestNs));
        histogram.recordValue(v);
        ewmaNs = histogram.getTotalCount() == 1 ? v : ewmaNs + alpha * (v - ewmaNs);
    }

    long ewmaNs() {
        return Math.round(ewmaNs);
    }

    LatencySummary summary() {
        final long n = histogram.getTotalCount();
        if (n == 0) {
            return LatencySummary.EMPTY;
        }
        return new LatencySummary(
                n,
                ewmaNs(),
                histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(90),
                histogram.getValueAtPercentile(99),
                histogram.getMaxValue());
    }
}
