package org.sipha.dispatcher.engine;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Set;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipMethod;
import org.sipha.core.message.SipUriView;

/**
 * Route and Record-Route without dialog state (RFC 3261 16.4, 16.6, 16.12; Kamailio's rr module). An INVITE leaves
 * with a Record-Route naming this proxy and carrying a signed token ({@link RouteTokenSigner}) that binds the dialog
 * (Call-ID, caller's tag) to its destination and to its upstream, the address its INVITE came from; a later
 * in-dialog request is routed by that token alone, so any proxy sharing the key can route it.
 *
 * <h2>Relay policy</h2>
 * The next hop of an in-dialog request is a further Route entry after ours if there is one; else, for a request
 * from the token's destination (the callee side), its Request-URI; else the token's destination. It is followed
 * only if the token or the configuration vouches for it:
 * <ul>
 *   <li>the token's destination, or the dialog's upstream (address and port);</li>
 *   <li>a configured destination: one of the selector's routing table set, or an always-allowed address;</li>
 *   <li>when an access list is configured, an address it admits (the carriers).</li>
 * </ul>
 * Anything else gets 403 and nothing is sent; so does a request without a valid token (missing, forged, or signed
 * with a key that is neither the current nor the previous one). An ACK is dropped instead of answered. Refusals are
 * counted. A next hop that is no IP address gets 502. Over TCP a connection is opened only to the token's
 * destination or a configured destination; any other hop is reached only over a connection that already exists.
 *
 * <p>Single-threaded: the owning loop, except {@link #refusedRelays} (any thread).
 */
final class DialogRouter {
    private final LoopContext ctx;
    private final SipMessageView msg;
    private final SipMessageEditor editor;
    private final ViaCodec via;
    private final Egress egress;
    private final RouteTokenSigner signer;
    private final DispatcherNextHopSelector selector;
    private final Set<InetSocketAddress> alwaysAllowed;
    /** Null unless an access list is configured: then the carrier addresses it admits may be next hops. */
    private final SourceAccessList carriers;

    private final String rrPrefix;
    private final String rrPrefixTcp;
    private final StringBuilder rr = new StringBuilder(256);
    /** Set by {@link #verifiedTokenDestination()}: whether the token's destination is reached over TCP. */
    private boolean tokenDestTcp;
    /** Set by {@link #verifiedTokenDestination()}: the dialog's upstream named by the token (null if unresolvable). */
    private InetSocketAddress tokenUpstream;
    /** In-dialog requests refused: no valid token, or a next hop the policy does not allow. Single writer. */
    private volatile long refusedRelays;

    DialogRouter(LoopContext ctx, ViaCodec via, Egress egress) {
        this.ctx = ctx;
        this.msg = ctx.msg;
        this.editor = ctx.editor;
        this.via = via;
        this.egress = egress;
        this.signer = new RouteTokenSigner(ctx.cfg.recordRouteKeyRing());
        this.selector = ctx.cfg.selector();
        this.alwaysAllowed = ctx.cfg.alwaysAllowed();
        this.carriers = ctx.cfg.accessList().isOpen() ? null : ctx.cfg.accessList();
        String hostPort = ctx.cfg.advertisedHost() + ':' + ctx.cfg.advertisedPort();
        this.rrPrefix = "<sip:" + hostPort + ";lr;shd=";
        this.rrPrefixTcp = "<sip:" + hostPort + ";transport=tcp;lr;shd=";
    }

    /** Any thread: in-dialog requests refused (no valid token, or a next hop not allowed). */
    long refusedRelays() {
        return refusedRelays;
    }

    /**
     * Adds this proxy's Record-Route with the signed token of {@code d} to the edit of {@code invite}, which came
     * from {@code upstream} ({@code inboundTcp}: over TCP).
     */
    void prependRecordRoute(SipMessageView invite, NextHop d, InetSocketAddress upstream, boolean inboundTcp) {
        rr.setLength(0);
        rr.append(inboundTcp ? rrPrefixTcp : rrPrefix);
        int destStart = rr.length();
        byte[] t = d.tokenBytes();
        for (byte c : t) {
            rr.append((char) c);
        }
        int destEnd = rr.length();
        rr.append(";shu=");
        int upStart = rr.length();
        ViaCodec.appendIp(rr, upstream.getAddress());
        rr.append('~').append(upstream.getPort());
        if (inboundTcp) {
            rr.append("~tcp");
        }
        signer.appendSignature(invite.callId(), invite.from().tag(), rr, destStart, destEnd, upStart, rr.length());
        rr.append('>');
        editor.prependRecordRoute(rr);
    }

