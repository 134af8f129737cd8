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
 * candidate. Other names land on candidates' slots too, so the candidate's length is checked, and then it is
 * compared as three eight-byte words, always all three: {@code ((word | caseBits) & lengthMask) ^ lowerWord}
 * must be zero in each, where {@code caseBits} has {@code 0x20} only at letter positions. OR-ing {@code 0x20}
 * into a byte gives a given lower-case letter only for that letter's two cases, and every other byte must be
 * equal outright, so a match is exact, and a matched name is all token characters without a separate check.
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
    /** Per candidate, nine longs: for each of three words its case bits, length mask and lower-case bytes. */
    private static final int STRIDE = 9;

    /** Candidate index + 1 by slot; 0: no known name has this slot. */
    private static final byte[] SLOT = new byte[1 << SLOT_BITS];
    private static final long[] WORDS = new long[2 * SipHeaderName.count() * STRIDE];
    private static final int[] ORDINAL = new int[2 * SipHeaderName.count()];
    private static final int[] LENGTH = new int[2 * SipHeaderName.count()];
    private static final byte[][] LOWER_NAME = new byte[2 * SipHeaderName.count()][];
    private static int candidates;

    static {
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

    private HeaderNameIndex() {
    }

    private static void add(String name, int ordinal) {
        byte[] lower = Bytes.lowerBytes(name);
        int c = candidates++;
        long first = 0;
        for (int i = 0; i < lower.length; i++) {
            int base = c * STRIDE + 3 * (i / 8);
            long shift = 8 * (i % 8);
            if (lower[i] >= 'a' && lower[i] <= 'z') {
                WORDS[base] |= 0x20L << shift;
            }
            WORDS[base + 1] |= 0xffL << shift;
            WORDS[base + 2] |= (lower[i] & 0xffL) << shift;
            if (i < 8) {
                first |= (lower[i] & 0xffL) << shift;
            }
        }
        ORDINAL[c] = ordinal;
        LENGTH[c] = lower.length;
        LOWER_NAME[c] = lower;
        int slot = slot(first, lower.length);
        if (SLOT[slot] != 0) {
            throw new IllegalStateException(name + " shares a slot; change SLOT_MULTIPLIER");
        }
        SLOT[slot] = (byte) (c + 1);
    }

    /** The slot of a name of length {@code len} whose first eight bytes (little-endian) are {@code first}. */
    private static int slot(long first, int len) {
        long key = ((first | CASE_FOLD) & (-1L >>> (8 * (8 - Math.min(len, 8))))) ^ len;
        return (int) ((key * SLOT_MULTIPLIER) >>> (64 - SLOT_BITS));
    }

    /** The ordinal of the header named by the {@code len} (> 0) bytes at {@code off}; OTHER's if none matches. */
    static int classify(byte[] b, int off, int len) {
        if (len > MAX_LEN) {
            return OTHER;
        }
        if (off + 8 * ((len + 7) >>> 3) > b.length) {
            return classifyNearEnd(b, off, len);
        }
        long w0 = (long) LONGS.get(b, off);
        int c = SLOT[slot(w0, len)] - 1;
        if (c < 0 || LENGTH[c] != len) {
            return OTHER;
        }
        // The words a name does not reach have a zero mask, so they may be loaded from anywhere in the array:
        // clamping keeps the last lines of a message that ends at the array's end on this path.
        long w1 = (long) LONGS.get(b, Math.min(off + 8, b.length - 8));
        long w2 = (long) LONGS.get(b, Math.min(off + 16, b.length - 8));
        int t = c * STRIDE;
        long d = ((w0 | WORDS[t]) & WORDS[t + 1]) ^ WORDS[t + 2];
        d |= ((w1 | WORDS[t + 3]) & WORDS[t + 4]) ^ WORDS[t + 5];
        d |= ((w2 | WORDS[t + 6]) & WORDS[t + 7]) ^ WORDS[t + 8];
        return d == 0 ? ORDINAL[c] : OTHER;
    }

    /** As {@link #classify}, reading byte by byte where the name's words would run past the array. */
    private static int classifyNearEnd(byte[] b, int off, int len) {
        long first = 0;
        for (int i = 0; i < Math.min(len, 8); i++) {
            first |= (b[off + i] & 0xffL) << (8 * i);
        }
        int c = SLOT[slot(first, len)] - 1;
        // LOWER maps only letters, so a byte matches a non-letter only if equal: the compare is exact.
        return c >= 0 && Bytes.equalsLower(b, off, len, LOWER_NAME[c]) ? ORDINAL[c] : OTHER;
    }
}
