package org.sipha.dispatcher.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.sipha.core.message.AsciiView;

/**
 * SipHash-2-4 with its 128-bit output as a MAC under one key, fed piece by piece and read as truncated base64url:
 * the MAC of the proxy's Via branches ({@link BranchSigner}), which every forwarded request and every relayed
 * response computes, at about a tenth of the cost of HMAC-SHA256. Its 128-bit key is derived from the
 * Record-Route key (SHA-256 of a label and the key), so one secret and its rotation cover tokens and branches.
 * Usage: {@link #start}, the {@code update} methods, {@link #finish}, then {@link #appendBase64Url},
 * {@link #base64Url} or {@link #matchesBase64Url}.
 *
 * <p>Not thread-safe: one instance per I/O thread. Allocation-free after construction, except
 * {@link #update(InetAddress, int, boolean)} for an IPv6 address.
 */
final class SipHashMac {
    private static final byte[] LABEL = "sip-ha branch MAC\0".getBytes(StandardCharsets.US_ASCII);
    private final long k0;
    private final long k1;
    private final SipHashState state = new SipHashState(2, 4, true);
    private final byte[] out = new byte[16];

    SipHashMac(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("the Record-Route key must have at least 16 bytes");
        }
        byte[] d;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(LABEL);
            d = sha.digest(key);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        this.k0 = littleEndian(d, 0);
        this.k1 = littleEndian(d, 8);
    }

    /** With a raw 128-bit SipHash key (the reference test vectors). */
    SipHashMac(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** Starts a MAC; {@code domain} keeps the MACs of different uses apart. */
    SipHashMac start(byte domain) {
        state.start(k0, k1);
        state.absorb(domain);
        return this;
    }

    /** Starts a MAC over nothing but what follows (the reference test vectors). */
    SipHashMac start() {
        state.start(k0, k1);
        return this;
    }

    /** {@code len} bytes at {@code off}, then a 0 separator. */
    SipHashMac update(byte[] b, int off, int len) {
        state.absorb(b, off, len);
        state.absorb((byte) 0);
        return this;
    }

    /** The bytes of {@code v} (nothing if null), then a 0 separator. */
    SipHashMac update(AsciiView v) {
        if (v != null) {
            state.absorb(v.buffer(), v.offset(), v.length());
        }
        state.absorb((byte) 0);
        return this;
    }

    /** The eight bytes of {@code v}, most significant first. */
    SipHashMac update(long v) {
        state.absorb(v);
        return this;
    }

    /** An address and port, and a transport, in a canonical form (the same however the address was written). */
    SipHashMac update(InetAddress a, int port, boolean tcp) {
        if (a instanceof Inet4Address) {
            update(((a.hashCode() & 0xffffffffL) << 16) | port); // hashCode() is the IPv4 address itself
        } else {
            byte[] v6 = a.getAddress();
            state.absorb(v6, 0, v6.length);
            update((long) port);
        }
        state.absorb((byte) (tcp ? 'T' : 'U'));
        return this;
    }

    /** Ends the MAC. */
    void finish() {
        putLittleEndian(state.finish(), 0);
        putLittleEndian(state.high(), 8);
    }

    /** Appends the first {@code chars} base64url characters (6 bits each, unpadded) of the MAC to {@code sb}. */
    void appendBase64Url(StringBuilder sb, int chars) {
        MacText.append(out, sb, chars);
    }

    /** Writes the first {@code dst.length} base64url characters of the MAC into {@code dst}. */
    void base64Url(char[] dst) {
        MacText.write(out, dst);
    }

    /** True if the {@code len} bytes at {@code off} are the first {@code chars} base64url characters of the MAC. */
    boolean matchesBase64Url(byte[] b, int off, int len, int chars) {
        return MacText.matches(out, b, off, len, chars);
    }

    /** The 16 bytes of the last {@link #finish} (for the reference test vectors). */
    byte[] lastMac() {
        return out.clone();
    }

    private void putLittleEndian(long v, int at) {
        for (int i = 0; i < 8; i++) {
            out[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static long littleEndian(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }
}
