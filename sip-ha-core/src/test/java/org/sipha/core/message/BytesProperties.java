package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The eight-bytes-a-step scan agrees with a plain loop, high bytes and unaligned ranges included. */
class BytesProperties {

    @Property(tries = 2000, seed = "20240621")
    void indexOfFindsTheFirstMatchLikeAPlainLoop(@ForAll @Size(max = 80) byte[] b,
                                                 @ForAll @IntRange(max = 80) int from,
                                                 @ForAll @IntRange(max = 80) int to,
                                                 @ForAll byte c) {
        int start = Math.min(from, b.length);
        int end = Math.max(start, Math.min(to, b.length));
        int want = -1;
        for (int i = start; i < end && want < 0; i++) {
            want = b[i] == c ? i : -1;
        }
        assertEquals(want, Bytes.indexOf(b, start, end, c));
    }

    @Property(tries = 2000, seed = "20261125")
    void skipVisibleStopsAtTheFirstControlSpaceOrDelLikeAPlainLoop(@ForAll @Size(max = 80) byte[] b,
                                                                   @ForAll @IntRange(max = 80) int from,
                                                                   @ForAll @IntRange(max = 80) int to) {
        int start = Math.min(from, b.length);
        int end = Math.max(start, Math.min(to, b.length));
        int want = start;
        while (want < end && (b[want] & 0xff) >= 0x21 && b[want] != 0x7f) {
            want++;
        }
        assertEquals(want, Bytes.skipVisible(b, start, end));
    }
}
