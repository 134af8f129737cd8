package org.sipha.dispatcher.engine;

/**
 * A MAC's bytes as unpadded base64url text, the form MACs take in Via branches and Record-Route tokens: written
 * into a builder or array, or compared in constant time with text received. Stateless; any thread.
 */
final class MacText {
    private static final char[] B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private MacText() {}

    /** Appends the first {@code chars} characters (6 bits each) of {@code mac}'s base64url form to {@code sb}. */
    static void append(byte[] mac, StringBuilder sb, int chars) {
        for (int i = 0; i < chars; i++) {
            sb.append(B64[sixBits(mac, i)]);
        }
    }

    /** Writes the first {@code dst.length} base64url characters of {@code mac} into {@code dst}. */
    static void write(byte[] mac, char[] dst) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = B64[sixBits(mac, i)];
        }
    }

    /** True if the {@code len} bytes at {@code off} are the first {@code chars} base64url characters of {@code mac}. */
    static boolean matches(byte[] mac, byte[] b, int off, int len, int chars) {
        if (len != chars) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < len; i++) {
            diff |= B64[sixBits(mac, i)] ^ (b[off + i] & 0xff);
        }
        return diff == 0;
    }

    /** Character {@code i} of the base64url form: bits [6i, 6i+6) of {@code mac}. */
    private static int sixBits(byte[] mac, int i) {
        int bit = 6 * i;
        int v = ((mac[bit >> 3] & 0xff) << 8) | (mac[(bit >> 3) + 1] & 0xff);
        return (v >>> (10 - (bit & 7))) & 63;
    }
}
