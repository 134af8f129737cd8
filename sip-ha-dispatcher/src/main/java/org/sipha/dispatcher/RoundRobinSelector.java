package org.sipha.dispatcher;

/**
 * {@link Algorithm#ROUND_ROBIN}: the next active destination after the cursor; weights ignored. Only a request's
 * first choice moves the cursor, so successive requests start at successive destinations even when they fail over.
 */
final class RoundRobinSelector implements DestinationSelector {
    private final int[] active;
    private final StripedCounter cursor;

    RoundRobinSelector(final DestinationSet set) {
        this.active = set.active;
        this.cursor = set.cursor;
    }

    @Override
    public int select(final long keyHash, final TriedSet tried) {
        final int n = active.length;
        if (n == 0) {
            return -1;
        }
        final int start = ((int) cursor.position(tried) & Integer.MAX_VALUE) % n;
        return tried.firstUntried(active, start);
    }
}
