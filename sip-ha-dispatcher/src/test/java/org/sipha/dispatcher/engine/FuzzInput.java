package org.sipha.dispatcher.engine;

import java.util.Arrays;

/** Reads a fuzz input from the front: bytes, unsigned numbers, slices; past the end everything reads as zero. */
final class FuzzInput {
    private final byte[] data;
    private int pos;

    FuzzInput(byte[] data) {
        this.data = data;
    }

    boolean hasMore() {
        return pos < data.length;
    }

    int remaining() {
        return data.length - pos;
    }

    int u8() {
        return pos < data.length ? data[pos++] & 0xff : 0;
    }

    int u16() {
        return (u8() << 8) | u8();
    }

    /** The next {@code n} bytes, fewer if the input ends first. */
    byte[] bytes(int n) {
        int m = Math.max(0, Math.min(n, data.length - pos));
        byte[] b = Arrays.copyOfRange(data, pos, pos + m);
        pos += m;
        return b;
    }
}
