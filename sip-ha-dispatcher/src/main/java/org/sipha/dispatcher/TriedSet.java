package org.sipha.dispatcher;

/**
 * The destinations (by index in their set) already tried for one request: a bitset reused for request after
 * request by one {@link FailoverIterator}, so failover allocates nothing once it has grown to the largest set.
 *
 * <p>Not thread-safe: owned by one thread. {@link #NONE} is the shared empty instance used by plain selection;
 * it is never written.
 */
final class TriedSet {
    static final TriedSet NONE = new TriedSet();

    private long[] words = new long[0];
    private int count;

    boolean contains(final int index) {
        final int w = index >>> 6;
        return w < words.length && (words[w] & (1L << index)) != 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    void add(final int index) {
        final long bit = 1L << index;
        if ((words[index >>> 6] & bit) == 0) {
            words[index >>> 6] |= bit;
            count++;
        }
    }

    /** Empties the set and makes room for indices below {@code size}; allocates only when a larger set appears. */
    void clear(final int size) {
        final int needed = (size + 63) >>> 6;
        if (words.length < needed) {
            words = new long[needed];
        } else {
            java.util.Arrays.fill(words, 0L);
        }
        count = 0;
    }

    /**
     * @return the first element of {@code candidates}, scanning cyclically from {@code start}, that is not in
     * this set; -1 when all have been tried.
     */
    int firstUntried(final int[] candidates, final int start) {
        final int n = candidates.length;
        int i = start;
        for (int k = 0; k < n; k++) {
            final int c = candidates[i];
            if (!contains(c)) {
                return c;
            }
            if (++i == n) {
                i = 0;
            }
        }
        return -1;
    }
}
