package org.sipha.dispatcher.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.sipha.core.message.AsciiView;

/**
 * HMAC-SHA256 under one key, fed piece by piece and read as truncated base64url: the MAC behind the Record-Route
 * token ({@link RouteTokenSigner}) and the proxy's Via branches ({@link BranchSigner}).
 *
 * <p>Computed as RFC 2104 defines it over a reused {@link MessageDigest}, not through {@code javax.crypto.Mac},
 * whose {@code doFinal} allocates its result arrays on every call; the test checks the result against {@code Mac}
 * byte for byte. Usage: {@link #start}, the {@code update} methods, {@link #finish}, then {@link #appendBase64Url}
 * or {@link #matchesBase64Url}. The key is named by {@link #keyId()}: four hex digits of SHA-256(key).
 *
 * <p>Not thread-safe (a digest is stateful): one instance per I/O thread. Allocation-free after construction,
 * except {@link #update(InetAddress, int, boolean)} for an IPv6 address.
 */
final class HmacSha256 {
    private static final int BLOCK = 64; // SHA-256 block size
    private final MessageDigest sha;
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] inner = new byte[32];
    private final byte[] out = new byte[32];
    private final byte[] scratch = new byte[64];
    private final String keyId;

    HmacSha256(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("the Record-Route key must have at least 16 bytes");
        }
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        byte[] digest = sha.digest(key);
        keyId = String.format("%02x%02x", digest[0] & 0xff, digest[1] & 0xff);
        byte[] k = key.length > BLOCK ? digest : key;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ 0x36);
            outerPad[i] = (byte) (b ^ 0x5c);
        }
        // SHA-256 allocates its work array on its first block: do that here, not under the first real call,
        // where it is a branch the JIT-compiled code (warmed on other instances) has never taken
        sha.update(innerPad);
        sha.reset();
    }

    /** Four lower-case hex digits naming the key (the first two bytes of SHA-256(key)). */
    String keyId() {
        return keyId;
    }

    /** True if the {@code len} bytes at {@code off} are this key's {@link #keyId()}. */
    boolean hasKeyId(byte[] b, int off, int len) {
        if (len != keyId.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (b[off + i] != keyId.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Starts a MAC; {@code domain} keeps the MACs of different uses apart. */
    HmacSha256 start(byte domain) {
        sha.reset();
        sha.update(innerPad);
        sha.update(domain);
        return this;
    }

    /** {@code len} bytes at {@code off}, then a 0 separator. */
    HmacSha256 update(byte[] b, int off, int len) {
        sha.update(b, off, len);
        sha.update((byte) 0);
        return this;
    }

    /** The bytes of {@code v} (nothing if null), then a 0 separator. */
    HmacSha256 update(AsciiView v) {
        if (v != null) {
            sha.update(v.buffer(), v.offset(), v.length());
        }
        sha.update((byte) 0);
        return this;
    }

    /** {@code chars[start, end)} as ASCII, then a 0 separator. */
    HmacSha256 update(CharSequence chars, int start, int end) {
        int n = 0;
        for (int i = start; i < end; i++) {
            scratch[n++] = (byte) chars.charAt(i);
            if (n == scratch.length) {
                sha.update(scratch, 0, n);
                n = 0;
            }
        }
        scratch[n++] = 0;
        sha.update(scratch, 0, n);
        return this;
    }

    HmacSha256 update(long v) {
        for (int i = 0; i < 8; i++) {
            scratch[i] = (byte) (v >>> (56 - 8 * i));
        }
        sha.update(scratch, 0, 8);
        return this;
    }

    /** An address and port, and a transport, in a canonical form (the same however the address was written). */
    HmacSha256 update(InetAddress a, int port, boolean tcp) {
        if (a instanceof Inet4Address) {
            update(((a.hashCode() & 0xffffffffL) << 16) | port); // hashCode() is the IPv4 address itself
        } else {
            byte[] v6 = a.getAddress();
            sha.update(v6, 0, v6.length);
            update((long) port);
        }
        sha.update((byte) (tcp ? 'T' : 'U'));
        return this;
    }

    /** Ends the MAC: {@code H(K^opad || H(K^ipad || message))}. */
    void finish() {
        try {
            sha.digest(inner, 0, inner.length);
            sha.update(outerPad);
            sha.update(inner);
            sha.digest(out, 0, out.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e); // cannot happen: the arrays are digest-sized
        }
    }

    /** Appends the first {@code chars} base64url characters (6 bits each, unpadded) of the MAC to {@code sb}. */
    void appendBase64Url(StringBuilder sb, int chars) {
        MacText.append(out, sb, chars);
    }

    /** Writes the first {@code dst.length} base64url characters of the MAC into {@code dst}. */
    void base64Url(char[] dst) {
        MacText.write(out, dst);
    }

    /** True if the {@code len} bytes at {@code off} are the first {@code len} base64url characters of the MAC. */
    boolean matchesBase64Url(byte[] b, int off, int len, int chars) {
        return MacText.matches(out, b, off, len, chars);
    }

    /** The full 32-byte MAC of the last {@link #finish} (for the test against {@code javax.crypto.Mac}). */
    byte[] lastMac() {
        return out.clone();
    }

    /** A key from a passphrase, for configuration files: SHA-256 of its UTF-8 bytes. */
    static byte[] keyFromSecret(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
