package org.sipha.dispatcher.engine;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.NameAddrView;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipMethod;
import org.sipha.core.message.SipUriView;

/**
 * Route and Record-Route without dialog state (RFC 3261 16.4, 16.6, 16.12; Kamailio's rr module). An INVITE leaves
 * with a Record-Route naming this proxy and carrying a token, {@code shd=<host~port[~tcp]>;shm=<HMAC>}, that binds
 * its destination to the dialog ({@link RouteTokenSigner}); a later in-dialog request is routed by that token alone,
 * so any proxy sharing the key can route it. Callee-to-caller requests (from the token's destination) go to the
 * Request-URI, the others to the destination; a further Route entry wins in both directions. A missing or forged
 * token gets 403, an unroutable target 502 (an ACK is dropped instead). Single-threaded: the owning loop.
 */
final class DialogRouter {
    private final LoopContext ctx;
    private final SipMessageView msg;
    private final SipMessageEditor editor;
    private final ViaCodec via;
    private final Egress egress;
    private final RouteTokenSigner signer;
    private final String rrPrefix;
    private final String rrPrefixTcp;
    private final StringBuilder rr = new StringBuilder(256);
    /** Set by {@link #verifiedTokenDestination()}: whether the token's destination is reached over TCP. */
    private boolean tokenDestTcp;

    DialogRouter(LoopContext ctx, ViaCodec via, Egress egress) {
        this.ctx = ctx;
        this.msg = ctx.msg;
        this.editor = ctx.editor;
        this.via = via;
        this.egress = egress;
        this.signer = new RouteTokenSigner(ctx.cfg.recordRouteKey());
        String hostPort = ctx.cfg.advertisedHost() + ':' + ctx.cfg.advertisedPort();
        this.rrPrefix = "<sip:" + hostPort + ";lr;shd=";
        this.rrPrefixTcp = "<sip:" + hostPort + ";transport=tcp;lr;shd=";
    }

    /** Adds this proxy's Record-Route with the signed token of {@code d} to the edit of {@code invite}. */
    void prependRecordRoute(SipMessageView invite, NextHop d, boolean inboundTcp) {
        rr.setLength(0);
        rr.append(inboundTcp ? rrPrefixTcp : rrPrefix);
        byte[] t = d.tokenBytes();
        for (byte c : t) {
            rr.append((char) c);
        }
        rr.append(";shm=");
        signer.sign(invite.callId(), invite.from().tag(), t, 0, t.length, rr);
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
            if (m != SipMethod.ACK) {
                egress.reply(ch, src, msg, 403, "Forbidden", 0);
            }
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
        editor.reset(msg);
        via.stampReceived(msg, src, LoopContext.isStream(ch));
        editor.removeTopRoute().prependVia(via.stateless(msg, outTcp)).setMaxForwards(mf - 1);
        egress.send(ch, editor, target, outTcp);
    }

    /** The destination named by a valid token on the top Route, which must be ours; null if none or forged. */
    private InetSocketAddress verifiedTokenDestination() {
        if (msg.routeCount() == 0) {
            return null;
        }
        NameAddrView top = msg.route(0);
        SipUriView u = top.uri();
        if (!ctx.isOwnUri(u)) {
            return null;
        }
        AsciiView shd = u.param("shd");
        if (shd == null || shd.length() == 0) {
            return null;
        }
        byte[] b = shd.buffer();
        int dOff = shd.offset();
        int dLen = shd.length();
        AsciiView shm = u.param("shm"); // repositions the same cursor: shd's bounds were saved above
        if (shm == null) {
            return null;
        }
        int mOff = shm.offset();
        int mLen = shm.length();
        AsciiView callId = msg.callId();
        if (!signer.verify(callId, msg.from().tag(), b, dOff, dLen, b, mOff, mLen)
            && !signer.verify(callId, msg.to().tag(), b, dOff, dLen, b, mOff, mLen)) {
            return null;
        }
        tokenDestTcp = AddressCache.tokenIsTcp(b, dOff, dLen);
        return ctx.addresses.resolveToken(b, dOff, dLen);
    }

    private static boolean isTcpUri(SipUriView u) {
        AsciiView t = u.transport();
        return t != null && t.contentEqualsIgnoreCase("tcp");
    }
}
