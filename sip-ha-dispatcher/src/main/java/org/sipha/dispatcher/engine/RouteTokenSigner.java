package org.sipha.dispatcher.engine;

import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.sipha.core.message.AsciiView;

/**
 * Signs and checks the Record-Route token that lets any proxy of a deployment route a dialog's later requests
 * without shared state.
 *
 * <p>The token is two URI parameters on the proxy's Record-Route entry:
 * <pre>
 *   &lt;sip:ADVERTISED_HOST:PORT;lr;shd=127.0.0.1~5081;shm=Kx3...(22 chars)&gt;
 *         shd = the destination chosen for the dialog
 *         shm = base64url(HMAC-SHA256(key, Call-ID 0x00 caller-tag 0x00 shd))[0..16 bytes]
 * </pre>
 * The caller's From tag is the only tag known when the INVITE is forwarded; on a later request it is the From
 * tag (caller to callee) or the To tag (callee to caller), so {@link #verify} tries both.
 *
 * <p>HMAC-SHA256 is computed as RFC 2104 defines it over a reused {@link MessageDigest}, not through
 * {@code javax.crypto.Mac}, whose {@code doFinal} allocates its result arrays on every call; the test checks the
 * result against {@code Mac} byte for byte.
 *
 * <p>Not thread-safe (a digest is stateful): one signer per I/O thread. Allocation-free after construction.
 */
final class RouteTokenSigner {
    static final int MAC_BYTES = 16;
    static final int TOKEN_CHARS = 22; // base64url of 16 bytes, unpadded
    private static final byte[] SEP = {0};
    private static final char[] B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private static final int BLOCK = 64; // SHA-256 block size
    private final MessageDigest sha;
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] inner = new byte[32];
    private final byte[] out = new byte[32];
    private final char[] chars = new char[TOKEN_CHARS];

    RouteTokenSigner(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("the Record-Route key must have at least 16 bytes");
        }
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        byte[] k = key.length > BLOCK ? sha.digest(key) : key;
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

    /** Appends the token for (Call-ID, caller tag, destination) to {@code sb} as base64url. */
    void sign(AsciiView callId, AsciiView tag, byte[] dest, int destOff, int destLen, StringBuilder sb) {
        compute(callId, tag, dest, destOff, destLen);
        encode();
        sb.append(chars);
    }

    /** True if {@code token} is the valid token for (Call-ID, tag, destination). Constant-time compare. */
    boolean verify(AsciiView callId, AsciiView tag, byte[] dest, int destOff, int destLen,
                   byte[] token, int tokenOff, int tokenLen) {
        if (tokenLen != TOKEN_CHARS || tag == null) {
            return false;
        }
        compute(callId, tag, dest, destOff, destLen);
        encode();
        int diff = 0;
        for (int i = 0; i < TOKEN_CHARS; i++) {
            diff |= chars[i] ^ (token[tokenOff + i] & 0xff);
        }
        return diff == 0;
    }

    /** {@code out} = HMAC-SHA256(key, Call-ID 0x00 tag 0x00 dest) = H(K^opad || H(K^ipad || message)). */
    private void compute(AsciiView callId, AsciiView tag, byte[] dest, int destOff, int destLen) {
        sha.update(innerPad);
        sha.update(callId.buffer(), callId.offset(), callId.length());
        sha.update(SEP);
        if (tag != null) {
            sha.update(tag.buffer(), tag.offset(), tag.length());
        }
        sha.update(SEP);
        sha.update(dest, destOff, destLen);
        try {
            sha.digest(inner, 0, inner.length);
            sha.update(outerPad);
            sha.update(inner);
            sha.digest(out, 0, out.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e); // cannot happen: the arrays are digest-sized
        }
    }

    /** The full 32-byte HMAC of the last sign/verify (for the test against {@code javax.crypto.Mac}). */
    byte[] lastMac() {
        return out.clone();
    }

    private void encode() {
        int c = 0;
        int i = 0;
        for (; i + 3 <= MAC_BYTES; i += 3) {
            int v = ((out[i] & 0xff) << 16) | ((out[i + 1] & 0xff) << 8) | (out[i + 2] & 0xff);
            chars[c++] = B64[v >>> 18];
            chars[c++] = B64[(v >>> 12) & 63];
            chars[c++] = B64[(v >>> 6) & 63];
            chars[c++] = B64[v & 63];
        }
        int v = (out[i] & 0xff) << 16; // 16 = 5*3 + 1: one byte left, two chars
        chars[c++] = B64[v >>> 18];
        chars[c] = B64[(v >>> 12) & 63];
    }

    /** A key from a passphrase, for configuration files: SHA-256 of its UTF-8 bytes. */
    static byte[] keyFromSecret(String secret) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256")
                .digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
