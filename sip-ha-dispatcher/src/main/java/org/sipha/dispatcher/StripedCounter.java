package org.sipha.dispatcher;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A sequence number source for selection cursors (round-robin position, random stream) that many threads
 * advance at once. One shared {@code AtomicLong} would make every selecting thread fight for one cache line;
 * here each thread hashes to one of several padded stripes, each its own sequence. Algorithms only need each
 * stripe to be a fair sequence, not a global order, so the union over stripes spreads load just as evenly.
 *
 * <p>Thread-safe, lock-free, allocation-free. Carried over by set id across snapshots, so a reload or a
 * state flap does not restart every round-robin at the first destination.
 */
final class StripedCounter {
    /** 16 longs = 128 bytes between stripes: a cache line plus the adjacent line the prefetcher pulls in. */
    private static final int PAD = 16;

    private final AtomicLongArray cells;
    private final int mask;

    StripedCounter(final int stripes) {
        if (Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes must be a power of two: " + stripes);
        }
        this.mask = stripes - 1;
        this.cells = new AtomicLongArray((stripes + 1) * PAD);
        for (int i = 0; i < stripes; i++) {
            // Distinct starting points so that stripes do not walk in lock-step.
            cells.set(index(i), KeyHash.mix64(i) >>> 1);
        }
    }

    /** @return a stripe count suited to this machine: the next power of two at or above twice the CPUs, at most 64. */
    static int defaultStripes() {
        final int cpus = Runtime.getRuntime().availableProcessors();
        return Math.min(64, Integer.highestOneBit(Math.max(1, cpus * 2 - 1)) << 1);
    }

    /** @return the next value of the calling thread's stripe. */
    long next() {
        // Thread ids are sequential, so low bits spread consecutive threads over distinct stripes.
        return cells.getAndIncrement(index((int) Thread.currentThread().getId() & mask));
    }

    /** @return the value {@link #next()} would return to the calling thread now, without advancing it. */
    long peek() {
        return cells.get(index((int) Thread.currentThread().getId() & mask));
    }

    /**
     * @return the position of a selection in a rotating order: a request's first choice advances the calling
     *     thread's stripe; a failover ({@code tried} not empty) reads it, so it goes on from where that first
     *     choice left the rotation, and the next request still starts one further than the last one did.
     */
    long position(final TriedSet tried) {
        return tried.isEmpty() ? next() : peek();
    }

    private static int index(final int stripe) {
        return (stripe + 1) * PAD; // stripe 0 starts one pad in, away from the array header
    }
}
