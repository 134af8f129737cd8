package org.sipha.dispatcher.engine;

import java.security.SecureRandom;
import org.sipha.core.message.AsciiView;

/**
 * SipHash-1-3 (the keyed hash hash tables use against chosen-key flooding) over byte ranges fed one after another,
 * with a key drawn once per process: Call-IDs built to collide in one proxy's table do not collide in another's,
 * nor in the same one after a restart. Allocation-free.
 * Single-threaded: an instance keeps the state of the hash in progress.
 */
final class KeyedHash {
    private static final long PROCESS_K0;
    private static final long PROCESS_K1;

    static {
        SecureRandom r = new SecureRandom();
        PROCESS_K0 = r.nextLong();
        PROCESS_K1 = r.nextLong();
    }

    private final long k0;
    private final long k1;
    private final SipHashState state = new SipHashState(1, 3, false);

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
        state.start(k0, k1);
        state.absorb(a.buffer(), a.offset(), a.length());
        if (b != null) {
            state.absorb(b.buffer(), b.offset(), b.length());
        }
        long h = state.finish();
        return (int) (h ^ (h >>> 32));
    }
}
