package org.sipha.dispatcher;

/**
 * {@link Algorithm#LOWEST_LATENCY}: prefers the active destination with the lowest latency EWMA (fed by the
 * health side through {@link DestinationRuntime#recordLatency}).
 * <ul>
 *   <li>All destinations within {@code latencyTolerance} of the lowest count as equal and share the traffic
 *       evenly: chasing a few microseconds of difference would herd all traffic onto one destination.</li>
 *   <li>One selection in {@code explorationOneIn} picks uniformly among all active ones, so a destination that
 *       was slow once still gets real traffic and a chance to show it recovered.</li>
 *   <li>A destination without any sample yet counts as fastest, so it is tried early.</li>
 * </ul>
 */
final class LowestLatencySelector implements DestinationSelector {
    private final DestinationEntry[] entries;
    private final int[] active;
    private final StripedCounter cursor;
    private final double tolerance;
    /** explorationOneIn - 1 as a mask, or -1 to never explore. */
    private final long exploreMask;

    LowestLatencySelector(final DestinationSet set) {
        this.entries = set.entries;
        this.active = set.active;
        this.cursor = set.cursor;
        this.tolerance = set.config.latencyTolerance();
        this.exploreMask = set.config.explorationOneIn() == 0 ? -1 : set.config.explorationOneIn() - 1;
    }

    @Override
    public int select(final long keyHash, final TriedSet tried) {
        final long r = KeyHash.mix64(cursor.next());
        final boolean explore = exploreMask >= 0 && (r & exploreMask) == 0;
        long min = Long.MAX_VALUE;
        for (final int a : active) {
            if (!tried.contains(a)) {
                min = Math.min(min, latency(a));
            }
        }
        if (min == Long.MAX_VALUE) {
            return -1;
        }
        final long threshold = explore ? Long.MAX_VALUE : min + (long) (min * tolerance);
        int candidates = 0;
        for (final int a : active) {
            if (!tried.contains(a) && latency(a) <= threshold) {
                candidates++;
            }
        }
        if (candidates == 0) {
            return tried.firstUntried(active, 0); // NOTE: a sample raised the minimum between the passes: benign
        }
        int k = (int) ((r >>> 33) % candidates);
        for (final int a : active) {
            if (!tried.contains(a) && latency(a) <= threshold && k-- == 0) {
                return a;
            }
        }
        // NOTE: a sample arrived between the passes; any untried one will do, -1 would wrongly mean "exhausted".
        return tried.firstUntried(active, 0);
    }

    private long latency(final int entry) {
        return Math.max(0, entries[entry].runtime().latencyEwmaNs());
    }
}
