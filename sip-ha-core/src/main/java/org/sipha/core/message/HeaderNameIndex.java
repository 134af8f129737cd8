package org.sipha.core.message;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Classifies a header name's bytes as a {@link SipHeaderName}: the framer's per-line classification, built to
 * run without byte-by-byte work or data-dependent branches on the usual path. Stateless; any thread.
 *
 * <p>The name's first eight bytes (fewer if it is shorter), with {@code 0x20} OR-ed into each so that a letter's
 * two cases agree, are mixed with its length and multiplied into a table slot; the multiplier makes the slots
 * of the 33 names and 19 compact forms distinct (checked at class initialisation), so a slot holds at most one
 * candidate. Other names land on candidates' slots too, so the candidate is then compared exactly: its length
 * must be equal, and each eight-byte word {@code ((word | caseBits) & lengthMask) ^ lowerWord} must be zero,
 * where {@code caseBits} has {@code 0x20} only at letter positions. OR-ing {@code 0x20} into a byte gives a
 * given lower-case letter only for that letter's two cases, and every other byte must be equal outright, so a
 * match is exact, and a matched name is all token characters without a separate check.
 *
 * <p>Candidate 0 is a sentinel of length 0, which no name has: an empty slot is a candidate that fails the
 * compare, so a miss takes no extra branch. The framer passes the name's first two words, which it has
 * already loaded to find the colon; only a name longer than sixteen bytes (two rare ones) loads a third.
 */
final class HeaderNameIndex {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Longest name compared as words; no known name is longer. */
    private static final int MAX_LEN = 24;

    private static final int SLOT_BITS = 8;
    /** Spreads the known names over distinct slots; found by search, replace it if a new name collides. */
    private static final long SLOT_MULTIPLIER = 0xc954_6b43_9f9d_0129L;

    private static final long CASE_FOLD = 0x2020_2020_2020_2020L;
    private static final int OTHER = SipHeaderName.OTHER.ordinal();
    /**
     * Per candidate, eight longs: the case bits and lower-case bytes of word 0 (its mask follows from the
     * length), then the case bits, mask and lower-case bytes of words 1 and 2.
     */
    private static final int STRIDE = 8;
    /** Room for every name and compact form, plus the sentinel. */
    private static final int MAX_CANDIDATES = 2 * SipHeaderName.count() + 1;

    /** Candidate index by slot; 0 (the sentinel): no known name has this slot. */
    private static final byte[] SLOT = new byte[1 << SLOT_BITS];

    private static final long[] WORDS = new long[MAX_CANDIDATES * STRIDE];
    private static final int[] ORDINAL = new int[MAX_CANDIDATES];
    private static final int[] LENGTH = new int[MAX_CANDIDATES];
    private static final byte[][] LOWER_NAME = new byte[MAX_CANDIDATES][];
    private static int candidates = 1;

    static {
        ORDINAL[0] = OTHER;
        LOWER_NAME[0] = new byte[0];
        for (SipHeaderName h : SipHeaderName.values()) {
            if (h == SipHeaderName.OTHER) {
                continue;
            }
            add(h.canonicalName(), h.ordinal());
            if (h.compactForm() != 0) {
                add(String.valueOf(h.compactForm()), h.ordinal());
            }
        }
    }

    private HeaderNameIndex() {}

    private static void add(String name, int ordinal) {
        byte[] lower = Bytes.lowerBytes(name);
        if (lower.length > MAX_LEN) {
            throw new IllegalStateException(name + " is longer than " + MAX_LEN);
        }
        int c = candidates++;
        long first = 0;
        for (int i = 0; i < lower.length; i++) {
            int word = i / 8;
            // Word 0: case bits at t, lower bytes at t + 1 (its mask is computed from the length). Words 1, 2:
            // case bits, mask, lower bytes at t + 2 + 3 * (word - 1).
            int base = c * STRIDE + (word == 0 ? 0 : 2 + 3 * (word - 1));
            long shift = 8 * (i % 8);
            if (lower[i] >= 'a' && lower[i] <= 'z') {
                WORDS[base] |= 0x20L << shift;
            }
            if (word == 0) {
                WORDS[base + 1] |= (lower[i] & 0xffL) << shift;
                first |= (lower[i] & 0xffL) << shift;
            } else {
                WORDS[base + 1] |= 0xffL << shift;
                WORDS[base + 2] |= (lower[i] & 0xffL) << shift;
            }
        }
        ORDINAL[c] = ordinal;
        LENGTH[c] = lower.length;
        LOWER_NAME[c] = lower;
        int slot = slot(first, firstWordMask(lower.length), lower.length);
        if (SLOT[slot] != 0) {
            throw new IllegalStateException(name + " shares a slot; change SLOT_MULTIPLIER");
        }
        SLOT[slot] = (byte) c;
    }