    /** An initial request may arrive with a pre-loaded Route naming this proxy (RFC 3261 16.4): removed in the edit. */
    void popOwnPreloadedRoute(SipMessageView view) {
        if (view.routeCount() > 0 && ctx.isOwnUri(view.route(0).uri())) {
            editor.removeTopRoute();
        }
    }

    /** Routes the in-dialog request in {@code msg} (method {@code m}, Max-Forwards {@code mf}) by its token. */
    void route(Channel ch, InetSocketAddress src, SipMethod m, int mf) {
        InetSocketAddress tokenDest = verifiedTokenDestination();
        if (tokenDest == null) {
            refuse(ch, src, m);
            return;
        }
        InetSocketAddress target;
        boolean outTcp;
        if (msg.routeCount() > 1) {
            SipUriView next = msg.route(1).uri();
            target = ctx.resolve(next.host(), next.port());
            outTcp = isTcpUri(next);
        } else if (src.equals(tokenDest)) { // from the callee side: towards the caller's Contact
            SipUriView ruri = msg.parsedRequestUri();
            target = ctx.resolve(ruri.host(), ruri.port());
            outTcp = isTcpUri(ruri);
        } else {
            target = tokenDest;
            outTcp = tokenDestTcp;
        }
        if (target == null) {
            if (m != SipMethod.ACK) {
                egress.reply(ch, src, msg, 502, "Bad Gateway", 0);
            }
            return;
        }
        boolean ours = target.equals(tokenDest) || isConfiguredDestination(target);
        if (!ours && !target.equals(tokenUpstream) && (carriers == null || !carriers.allows(target.getAddress()))) {
            refuse(ch, src, m);
            return;
        }
        if (m == SipMethod.BYE) {
            ctx.accounting.stop(msg, signer.matchedTagB(), tokenDest, tokenUpstream);
        }
        boolean stream = LoopContext.isStream(ch);
        editor.reset(msg);
        via.stampReceived(msg, src, stream);
        editor.removeTopRoute()
                .prependVia(via.stateless(msg, src, stream, outTcp))
                .setMaxForwards(mf - 1);
        // with several UDP sockets, a destination of ours is sent to from its socket=
        NextHop hop = ours && !outTcp && egress.choosesSockets() ? selector.hopAt(target) : null;
        egress.send(hop == null ? ch : egress.from(hop, ch), editor, target, outTcp, ours);
    }

    private boolean isConfiguredDestination(InetSocketAddress a) {
        return alwaysAllowed.contains(a) || selector.isDestination(a);
    }

    /** 403 (an ACK is dropped instead), counted. */
    private void refuse(Channel ch, InetSocketAddress src, SipMethod m) {
        refusedRelays = refusedRelays + 1; // single writer
        if (m != SipMethod.ACK) {
            egress.reply(ch, src, msg, 403, "Forbidden", 0);
        }
    }

    /**
     * The destination named by a valid token on the top Route, which must be ours; null if none, forged, or signed
     * with an unknown key. Also sets {@link #tokenDestTcp} and {@link #tokenUpstream}.
     */
    private InetSocketAddress verifiedTokenDestination() {
        if (msg.routeCount() == 0) {
            return null;
        }
        SipUriView u = msg.route(0).uri();
        if (!ctx.isOwnUri(u)) {
            return null;
        }
        // each param() repositions the same cursor: the bounds of each value are saved before the next lookup
        AsciiView v = u.param("shd");
        if (v == null || v.length() == 0) {
            return null;
        }
        byte[] b = v.buffer();
        int dOff = v.offset();
        int dLen = v.length();
        v = u.param("shu");
        if (v == null || v.length() == 0) {
            return null;
        }
        int uOff = v.offset();
        int uLen = v.length();
        v = u.param("shk");
        if (v == null) {
            return null;
        }
        int kOff = v.offset();
        int kLen = v.length();
        v = u.param("shm");
        if (v == null
                || !signer.verify(
                        msg.callId(),
                        msg.from().tag(),
                        msg.to().tag(),
                        b,
                        dOff,
                        dLen,
                        uOff,
                        uLen,
                        kOff,
                        kLen,
                        v.offset(),
                        v.length())) {
            return null;
        }
        tokenDestTcp = AddressCache.tokenIsTcp(b, dOff, dLen);
        tokenUpstream = ctx.addresses.resolveToken(b, uOff, uLen);
        return ctx.addresses.resolveToken(b, dOff, dLen);
    }

    private static boolean isTcpUri(SipUriView u) {
        AsciiView t = u.transport();
        return t != null && t.contentEqualsIgnoreCase("tcp");
    }
}
