package org.sipha.dispatcher.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.ViaView;

/**
 * The proxy's Via headers: the branches it writes and reads back, and the received/rport it stamps on the sender's
 * Via. A stateful Via is {@code ...;branch=z9hG4bKshS<MAC>;shs=<loop>.<slot>.<gen>.<attempt>} (hex fields): the
 * branch is a function of the request and the destination only ({@link BranchSigner}), so another proxy of the
 * deployment can compute it from a CANCEL ({@link ForeignCancels}); the {@code shs} parameter, which the destination
 * echoes in its responses like every Via parameter (RFC 3261 8.2.6.2) but does not match CANCELs by, lets a response
 * find its loop and call slot without a lookup, and a stale generation or attempt never touches a reused slot. A
 * stateless branch is {@code z9hG4bKshL<MAC>}. The MACs make both unforgeable and are the same for a retransmission
 * (RFC 3261 16.11). One per loop; its scratch builders make it single-threaded (the owning loop). The static
 * methods: any thread.
 */
final class ViaCodec {
    static final String COOKIE = "z9hG4bKsh";
    /** Where a stateful branch's MAC starts: after the cookie and the kind letter. */
    static final int MAC_OFFSET = COOKIE.length() + 1;
    /** The Via parameter that carries a stateful branch's loop, slot, generation and attempt. */
    static final String SLOT_PARAM = "shs";
    /** The attempt {@link ForeignCancels} writes in {@link #SLOT_PARAM}: calls count attempts from 1. */
    static final int FOREIGN_CANCEL_ATTEMPT = 0;

    private final int loopIndex;
    private final String viaPrefix;
    private final String viaPrefixTcp;
    private final String advertisedHost;
    private final int advertisedPort;
    private final SipMessageEditor editor;
    private final BranchSigner branches;
    private final StringBuilder via = new StringBuilder(160);
    private final StringBuilder ip = new StringBuilder(48);

    ViaCodec(LoopContext ctx) {
        this.loopIndex = ctx.index;
        this.editor = ctx.editor;
        this.branches = new BranchSigner(ctx.cfg.recordRouteKeyRing());
        this.advertisedHost = ctx.cfg.advertisedHost();
        this.advertisedPort = ctx.cfg.advertisedPort();
        String hostPort = advertisedHost + ':' + advertisedPort;
        this.viaPrefix = "SIP/2.0/UDP " + hostPort + ";branch=" + COOKIE;
        this.viaPrefixTcp = "SIP/2.0/TCP " + hostPort + ";branch=" + COOKIE;
    }

    /** The Via of the current branch of {@code s}, as last signed; valid until the next call on this codec. */
    CharSequence stateful(CallState s) {
        return stateful(s.destination.isTcp(), s.branchMac, s, s.attempt);
    }

    /**
     * The Via of a stateful branch: MAC {@code mac}, and {@code attempt} of call slot {@code s} in {@link
     * #SLOT_PARAM}; valid until the next call on this codec.
     */
    CharSequence stateful(boolean tcp, char[] mac, CallState s, int attempt) {
        via.setLength(0);
        via.append(tcp ? viaPrefixTcp : viaPrefix)
                .append('S')
                .append(mac)
                .append(';')
                .append(SLOT_PARAM);
        via.append('=');
        appendHex(via, loopIndex);
        via.append('.');
        appendHex(via, s.slot);
        via.append('.');
        appendHex(via, s.generation);
        via.append('.');
        appendHex(via, attempt);
        return via;
    }

    /**
     * The Via of the current branch of {@code s} for its INVITE {@code request} (as received): signs the branch
     * once per attempt, then reuses the MAC (in {@code s}) for retransmissions, CANCEL and the response check.
     */
    CharSequence stateful(CallState s, SipMessageView request) {
        if (s.macGeneration != s.generation || s.macAttempt != s.attempt) {
            signStateful(s.branchMac, request, s.source, LoopContext.isStream(s.channel), s.destination.address());
            s.macGeneration = s.generation;
            s.macAttempt = s.attempt;
        }
        return stateful(s);
    }

    /**
     * Writes into {@code dst} the MAC of the stateful branch on which {@code request} (received from {@code src},
     * {@code stream}: over TCP), or the INVITE it cancels, goes to {@code destination}.
     */
    void signStateful(
            char[] dst, SipMessageView request, InetSocketAddress src, boolean stream, InetSocketAddress destination) {
        ViaView top = request.topVia();
        branches.signStateful(
                dst,
                request.callId(),
                request.cseqNumber(),
                top.branch(),
                src.getAddress(),
                responsePort(top, src, stream),
                isTcp(top),
                destination);
    }

    /**
     * The Via for forwarding {@code request}, received from {@code src} ({@code stream}: over TCP), statelessly;
     * valid until the next call on this codec.
     */
    CharSequence stateless(SipMessageView request, InetSocketAddress src, boolean stream, boolean tcpHop) {
        via.setLength(0);
        via.append(tcpHop ? viaPrefixTcp : viaPrefix).append('L');
        ViaView top = request.topVia();
        branches.appendStateless(
                via,
                request.callId(),
                request.cseqNumber(),
                request.cseqMethod(),
                top.branch(),
                src.getAddress(),
                responsePort(top, src, stream),
                isTcp(top));
        return via;
    }

