package org.sipha.dispatcher.engine;

import org.sipha.core.message.AsciiView;

/**
 * Signs and checks the Record-Route token that lets any proxy of a deployment route a dialog's later requests
 * without shared state.
 *
 * <p>The token is four URI parameters on the proxy's Record-Route entry:
 * <pre>
 *   &lt;sip:ADVERTISED_HOST:PORT;lr;shd=127.0.0.1~5081;shu=198.51.100.7~5060;shk=3fa2;shm=Kx3...(22 chars)&gt;
 *         shd = the destination chosen for the dialog           (host~port[~tcp])
 *         shu = the dialog's upstream: where its INVITE came from (host~port[~tcp])
 *         shk = the key that signed: four hex digits of SHA-256(key)
 *         shm = base64url(HMAC-SHA256(key, 'R' Call-ID 0 caller-tag 0 shd 0 shu 0))[0..22 chars]
 * </pre>
 * The caller's From tag is the only tag known when the INVITE is forwarded; on a later request it is the From
 * tag (caller to callee) or the To tag (callee to caller), so {@link #verify} tries both and
 * {@link #matchedTagB} says which one it was. Keys rotate: tokens are
 * signed with the current key, and verify under the current or the previous one, whichever {@code shk} names, so a
 * deployment changes its secret without breaking the dialogs in progress; a token of any other key is refused.
 *
 * The keys come from a {@link RecordRouteKeyRing}, loaded once per call: a rotation applies from the next message.
 *
 * <p>Not thread-safe (a digest is stateful): one signer per I/O thread. Allocation-free after construction, but
 * for the MAC state of a new key after a rotation.
 */
final class RouteTokenSigner {
    static final int TOKEN_CHARS = 22; // 132 bits of the MAC, base64url
    private static final byte DOMAIN = 'R';
    private final RotatingMacs<HmacSha256> keys;
    /** Set by {@link #verify}: whether the token verified with {@code tagB} (the request came from the callee). */
    private boolean matchedTagB;

    /** Signs with {@code key}; also accepts tokens of {@code previousKey} (null: none). */
    RouteTokenSigner(byte[] key, byte[] previousKey) {
        this(new RecordRouteKeyRing(RecordRouteKeys.of(key, previousKey)));
    }

    /** Signs with the ring's current key; also accepts tokens of its previous one. */
    RouteTokenSigner(RecordRouteKeyRing ring) {
        this.keys = new RotatingMacs<>(ring, HmacSha256::new);
    }

    /**
     * Appends {@code ;shk=<key id>;shm=<MAC>} to {@code sb} for the dialog (Call-ID, caller's tag), its destination
     * {@code sb[destStart, destEnd)} and its upstream {@code sb[upStart, upEnd)}.
     */
    void appendSignature(
            AsciiView callId,
            AsciiView callerTag,
            StringBuilder sb,
            int destStart,
            int destEnd,
            int upStart,
            int upEnd) {
        keys.refresh();
        HmacSha256 current = keys.current;
        current.start(DOMAIN)
                .update(callId)
                .update(callerTag)
                .update(sb, destStart, destEnd)
                .update(sb, upStart, upEnd)
                .finish();
        sb.append(";shk=").append(current.keyId()).append(";shm=");
        current.appendBase64Url(sb, TOKEN_CHARS);
    }

    /**
     * True if {@code b[mOff, mOff+mLen)} is the MAC, under the key {@code b[kOff, kOff+kLen)} names, of the dialog
     * (Call-ID, {@code tagA} or else {@code tagB}), destination {@code b[dOff, dOff+dLen)} and upstream
     * {@code b[uOff, uOff+uLen)}. Constant-time compare.
     */
    boolean verify(
            AsciiView callId,
            AsciiView tagA,
            AsciiView tagB,
            byte[] b,
            int dOff,
            int dLen,
            int uOff,
            int uLen,
            int kOff,
            int kLen,
            int mOff,
            int mLen) {
        if (mLen != TOKEN_CHARS) {
            return false;
        }
        keys.refresh();
        return verifyUnder(keys.current, callId, tagA, tagB, b, dOff, dLen, uOff, uLen, kOff, kLen, mOff)
                || verifyUnder(keys.previous, callId, tagA, tagB, b, dOff, dLen, uOff, uLen, kOff, kLen, mOff);
    }

    /** After a {@link #verify} that returned true: whether it was {@code tagB} that verified, not {@code tagA}. */
    boolean matchedTagB() {
        return matchedTagB;
    }

    private boolean verifyUnder(
            HmacSha256 key,
            AsciiView callId,
            AsciiView tagA,
            AsciiView tagB,
            byte[] b,
            int dOff,
            int dLen,
            int uOff,
            int uLen,
            int kOff,
            int kLen,
            int mOff) {
        if (key == null || !key.hasKeyId(b, kOff, kLen)) {
            return false;
        }
        if (macMatches(key, callId, tagA, b, dOff, dLen, uOff, uLen, mOff)) {
            matchedTagB = false;
            return true;
        }
        matchedTagB = macMatches(key, callId, tagB, b, dOff, dLen, uOff, uLen, mOff);
        return matchedTagB;
    }

    private static boolean macMatches(
            HmacSha256 key,
            AsciiView callId,
            AsciiView tag,
            byte[] b,
            int dOff,
            int dLen,
            int uOff,
            int uLen,
            int mOff) {
        if (tag == null) {
            return false;
        }
        key.start(DOMAIN)
                .update(callId)
                .update(tag)
                .update(b, dOff, dLen)
                .update(b, uOff, uLen)
                .finish();
        return key.matchesBase64Url(b, mOff, TOKEN_CHARS, TOKEN_CHARS);
    }

    /** The current key's MAC of the last {@link #appendSignature} (for the test against {@code javax.crypto.Mac}). */
    byte[] lastMac() {
        return keys.current.lastMac();
    }

    /** A key from a passphrase, for configuration files: SHA-256 of its UTF-8 bytes. */
    static byte[] keyFromSecret(String secret) {
        return HmacSha256.keyFromSecret(secret);
    }
}