    /** The bytes of the first word that a name of {@code len} (> 0) bytes covers. */
    private static long firstWordMask(int len) {
        return -1L >>> (8 * (8 - Math.min(len, 8)));
    }

    /** The slot of a {@code len}-byte name whose first word (little-endian) is {@code first}, under {@code mask}. */
    private static int slot(long first, long mask, int len) {
        long key = ((first | CASE_FOLD) & mask) ^ len;
        return (int) ((key * SLOT_MULTIPLIER) >>> (64 - SLOT_BITS));
    }

    /** The ordinal of the header named by the {@code len} (> 0) bytes at {@code off}; OTHER's if none matches. */
    static int classify(byte[] b, int off, int len) {
        if (len > MAX_LEN) {
            return OTHER;
        }
        if (!wordsFit(b, off, len)) {
            return classifyNearEnd(b, off, len);
        }
        return classify(b, off, len, (long) LONGS.get(b, off));
    }

    /**
     * As {@link #classify(byte[], int, int)}, given {@code w0} and {@code w1}, the little-endian words at
     * {@code off} and {@code off + 8}, which the caller has loaded: {@code off + 16 <= b.length} and
     * {@code 0 < len}. Both words are always compared (word 1 has a zero mask for a short name), so a name's
     * length decides no branch: the framer meets short and long names in no fixed order.
     */
    static int classify(byte[] b, int off, int len, long w0, long w1) {
        if (len > 16) {
            return classify(b, off, len);
        }
        long m0 = firstWordMask(len);
        int c = SLOT[slot(w0, m0, len)];
        int t = c * STRIDE;
        long d = (((w0 | WORDS[t]) & m0) ^ WORDS[t + 1]) | (LENGTH[c] ^ len);
        d |= ((w1 | WORDS[t + 2]) & WORDS[t + 3]) ^ WORDS[t + 4];
        return d == 0 ? ORDINAL[c] : OTHER;
    }

    /** As {@link #classify(byte[], int, int)}, given {@code w0}, the word at {@code off} (which fits in b). */
    private static int classify(byte[] b, int off, int len, long w0) {
        if (len > MAX_LEN) {
            return OTHER;
        }
        long m0 = firstWordMask(len);
        int c = SLOT[slot(w0, m0, len)];
        int t = c * STRIDE;
        long d = (((w0 | WORDS[t]) & m0) ^ WORDS[t + 1]) | (LENGTH[c] ^ len);
        if (len > 8) {
            if (!wordsFit(b, off, len)) {
                return classifyNearEnd(b, off, len);
            }
            d |= longNameRest(b, off, t);
        }
        return d == 0 ? ORDINAL[c] : OTHER;
    }

    /** True if the words covering a name of {@code len} bytes at {@code off} lie inside the array. */
    private static boolean wordsFit(byte[] b, int off, int len) {
        return off + 8 * ((len + 7) >>> 3) <= b.length;
    }

    /**
     * The compare of words 1 and 2 of a name longer than eight bytes, whose words fit in the array, against
     * candidate row {@code t}. Word 2 has a zero mask when the name does not reach it, so it may then be loaded
     * from anywhere in the array: clamping keeps the last lines of a message that ends at the array's end on
     * this path.
     */
    private static long longNameRest(byte[] b, int off, int t) {
        long w1 = (long) LONGS.get(b, off + 8);
        long w2 = (long) LONGS.get(b, Math.min(off + 16, b.length - 8));
        long d = ((w1 | WORDS[t + 2]) & WORDS[t + 3]) ^ WORDS[t + 4];
        return d | (((w2 | WORDS[t + 5]) & WORDS[t + 6]) ^ WORDS[t + 7]);
    }

    /** As {@link #classify}, reading byte by byte where the name's words would run past the array. */
    private static int classifyNearEnd(byte[] b, int off, int len) {
        long first = 0;
        for (int i = 0; i < Math.min(len, 8); i++) {
            first |= (b[off + i] & 0xffL) << (8 * i);
        }
        int c = SLOT[slot(first, firstWordMask(len), len)];
        // LOWER maps only letters, so a byte matches a non-letter only if equal: the compare is exact.
        return c > 0 && Bytes.equalsLower(b, off, len, LOWER_NAME[c]) ? ORDINAL[c] : OTHER;
    }
}
