package org.sipha.dispatcher.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The state of one SipHash computation (Aumasson and Bernstein) over byte ranges fed one after another, with the
 * number of compression and finalisation rounds and the 64- or 128-bit output chosen per use: SipHash-1-3 for the
 * call index ({@link KeyedHash}), SipHash-2-4-128 for the branch MACs ({@link SipHashMac}). Reads eight bytes at
 * a time where it can; allocation-free. Single-threaded: an instance holds the computation in progress.
 */
final class SipHashState {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private final int compressionRounds;
    private final int finalRounds;
    private final boolean wide;
    private long v0;
    private long v1;
    private long v2;
    private long v3;
    private long tail;
    private int tailBytes;
    private int length;
    private long high;

    /** SipHash-c-d with a 64-bit ({@code wide} false) or 128-bit output. */
    SipHashState(int compressionRounds, int finalRounds, boolean wide) {
        this.compressionRounds = compressionRounds;
        this.finalRounds = finalRounds;
        this.wide = wide;
    }

    void start(long k0, long k1) {
        v0 = k0 ^ 0x736f6d6570736575L;
        v1 = k1 ^ (wide ? 0x646f72616e646f83L : 0x646f72616e646f6dL); // the 128-bit variant xors 0xee into v1
        v2 = k0 ^ 0x6c7967656e657261L;
        v3 = k1 ^ 0x7465646279746573L;
        tail = 0;
        tailBytes = 0;
        length = 0;
    }

    void absorb(byte[] buf, int off, int len) {
        int end = off + len;
        length += len;
        while (tailBytes != 0 && off < end) { // complete the word a previous range began
            absorbTail(buf[off++]);
        }
        while (end - off >= 8) {
            compress((long) LONG_LE.get(buf, off));
            off += 8;
        }
        while (off < end) {
            tail |= (buf[off++] & 0xffL) << (8 * tailBytes++);
        }
    }

    void absorb(byte b) {
        length++;
        absorbTail(b);
    }

    /** The eight bytes of {@code v}, most significant first. */
    void absorb(long v) {
        for (int i = 56; i >= 0; i -= 8) {
            absorb((byte) (v >>> i));
        }
    }

    private void absorbTail(byte b) {
        tail |= (b & 0xffL) << (8 * tailBytes);
        if (++tailBytes == 8) {
            compress(tail);
            tail = 0;
            tailBytes = 0;
        }
    }

    /** Ends the computation; returns the output's first (or only) 64 bits; {@link #high} has the second. */
    long finish() {
        compress(((long) length << 56) | tail);
        v2 ^= wide ? 0xee : 0xff;
        finalRounds();
        long h = v0 ^ v1 ^ v2 ^ v3;
        if (wide) {
            v1 ^= 0xdd;
            finalRounds();
            high = v0 ^ v1 ^ v2 ^ v3;
        }
        return h;
    }

    /** The second 64 bits of a 128-bit output, after {@link #finish}. */
    long high() {
        return high;
    }

    private void finalRounds() {
        for (int i = 0; i < finalRounds; i++) {
            round();
        }
    }

    private void compress(long m) {
        v3 ^= m;
        for (int i = 0; i < compressionRounds; i++) {
            round();
        }
        v0 ^= m;
    }

    private void round() {
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13);
        v1 ^= v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17);
        v1 ^= v2;
        v2 = Long.rotateLeft(v2, 32);
    }
}