    /**
     * True if the stateless branch {@code br} (top Via of the response in {@code response}) was signed by us for this
     * response's request and its target {@code to} ({@code tcp}), as read from the second Via ({@code upstreamBranch}).
     */
    boolean verifiesStateless(
            AsciiView br, SipMessageView response, AsciiView upstreamBranch, InetSocketAddress to, boolean tcp) {
        int macOff = COOKIE.length() + 1;
        return branches.verifiesStateless(
                br.buffer(),
                br.offset() + macOff,
                br.length() - macOff,
                response.callId(),
                response.cseqNumber(),
                response.cseqMethod(),
                upstreamBranch,
                to,
                tcp);
    }

    /**
     * True if the stateful branch {@code br} (top Via of the response in {@code response}) was signed by us for this
     * response's request, its target {@code to} ({@code tcp}) and a destination at {@code src}.
     */
    boolean verifiesStateful(
            AsciiView br,
            SipMessageView response,
            AsciiView upstreamBranch,
            InetSocketAddress to,
            boolean tcp,
            InetSocketAddress src) {
        return branches.verifiesStateful(
                br.buffer(),
                br.offset() + MAC_OFFSET,
                br.length() - MAC_OFFSET,
                response.callId(),
                response.cseqNumber(),
                upstreamBranch,
                to,
                tcp,
                src);
    }

    /** True if the stateful branch {@code br} carries the MAC {@code mac} (as stored in a call state). */
    static boolean carriesMac(AsciiView br, char[] mac) {
        return BranchSigner.matchesStored(br.buffer(), br.offset() + MAC_OFFSET, br.length() - MAC_OFFSET, mac);
    }

    /**
     * The port the response path will send to, by the Via {@code top} of a request from {@code src} once stamped:
     * the source port if rport is filled in, else the sent-by port (5060 if none).
     */
    private static int responsePort(ViaView top, InetSocketAddress src, boolean stream) {
        if (stream || top.hasRport()) {
            return src.getPort();
        }
        return top.port() > 0 ? top.port() : 5060;
    }

    /** True if the Via names TCP as its transport (the response path then answers over TCP). */
    static boolean isTcp(ViaView v) {
        return v.transport().contentEqualsIgnoreCase("TCP");
    }

    /**
     * Adds received if the source differs from sent-by (or corrects one the sender wrote) and fills rport (RFC
     * 3581) on the top Via, in the edit; so the response path's target is always the real source's address.
     */
    void stampReceived(SipMessageView view, InetSocketAddress src, boolean stream) {
        ip.setLength(0);
        appendIp(ip, src.getAddress());
        ViaView top = view.topVia();
        AsciiView received = top.received();
        boolean differs =
                !top.host().contentEqualsIgnoreCase(ip) || (received != null && !received.contentEqualsIgnoreCase(ip));
        if (stream) { // the response must find this connection (its ephemeral port) again, statelessly too
            editor.setTopViaReceivedAndRport(differs ? ip : null, src.getPort());
        } else if (differs || top.hasRport()) {
            editor.setTopViaReceived(differs ? ip : null, src.getPort());
        }
    }

    /** Appends the address as a SIP host: dotted quad (no allocation), or a bracketed IPv6 reference. */
    static void appendIp(StringBuilder b, InetAddress a) {
        if (a instanceof Inet4Address) {
            int v = a.hashCode(); // the IPv4 address itself; no byte[] copy
            b.append(v >>> 24)
                    .append('.')
                    .append((v >>> 16) & 255)
                    .append('.')
                    .append((v >>> 8) & 255)
                    .append('.')
                    .append(v & 255);
        } else {
            b.append('[').append(a.getHostAddress()).append(']');
        }
    }

    /** True if {@code v} is a Via this proxy wrote (its cookie, its advertised host and port). */
    boolean isOwnVia(ViaView v) {
        AsciiView br = v.branch();
        return br != null
                && startsWith(br, COOKIE)
                && v.host().contentEqualsIgnoreCase(advertisedHost)
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

    /**
     * Parses the {@link #SLOT_PARAM} of the stateful Via {@code v}, {@code <loop>.<slot>.<gen>.<attempt>} (hex), into
     * {@code out[0..3]}. False if absent or malformed; nothing is checked against a MAC here.
     */
    static boolean parseSlot(ViaView v, long[] out) {
        AsciiView p = v.param(SLOT_PARAM);
        if (p == null) {
            return false;
        }
        int i = 0;
        for (int field = 0; field < 4; field++) {
            long x = 0;
            int digits = 0;
            while (i < p.length() && p.charAt(i) != '.') {
                int d = Character.digit(p.charAt(i++), 16);
                if (d < 0 || ++digits > 8) {
                    return false;
                }
                x = (x << 4) | d;
            }
            if (digits == 0 || (field < 3 ? i >= p.length() : i != p.length())) {
                return false; // three dots between four fields, nothing after the last
            }
            out[field] = x;
            i++;
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
