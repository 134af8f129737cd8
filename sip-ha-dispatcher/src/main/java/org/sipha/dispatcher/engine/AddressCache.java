package org.sipha.dispatcher.engine;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a host (IP literal) and port read from a message into an {@link InetSocketAddress} without allocating
 * on a hit: a direct-mapped cache keyed by the host bytes and port. Names are never resolved (no DNS on an I/O
 * thread): a host that is not an IP literal yields null. Single-threaded: one cache per event loop.
 */
final class AddressCache {
    private static final int SIZE = 1024;
    private final byte[][] hosts = new byte[SIZE][];
    private final int[] ports = new int[SIZE];
    private final InetSocketAddress[] addresses = new InetSocketAddress[SIZE];

    /** The address for {@code len} bytes of host at {@code off} and {@code port}, or null if not an IP literal. */
    InetSocketAddress resolve(byte[] b, int off, int len, int port) {
        if (len <= 0 || port <= 0 || port > 65535) {
            return null;
        }
        int h = port;
        for (int i = 0; i < len; i++) {
            h = h * 31 + b[off + i];
        }
        int slot = (h ^ (h >>> 16)) & (SIZE - 1);
        byte[] k = hosts[slot];
        if (k != null && ports[slot] == port && Arrays.equals(k, 0, k.length, b, off, off + len)) {
            return addresses[slot];
        }
        InetSocketAddress a;
        try {
            a = new InetSocketAddress(NextHop.literal(new String(b, off, len, StandardCharsets.US_ASCII)), port);
        } catch (IllegalArgumentException e) {
            return null;
        }
        hosts[slot] = Arrays.copyOfRange(b, off, off + len);
        ports[slot] = port;
        addresses[slot] = a;
        return a;
    }

    /** True if a token destination names TCP ({@code host~port~tcp}). */
    static boolean tokenIsTcp(byte[] b, int off, int len) {
        return len > 4
                && b[off + len - 4] == '~'
                && b[off + len - 3] == 't'
                && b[off + len - 2] == 'c'
                && b[off + len - 1] == 'p';
    }

    /** Resolves a token destination {@code host~port[~tcp]}; null if malformed. */
    InetSocketAddress resolveToken(byte[] b, int off, int len) {
        if (tokenIsTcp(b, off, len)) {
            len -= 4;
        }
        int tilde = -1;
        for (int i = off + len - 1; i >= off; i--) {
            if (b[i] == '~') {
                tilde = i;
                break;
            }
        }
        if (tilde <= off || tilde == off + len - 1 || off + len - tilde > 6) {
            return null;
        }
        int port = 0;
        for (int i = tilde + 1; i < off + len; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return null;
            }
            port = port * 10 + (b[i] - '0');
        }
        return resolve(b, off, tilde - off, port);
    }
}
