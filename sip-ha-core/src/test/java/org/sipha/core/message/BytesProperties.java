package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

/** The eight-bytes-a-step scan agrees with a plain loop, high bytes and unaligned ranges included. */
class BytesProperties {

    @SeededProperty(seed = 20240621L, cases = 2000)
    void indexOfFindsTheFirstMatchLikeAPlainLoop(PropertyCase c) {
        Random r = c.random();
        byte[] b = c.input("b", bytes(r));
        int from = c.input("from", BiasedDraws.between(r, 0, 80));
        int to = c.input("to", BiasedDraws.between(r, 0, 80));
        // One time in three a byte the array holds, so that matches are common.
        byte x = c.input("c", b.length > 0 && r.nextInt(3) == 0 ? b[r.nextInt(b.length)] : anyByte(r));
        int start = Math.min(from, b.length);
        int end = Math.max(start, Math.min(to, b.length));
        int want = -1;
        for (int i = start; i < end && want < 0; i++) {
            want = b[i] == x ? i : -1;
        }
        assertEquals(want, Bytes.indexOf(b, start, end, x));
    }

    @SeededProperty(seed = 20261125L, cases = 2000)
    void skipVisibleStopsAtTheFirstControlSpaceOrDelLikeAPlainLoop(PropertyCase c) {
        Random r = c.random();
        byte[] b = c.input("b", r.nextInt(3) == 0 ? visibleBytesWithOneStop(r) : bytes(r));
        int from = c.input("from", BiasedDraws.between(r, 0, 80));
        int to = c.input("to", BiasedDraws.between(r, 0, 80));
        int start = Math.min(from, b.length);
        int end = Math.max(start, Math.min(to, b.length));
        int want = start;
        while (want < end && (b[want] & 0xff) >= 0x21 && b[want] != 0x7f) {
            want++;
        }
        assertEquals(want, Bytes.skipVisible(b, start, end));
    }

    /** Up to 80 bytes of any value, small ones and the extremes favoured. */
    private static byte[] bytes(Random r) {
        byte[] b = new byte[BiasedDraws.size(r, 0, 80)];
        for (int i = 0; i < b.length; i++) {
            b[i] = anyByte(r);
        }
        return b;
    }

    /** A run of visible bytes (0x21-0x7e, 0x80-0xff) with a control byte, space or DEL at one place, if any. */
    private static byte[] visibleBytesWithOneStop(Random r) {
        byte[] b = new byte[BiasedDraws.size(r, 0, 80)];
        for (int i = 0; i < b.length; i++) {
            int v = 0x21 + r.nextInt(0x7f - 0x21 + 0x80);
            b[i] = (byte) (v < 0x7f ? v : v + 1);
        }
        int stop = r.nextInt(b.length + 1);
        if (stop < b.length) {
            b[stop] = BiasedDraws.anyOf(r, (byte) 0, (byte) '\t', (byte) '\r', (byte) ' ', (byte) 0x7f, (byte) 0x1f);
        }
        return b;
    }

    private static byte anyByte(Random r) {
        return (byte) BiasedDraws.between(r, Byte.MIN_VALUE, Byte.MAX_VALUE);
    }
}
