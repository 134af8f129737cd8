package org.sipha.dispatcher;

/**
 * {@link Algorithm#KEY_HASH}: the key picks a slot of the smooth weighted schedule, so shares follow weights and
 * the same key goes to the same destination while the set's active members do not change. When they change,
 * most keys move (like Kamailio's hash algorithms); use {@link Algorithm#CONSISTENT_HASH} when that matters.
 * Failover walks the schedule forward from the key's slot.
 */
final class KeyHashSelector implements DestinationSelector {
    private final int[] schedule;

    KeyHashSelector(final DestinationSet set) {
        this.schedule = SmoothWeightedRoundRobinSelector.buildSchedule(set);
    }

    @Override
    public int select(final long keyHash, final TriedSet tried) {
        final int n = schedule.length;
        if (n == 0) {
            return -1;
        }
        return tried.firstUntried(schedule, KeyHash.reduce(keyHash, n));
    }
}
