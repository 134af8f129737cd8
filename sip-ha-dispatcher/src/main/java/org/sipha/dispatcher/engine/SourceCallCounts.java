package org.sipha.dispatcher.engine;

/**
 * How many call slots each source holds on one event loop, so that one source (a carrier or an attacker) can hold
 * at most its share of them. An open-addressing table of source keys ({@link SourceKey}) with linear probing and
 * backward-shift deletion, twice as large as the number of call slots: every key in it holds at least one slot, so
 * it is at most half full and a probe stays short; the hash's random multiplier keeps chosen sources from piling
 * up. Exact (nothing is evicted) and allocation-free. Single-threaded: the owning loop.
 */
final class SourceCallCounts {
    private final int bits;
    private final int mask;
    private final long[] keys;
    /** Slots held by the key in the same slot; 0 marks a free slot. */
    private final int[] counts;

    private final int limit;

    /** Counts for a loop of {@code callSlots} slots, of which one source may hold {@code limit}. */
    SourceCallCounts(int callSlots, int limit) {
        int slots = Integer.highestOneBit(Math.max(16, callSlots * 2 - 1)) << 1;
        this.bits = Integer.numberOfTrailingZeros(slots);
        this.mask = slots - 1;
        this.keys = new long[slots];
        this.counts = new int[slots];
        this.limit = limit;
    }

    /** Takes one slot for {@code key}, unless it already holds its limit; false then. */
    boolean tryAcquire(long key) {
        int i = SourceKey.index(key, bits);
        while (counts[i] != 0) {
            if (keys[i] == key) {
                if (counts[i] >= limit) {
                    return false;
                }
                counts[i]++;
                return true;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        counts[i] = 1;
        return true;
    }

    /** Gives back one slot of {@code key} (which must hold one). */
    void release(long key) {
        int i = SourceKey.index(key, bits);
        while (counts[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (counts[i] == 0) {
            return; // not held: nothing to give back
        }
        if (--counts[i] == 0) {
            shiftBack(i);
        }
    }

    /** Slots {@code key} holds. */
    int count(long key) {
        int i = SourceKey.index(key, bits);
        while (counts[i] != 0) {
            if (keys[i] == key) {
                return counts[i];
            }
            i = (i + 1) & mask;
        }
        return 0;
    }

    /** Refills the hole at {@code hole} with later entries of its run whose home lies at or before it. */
    private void shiftBack(int hole) {
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (counts[i] == 0) {
                return;
            }
            int home = SourceKey.index(keys[i], bits);
            if (((i - home) & mask) >= ((i - hole) & mask)) { // home at or before the hole, cyclically
                keys[hole] = keys[i];
                counts[hole] = counts[i];
                counts[i] = 0;
                hole = i;
            }
        }
    }
}
