package org.sipha.dispatcher;

/**
 * {@link Algorithm#CONSISTENT_HASH}: weighted rendezvous (highest random weight) hashing with bounded load.
 *
 * <p>Every (key, destination) pair gets a pseudo-random score from the key hash and a seed derived from the
 * destination <em>id</em>; the key goes to the active destination with the highest score. Scores do not depend
 * on which other destinations exist, hence:
 * <ul>
 *   <li>when a destination leaves, only its keys move, each to its own second choice, which is uniformly spread
 *       over the survivors (no "all of the dead one's calls to its neighbour");</li>
 *   <li>when one joins, only the keys for which it scores highest move, all of them to it.</li>
 * </ul>
 * Weighted: the score is {@code -weight / ln(u)} with {@code u} uniform in (0,1), which gives each destination
 * a share proportional to its weight (Schindelhauer-Schomaker, "Weighted distributed hash tables"); with equal
 * weights that reduces to comparing {@code u}, and the logarithm is skipped.
 *
 * <p>Bounded load (Mirrokni, Thorup, Zadimoghaddam, "Consistent hashing with bounded loads"): a destination
 * whose live leases reach {@code ceil(loadBound * (totalLeases + 1) * weight / totalWeight)} is passed over
 * for the key's next choice. The bound only acts when callers take leases on what they are given
 * ({@link DestinationEntry#tryAcquireLease()}); without leases this is plain rendezvous hashing.
 */
final class RendezvousSelector implements DestinationSelector {
    private static final double TWO_POW_MINUS_53 = 0x1.0p-53;

    private final DestinationEntry[] entries;
    private final int[] active;
    /** Per entry index: hash of the destination id, stable across reloads. */
    private final long[] seeds;

    private final boolean uniformWeights;
    private final long totalWeight;
    private final double loadBound;
    private final java.util.function.LongSupplier nanoClock;

    RendezvousSelector(final DestinationSet set) {
        this.entries = set.entries;
        this.active = set.active;
        this.loadBound = set.config.loadBound();
        this.nanoClock = set.nanoClock;
        this.seeds = new long[entries.length];
        for (int i = 0; i < entries.length; i++) {
            seeds[i] = KeyHash.of(entries[i].destination().id());
        }
        long total = 0;
        boolean uniform = true;
        for (final int a : active) {
            final int w = entries[a].destination().weight();
            total += w;
            uniform &= w == entries[active[0]].destination().weight();
        }
        this.totalWeight = total;
        this.uniformWeights = uniform;
    }

    @Override
    public int select(final long keyHash, final TriedSet tried) {
        if (totalWeight == 0) {
            return -1;
        }
        final boolean bounded = loadBound > 0;
        long nowNs = 0;
        long totalLoad = 0;
        if (bounded) {
            nowNs = nanoClock.getAsLong();
            for (final int a : active) {
                totalLoad += entries[a].runtime().activeLeases(nowNs);
            }
        }
        int best = -1;
        double bestScore = -1;
        int bestUnder = -1;
        double bestUnderScore = -1;
        for (final int a : active) {
            final int weight = entries[a].destination().weight();
            if (weight == 0 || tried.contains(a)) {
                continue;
            }
            final double score = score(keyHash, a, weight);
            if (score > bestScore) {
                best = a;
                bestScore = score;
            }
            if (bounded
                    && score > bestUnderScore
                    && entries[a].runtime().activeLeases(nowNs)
                            < Math.ceil(loadBound * (totalLoad + 1) * weight / totalWeight)) {
                bestUnder = a;
                bestUnderScore = score;
            }
        }
        return bestUnder >= 0 ? bestUnder : best;
    }

    private double score(final long keyHash, final int entry, final int weight) {
        final long h = KeyHash.mix64(keyHash ^ seeds[entry]);
        if (uniformWeights) {
            return (double) (h >>> 11);
        }
        final double u = ((h >>> 11) + 0.5) * TWO_POW_MINUS_53;
        return -weight / Math.log(u);
    }
}
