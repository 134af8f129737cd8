package org.sipha.dispatcher;

/**
 * {@link Algorithm#PRIORITY_GROUPS}: serial failover between priorities, load sharing inside one, as DNS SRV
 * (RFC 2782) does, but with Kamailio's order: the highest {@code priority} value is tried first. Within the best
 * group that still has an untried active member, the choice is weighted random.
 */
final class PriorityGroupSelector implements DestinationSelector {
    private final DestinationEntry[] entries;
    /** Active entry indices sorted by priority, highest first (stable: configuration order within a priority). */
    private final int[] byPriority;
    /** groupEnd[g] = end (exclusive) in {@link #byPriority} of group g; groups start where the previous ends. */
    private final int[] groupEnd;

    private final StripedCounter cursor;

    PriorityGroupSelector(final DestinationSet set) {
        this.entries = set.entries;
        this.cursor = set.cursor;
        this.byPriority = java.util.Arrays.stream(set.active)
                .boxed()
                .sorted((a, b) -> Integer.compare(
                        entries[b].destination().priority(),
                        entries[a].destination().priority()))
                .mapToInt(Integer::intValue)
                .toArray();
        int groups = 0;
        for (int i = 0; i < byPriority.length; i++) {
            if (i == byPriority.length - 1 || priority(i) != priority(i + 1)) {
                groups++;
            }
        }
        this.groupEnd = new int[groups];
        int g = 0;
        for (int i = 0; i < byPriority.length; i++) {
            if (i == byPriority.length - 1 || priority(i) != priority(i + 1)) {
                groupEnd[g++] = i + 1;
            }
        }
    }

    private int priority(final int i) {
        return entries[byPriority[i]].destination().priority();
    }

    @Override
    public int select(final long keyHash, final TriedSet tried) {
        if (byPriority.length == 0) {
            return -1;
        }
        final long r = KeyHash.mix64(cursor.next());
        int start = 0;
        for (final int end : groupEnd) {
            final int chosen = WeightedRandomSelector.pickAmongUntried(entries, byPriority, start, end, tried, r);
            if (chosen >= 0) {
                return chosen;
            }
            start = end;
        }
        return -1;
    }
}
