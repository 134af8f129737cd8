package org.sipha.dispatcher;

/**
 * {@link Algorithm#LEAST_CALLS}: the active destination with the fewest live call leases per unit of weight,
 * skipping any at its {@code maxload}. Ties go to the first found from a rotating start so that an idle set is
 * shared round-robin rather than piled onto its first member.
 *
 * <p>Selection only reads counts; the caller takes the lease with {@link DestinationEntry#tryAcquireLease()}
 * and, if that is refused because another thread filled the last place, asks its failover iterator for the next.
 */
final class LeastCallsSelector implements DestinationSelector {
    private final DestinationEntry[] entries;
    private final int[] active;
    private final StripedCounter cursor;
    private final java.util.function.LongSupplier nanoClock;

    LeastCallsSelector(final DestinationSet set) {
        this.entries = set.entries;
        this.active = set.active;
        this.cursor = set.cursor;
        this.nanoClock = set.nanoClock;
    }

    @Override
    public int select(final long keyHash, final TriedSet tried) {
        final int n = active.length;
        if (n == 0) {
            return -1;
        }
        final long nowNs = nanoClock.getAsLong();
        int i = ((int) cursor.next() & Integer.MAX_VALUE) % n;
        int best = -1;
        long bestLoad = 0;
        long bestWeight = 1;
        for (int k = 0; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
            final int a = active[i];
            final DestinationEntry e = entries[a];
            final int weight = e.destination().weight();
            if (weight == 0 || tried.contains(a)) {
                continue;
            }
            final long load = e.runtime().activeLeases(nowNs);
            if (e.maxLoad() > 0 && load >= e.maxLoad()) {
                continue;
            }
            if (best < 0 || load * bestWeight < bestLoad * weight) {
                best = a;
                bestLoad = load;
                bestWeight = weight;
            }
        }
        return best;
    }
}
