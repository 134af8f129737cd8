package org.sipha.dispatcher.engine;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.ViaView;

/**
 * The proxy's Via headers: the branches it writes and reads back, and the received/rport it stamps on the sender's
 * Via. A stateful branch is {@code z9hG4bKshS<loop>.<slot>.<gen>.<attempt>} (hex), so a response finds its loop and
 * call slot without a lookup and a stale generation or attempt never touches a reused slot; a stateless one is
 * {@code z9hG4bKshL<hash>} over Call-ID, upstream branch and CSeq, the same for a retransmission (RFC 3261 16.11).
 * One per loop; its scratch builders make it single-threaded (the owning loop). The static methods: any thread.
 */
final class ViaCodec {
    static final String COOKIE = "z9hG4bKsh";

    private final int loopIndex;
    private final String viaPrefix;
    private final String viaPrefixTcp;
    private final String advertisedHost;
    private final int advertisedPort;
    private final SipMessageEditor editor;
    private final StringBuilder via = new StringBuilder(160);
    private final StringBuilder ip = new StringBuilder(48);

    ViaCodec(LoopContext ctx) {
        this.loopIndex = ctx.index;
        this.editor = ctx.editor;
        this.advertisedHost = ctx.cfg.advertisedHost();
        this.advertisedPort = ctx.cfg.advertisedPort();
        String hostPort = advertisedHost + ':' + advertisedPort;
        this.viaPrefix = "SIP/2.0/UDP " + hostPort + ";branch=" + COOKIE;
        this.viaPrefixTcp = "SIP/2.0/TCP " + hostPort + ";branch=" + COOKIE;
    }

    /** The Via of the current branch of {@code s}; valid until the next call on this codec. */
    CharSequence stateful(CallState s) {
        via.setLength(0);
        via.append(s.destination.isTcp() ? viaPrefixTcp : viaPrefix).append('S');
        appendHex(via, loopIndex);
        via.append('.');
        appendHex(via, s.slot);
        via.append('.');
        appendHex(via, s.generation);
        via.append('.');
        appendHex(via, s.attempt);
        return via;
    }

    /** The Via for forwarding {@code request} statelessly; valid until the next call on this codec. */
    CharSequence stateless(SipMessageView request, boolean tcpHop) {
        via.setLength(0);
        via.append(tcpHop ? viaPrefixTcp : viaPrefix).append('L');
        AsciiView br = request.topVia().branch();
        appendHex(via, request.callId().contentHash());
        appendHex(via, br == null ? 0 : br.contentHash());
        appendHex(via, (int) request.cseqNumber());
        return via;
    }

    /** Adds received (if the source differs from sent-by) and fills rport (RFC 3581) on the top Via, in the edit. */
    void stampReceived(SipMessageView view, InetSocketAddress src, boolean stream) {
        ip.setLength(0);
        if (src.getAddress() instanceof Inet4Address) {
            int a = src.getAddress().hashCode(); // the IPv4 address itself; no byte[] copy
            ip.append(a >>> 24).append('.').append((a >>> 16) & 255).append('.').append((a >>> 8) & 255)
                .append('.').append(a & 255);
        } else {
            ip.append('[').append(src.getAddress().getHostAddress()).append(']');
        }
        ViaView top = view.topVia();
        boolean differs = !top.host().contentEqualsIgnoreCase(ip);
        if (stream) { // the response must find this connection (its ephemeral port) again, statelessly too
            editor.setTopViaReceivedAndRport(differs ? ip : null, src.getPort());
        } else if (differs || top.hasRport()) {
            editor.setTopViaReceived(differs ? ip : null, src.getPort());
        }
    }

    /** True if {@code v} is a Via this proxy wrote (its cookie, its advertised host and port). */
    boolean isOwnVia(ViaView v) {
        AsciiView br = v.branch();
        return br != null && startsWith(br, COOKIE) && v.host().contentEqualsIgnoreCase(advertisedHost)
            && (v.port() < 0 ? 5060 : v.port()) == advertisedPort;
    }

    /** True if {@code branch} is one of ours: the cookie and at least the kind letter after it. */
    static boolean isOurs(AsciiView branch) {
        return branch != null && branch.length() > COOKIE.length() && startsWith(branch, COOKIE);
    }

    /** For a branch of ours ({@link #isOurs}): true if stateful, false if stateless. */
    static boolean isStateful(AsciiView branch) {
        return branch.charAt(COOKIE.length()) == 'S';
    }

    /** Parses {@code <loop>.<slot>.<gen>.<attempt>} (hex) after {@code z9hG4bKshS} into {@code out[0..3]}. */
    static boolean parseStateful(AsciiView br, long[] out) {
        int p = COOKIE.length() + 1;
        for (int field = 0; field < 4; field++) {
            long v = 0;
            int digits = 0;
            while (p < br.length() && br.charAt(p) != '.') {
                int d = Character.digit(br.charAt(p++), 16);
                if (d < 0 || ++digits > 8) {
                    return false;
                }
                v = (v << 4) | d;
            }
            if (digits == 0) {
                return false;
            }
            out[field] = v;
            p++;
        }
        return true;
    }

    /** Appends {@code v} as unsigned hex without leading zeros. */
    static void appendHex(StringBuilder b, int v) {
        boolean started = false;
        for (int shift = 28; shift >= 0; shift -= 4) {
            int d = (v >>> shift) & 15;
            if (d != 0 || started || shift == 0) {
                b.append(Character.forDigit(d, 16));
                started = true;
            }
        }
    }

    static boolean startsWith(AsciiView v, String prefix) {
        if (v.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (v.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
