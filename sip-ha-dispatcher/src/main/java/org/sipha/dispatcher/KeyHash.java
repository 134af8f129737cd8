package org.sipha.dispatcher;

/**
 * Turns a routing key (Call-ID, From user, To user, Request-URI, any header value) into the 64-bit hash the
 * hash-based algorithms take. The dispatcher never looks at SIP itself: callers extract the key with whatever
 * parser they use and pass either the characters or a hash they computed.
 *
 * <p>Stateless and allocation-free; any thread.
 */
public final class KeyHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private KeyHash() {}

    /** @return the hash of all characters of {@code key}. */
    public static long of(final CharSequence key) {
        return of(key, 0, key.length());
    }

    /** @return the hash of {@code key[start, end)}, equal to {@code of(key.subSequence(start, end))}. */
    public static long of(final CharSequence key, final int start, final int end) {
        // FNV-1a is weak in its low bits on short keys; the final mix spreads every input bit over all output bits.
        long h = FNV_OFFSET;
        for (int i = start; i < end; i++) {
            h = (h ^ key.charAt(i)) * FNV_PRIME;
        }
        return mix64(h);
    }

    /** @return a well-mixed 64-bit hash of a precomputed key such as an {@code int} hash code. */
    public static long ofLong(final long key) {
        return mix64(key);
    }

    /** SplitMix64 / Murmur3 finaliser: a bijection whose output bits each depend on all input bits. */
    public static long mix64(final long x) {
        long z = x + 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Maps a hash onto {@code [0, n)} without division (Lemire's multiply-shift on the high 32 bits). */
    static int reduce(final long hash, final int n) {
        return (int) (((hash >>> 32) * n) >>> 32);
    }
}
