package org.sipha.dispatcher;

/**
 * {@link Algorithm#WEIGHTED_RANDOM}: each active destination with probability weight / total weight.
 * The random stream is SplitMix64 over the set's striped cursor: lock-free, no per-thread state, and
 * reproducible on a single thread.
 */
final class WeightedRandomSelector implements DestinationSelector {
    private final DestinationEntry[] entries;
    private final int[] active;
    /** cumulative[i] = sum of the weights of active[0..i]. */
    private final long[] cumulative;

    private final StripedCounter cursor;

    WeightedRandomSelector(final DestinationSet set) {
        this.entries = set.entries;
        this.active = set.active;
        this.cursor = set.cursor;
        this.cumulative = new long[active.length];
        long sum = 0;
        for (int i = 0; i < active.length; i++) {
            sum += entries[active[i]].destination().weight();
            cumulative[i] = sum;
        }
    }

    @Override
    public int select(final long keyHash, final TriedSet tried) {
        final int n = active.length;
        if (n == 0 || cumulative[n - 1] == 0) {
            return -1;
        }
        final long r = KeyHash.mix64(cursor.next());
        if (tried.isEmpty()) {
            return active[search(Long.remainderUnsigned(r, cumulative[n - 1]))];
        }
        return pickAmongUntried(entries, active, 0, n, tried, r);
    }

    private int search(final long x) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Weighted random choice among {@code candidates[from, to)} not yet tried; two linear passes, no allocation.
     * Shared with {@link PriorityGroupSelector}.
     */
    static int pickAmongUntried(
            final DestinationEntry[] entries,
            final int[] candidates,
            final int from,
            final int to,
            final TriedSet tried,
            final long random) {
        long remaining = 0;
        for (int i = from; i < to; i++) {
            if (!tried.contains(candidates[i])) {
                remaining += entries[candidates[i]].destination().weight();
            }
        }
        if (remaining == 0) {
            return -1;
        }
        long x = Long.remainderUnsigned(random, remaining);
        for (int i = from; i < to; i++) {
            final int c = candidates[i];
            if (!tried.contains(c)) {
                x -= entries[c].destination().weight();
                if (x < 0) {
                    return c;
                }
            }
        }
        return -1; // unreachable: x < remaining
    }
}
