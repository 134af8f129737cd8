package org.sipha.dispatcher.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import org.sipha.core.message.AsciiView;

/**
 * SipHash-1-3 (the keyed hash hash tables use against chosen-key flooding) over byte ranges fed one after another,
 * with a key drawn once per process: Call-IDs built to collide in one proxy's table do not collide in another's,
 * nor in the same one after a restart. Reads eight bytes at a time where it can; allocation-free.
 * Single-threaded: an instance keeps the state of the hash in progress.
 */
final class KeyedHash {
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long PROCESS_K0;
    private static final long PROCESS_K1;

    static {
        SecureRandom r = new SecureRandom();
        PROCESS_K0 = r.nextLong();
        PROCESS_K1 = r.nextLong();
    }

    private final long k0;
    private final long k1;
    private long v0;
    private long v1;
    private long v2;
    private long v3;
    private long tail;
    private int tailBytes;
    private int length;

    /** With this process's key. */
    KeyedHash() {
        this(PROCESS_K0, PROCESS_K1);
    }

    /** With a given 128-bit key (tests). */
    KeyedHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** The hash of the bytes of {@code a} followed by those of {@code b} (null: none). */
    int hash(AsciiView a, AsciiView b) {
        start();
        absorb(a.buffer(), a.offset(), a.length());
        if (b != null) {
            absorb(b.buffer(), b.offset(), b.length());
        }
        return finish();
    }

    private void start() {
        v0 = k0 ^ 0x736f6d6570736575L;
        v1 = k1 ^ 0x646f72616e646f6dL;
        v2 = k0 ^ 0x6c7967656e657261L;
        v3 = k1 ^ 0x7465646279746573L;
        tail = 0;
        tailBytes = 0;
        length = 0;
    }

    private void absorb(byte[] buf, int off, int len) {
        int end = off + len;
        length += len;
        while (tailBytes != 0 && off < end) { // complete the word a previous range began
            tail |= (buf[off++] & 0xffL) << (8 * tailBytes);
            if (++tailBytes == 8) {
                compress(tail);
                tail = 0;
                tailBytes = 0;
            }
        }
        while (end - off >= 8) {
            compress((long) LONG_LE.get(buf, off));
            off += 8;
        }
        while (off < end) {
            tail |= (buf[off++] & 0xffL) << (8 * tailBytes++);
        }
    }

    private int finish() {
        compress(((long) length << 56) | tail);
        v2 ^= 0xff;
        round();
        round();
        round();
        long h = v0 ^ v1 ^ v2 ^ v3;
        return (int) (h ^ (h >>> 32));
    }

    private void compress(long m) {
        v3 ^= m;
        round();
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
