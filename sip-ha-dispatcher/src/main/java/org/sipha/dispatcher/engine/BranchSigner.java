package org.sipha.dispatcher.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;

/**
 * The MACs that make the proxy's Via branches unforgeable, so that only a response to a request this proxy
 * forwarded is relayed, and only to where that request came from. Keyed like the Record-Route token (the current
 * key signs; the current or the previous one verifies); 16 base64url characters (96 bits) of SipHash-2-4-128
 * ({@link SipHashMac}, about a tenth of HMAC-SHA256's cost, since every forwarded request and relayed response
 * computes one) over:
 * <pre>
 *   stateless ('L'): Call-ID, CSeq number and method, the upstream's branch, the response target
 *   stateful  ('S'): Call-ID, CSeq number, the upstream's branch, the response target, and the destination the
 *                    branch was sent to (its response must come from there)
 * </pre>
 * The response target is where the response path sends the response by the upstream's Via as the proxy stamped it
 * (received, rport; see {@link ViaCodec#stampReceived}): its address, port and transport. A stateful MAC leaves out
 * the CSeq method, since a CANCEL shares its INVITE's branch, and everything that is state of the proxy that
 * forwarded it (loop, call slot, attempt: {@link ViaCodec} carries those beside the branch), so that another proxy
 * sharing the key works out from a CANCEL the branch its INVITE had at each destination. Deterministic: a
 * retransmission gets the same branch (RFC 3261 16.11).
 *
 * <p>The keys come from a {@link RecordRouteKeyRing}, loaded once per call, so a rotation applies from the next
 * message; a branch signed before it verifies under the previous key.
 *
 * <p>Not thread-safe: one per event loop. Allocation-free (but for IPv6 addresses, see {@link SipHashMac}, and the
 * MAC state of a new key after a rotation).
 */
final class BranchSigner {
    static final int MAC_CHARS = 16;
    private static final byte STATELESS = 'L';
    private static final byte STATEFUL = 'S';
    private final RotatingMacs<SipHashMac> keys;

    BranchSigner(byte[] key, byte[] previousKey) {
        this(new RecordRouteKeyRing(RecordRouteKeys.of(key, previousKey)));
    }

    BranchSigner(RecordRouteKeyRing ring) {
        this.keys = new RotatingMacs<>(ring, SipHashMac::new);
    }

    /** Appends the MAC of a stateless forward to {@code sb}. */
    void appendStateless(
            StringBuilder sb,
            AsciiView callId,
            long cseq,
            AsciiView cseqMethod,
            AsciiView upstreamBranch,
            InetAddress target,
            int targetPort,
            boolean targetTcp) {
        keys.refresh();
        SipHashMac current = keys.current;
        stateless(current, callId, cseq, cseqMethod, upstreamBranch, target, targetPort, targetTcp);
        current.appendBase64Url(sb, MAC_CHARS);
    }

    /** True if {@code b[macOff, macOff+macLen)} is the MAC of this stateless forward, under either key. */
    boolean verifiesStateless(
            byte[] b,
            int macOff,
            int macLen,
            AsciiView callId,
            long cseq,
            AsciiView cseqMethod,
            AsciiView upstreamBranch,
            InetSocketAddress target,
            boolean targetTcp) {
        if (macLen != MAC_CHARS) {
            return false;
        }
        keys.refresh();
        SipHashMac current = keys.current;
        SipHashMac previous = keys.previous;
        stateless(current, callId, cseq, cseqMethod, upstreamBranch, target.getAddress(), target.getPort(), targetTcp);
        if (current.matchesBase64Url(b, macOff, macLen, MAC_CHARS)) {
            return true;
        }
        if (previous == null) {
            return false;
        }
        stateless(previous, callId, cseq, cseqMethod, upstreamBranch, target.getAddress(), target.getPort(), targetTcp);
        return previous.matchesBase64Url(b, macOff, macLen, MAC_CHARS);
    }

    /**
     * Writes into {@code dst} ({@link #MAC_CHARS} long) the MAC of a stateful branch of the request identified by
     * the rest, sent to {@code destination}. Any proxy of the deployment computes the same one from the request's
     * CANCEL (same Call-ID, CSeq number, top Via and source).
     */
    void signStateful(
            char[] dst,
            AsciiView callId,
            long cseq,
            AsciiView upstreamBranch,
            InetAddress target,
            int targetPort,
            boolean targetTcp,
            InetSocketAddress destination) {
        keys.refresh();
        SipHashMac current = keys.current;
        stateful(current, callId, cseq, upstreamBranch, target, targetPort, targetTcp, destination);
        current.base64Url(dst);
    }

    /**
     * True if {@code b[macOff, macOff+macLen)} is, under either key, the MAC of a stateful branch of the request
     * identified by the rest, sent to {@code source}.
     */
    boolean verifiesStateful(
            byte[] b,
            int macOff,
            int macLen,
            AsciiView callId,
            long cseq,
            AsciiView upstreamBranch,
            InetSocketAddress target,
            boolean targetTcp,
            InetSocketAddress source) {
        if (macLen != MAC_CHARS) {
            return false;
        }
        keys.refresh();
        SipHashMac current = keys.current;
        SipHashMac previous = keys.previous;
        stateful(current, callId, cseq, upstreamBranch, target.getAddress(), target.getPort(), targetTcp, source);
        if (current.matchesBase64Url(b, macOff, macLen, MAC_CHARS)) {
            return true;
        }
        if (previous == null) {
            return false;
        }
        stateful(previous, callId, cseq, upstreamBranch, target.getAddress(), target.getPort(), targetTcp, source);
        return previous.matchesBase64Url(b, macOff, macLen, MAC_CHARS);
    }

    /** True if {@code b[macOff, macOff+macLen)} equals the stored MAC {@code mac}. Constant-time compare. */
    static boolean matchesStored(byte[] b, int macOff, int macLen, char[] mac) {
        if (macLen != mac.length) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < macLen; i++) {
            diff |= mac[i] ^ (b[macOff + i] & 0xff);
        }
        return diff == 0;
    }

    private static void stateless(
            SipHashMac h,
            AsciiView callId,
            long cseq,
            AsciiView cseqMethod,
            AsciiView upstreamBranch,
            InetAddress target,
            int targetPort,
            boolean targetTcp) {
        h.start(STATELESS)
                .update(callId)
                .update(cseq)
                .update(cseqMethod)
                .update(upstreamBranch)
                .update(target, targetPort, targetTcp)
                .finish();
    }

    private static void stateful(
            SipHashMac h,
            AsciiView callId,
            long cseq,
            AsciiView upstreamBranch,
            InetAddress target,
            int targetPort,
            boolean targetTcp,
            InetSocketAddress destination) {
        h.start(STATEFUL)
                .update(callId)
                .update(cseq)
                .update(upstreamBranch)
                .update(target, targetPort, targetTcp)
                .update(destination.getAddress(), destination.getPort(), false)
                .finish();
    }
}
