package org.sipha.dispatcher;

/**
 * {@link Algorithm#SMOOTH_WEIGHTED_ROUND_ROBIN}: nginx's smooth weighted round-robin, made lock-free by running
 * it once, on the writer thread, over a whole period and storing the sequence. Selecting is then reading
 * {@code schedule[cursor % length]}. Weights {5,1,1} give {@code a a b a c a a}, not {@code a a a a a b c}. As in
 * {@link RoundRobinSelector}, only a request's first choice moves the cursor.
 */
final class SmoothWeightedRoundRobinSelector implements DestinationSelector {
    /** Longest schedule kept; weights whose reduced sum exceeds it are scaled down (shares then approximate). */
    static final int MAX_SCHEDULE = 4096;

    private final int[] schedule;
    private final StripedCounter cursor;

    SmoothWeightedRoundRobinSelector(final DestinationSet set) {
        this.schedule = buildSchedule(set);
        this.cursor = set.cursor;
    }

    @Override
    public int select(final long keyHash, final TriedSet tried) {
        final int n = schedule.length;
        if (n == 0) {
            return -1;
        }
        return tried.firstUntried(schedule, ((int) cursor.position(tried) & Integer.MAX_VALUE) % n);
    }

    /**
     * @return one period of the smooth weighted sequence over the active entries with a positive weight, as entry
     * indices; each appears in proportion to its weight, so a scan of the whole array meets every one of them.
     */
    static int[] buildSchedule(final DestinationSet set) {
        final int[] active = set.active;
        final int n = active.length;
        final long[] weight = new long[n];
        long gcd = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            weight[i] = set.entries[active[i]].destination().weight();
            gcd = gcd(gcd, weight[i]);
            total += weight[i];
        }
        if (total == 0) {
            return new int[0];
        }
        total = 0;
        for (int i = 0; i < n; i++) {
            weight[i] /= gcd;
            total += weight[i];
        }
        if (total > MAX_SCHEDULE) {
            final long scaled = total;
            total = 0;
            for (int i = 0; i < n; i++) {
                weight[i] = weight[i] == 0 ? 0 : Math.max(1, weight[i] * MAX_SCHEDULE / scaled);
                total += weight[i];
            }
        }
        final int[] schedule = new int[(int) total];
        final long[] current = new long[n];
        for (int s = 0; s < schedule.length; s++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                current[i] += weight[i];
                if (weight[i] > 0 && (best < 0 || current[i] > current[best])) {
                    best = i;
                }
            }
            current[best] -= total;
            schedule[s] = active[best];
        }
        return schedule;
    }

    private static long gcd(final long a, final long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
