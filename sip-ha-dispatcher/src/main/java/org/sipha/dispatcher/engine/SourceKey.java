package org.sipha.dispatcher.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.SecureRandom;

/**
 * What the engine counts as one source: an IPv4 address, or an IPv6 /64 (one host controls a whole /64, so
 * counting its addresses apart would let it multiply its limits), packed into a long; and the index of such a key
 * in a power-of-two table by multiply-shift hashing with a random odd multiplier drawn once per process, so sources
 * chosen to collide for one proxy do not collide for another. An IPv6 key collides only with keys in the reserved
 * {@code ::/32}. Stateless; any thread.
 */
final class SourceKey {
    /** The key of a source whose address is unknown (an unresolved socket address). */
    static final long UNKNOWN = -1L;

    private static final long MULTIPLIER = new SecureRandom().nextLong() | 1L;

    private SourceKey() {}

    /** The key of {@code a}. Allocates a 16-byte copy for IPv6 only. */
    static long of(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.hashCode() & 0xffff_ffffL; // Inet4Address.hashCode() is the address: no byte[] copy
        }
        if (a == null) {
            return UNKNOWN;
        }
        byte[] b = a.getAddress();
        long prefix = 0;
        for (int i = 0; i < 8; i++) {
            prefix = (prefix << 8) | (b[i] & 0xff);
        }
        return prefix;
    }

    /** The home slot of {@code key} in a table of {@code 1 << bits} slots. */
    static int index(long key, int bits) {
        return (int) ((key * MULTIPLIER) >>> (64 - bits));
    }
}
