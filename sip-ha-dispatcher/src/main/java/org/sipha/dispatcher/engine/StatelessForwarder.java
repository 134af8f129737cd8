package org.sipha.dispatcher.engine;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.ViaView;

/**
 * Forwarding without call state (RFC 3261 16.11; Kamailio's forward without tm): an initial request other than
 * INVITE (OPTIONS, MESSAGE, REGISTER ...) goes to the selector's first choice with a stateless branch and no call
 * lease, 503 if there is none; a response to a stateless branch of ours, or a 2xx whose call state is gone, goes to
 * its second Via (received and rport honoured) once {@link ResponseRouter} has checked its branch's MAC. Over TCP a
 * response only takes an existing connection: none is opened towards an address read from a message.
 * Single-threaded: the owning loop.
 */
final class StatelessForwarder {
    private final LoopContext ctx;
    private final SipMessageView msg;
    private final SipMessageEditor editor;
    private final ViaCodec via;
    private final DialogRouter dialogs;
    private final Egress egress;
    private final DispatcherNextHopSelector.Cursor cursor;
    private boolean responseTargetTcp;

    StatelessForwarder(LoopContext ctx, ViaCodec via, DialogRouter dialogs, Egress egress) {
        this.ctx = ctx;
        this.msg = ctx.msg;
        this.editor = ctx.editor;
        this.via = via;
        this.dialogs = dialogs;
        this.egress = egress;
        this.cursor = ctx.cfg.selector().newCursor();
    }

    /** Forwards the initial non-INVITE request in {@code msg} (Max-Forwards {@code mf}) from {@code src}. */
    void forwardInitial(Channel ch, InetSocketAddress src, int mf) {
        cursor.reset(msg.callId().contentHash());
        NextHop d = cursor.next();
        cursor.release(); // not a call: nothing to count
        if (d == null) {
            egress.reply(ch, src, msg, 503, "Service Unavailable", ctx.cfg.retryAfterSeconds());
            return;
        }
        editor.reset(msg);
        via.stampReceived(msg, src, LoopContext.isStream(ch));
        dialogs.popOwnPreloadedRoute(msg);
        editor.prependVia(via.stateless(msg, src, LoopContext.isStream(ch), d.isTcp()))
                .setMaxForwards(mf - 1);
        egress.send(egress.from(d, ch), editor, d.address(), d.isTcp());
        ctx.destinations.forwarded(d);
    }

    /** Forwards the response in {@code msg} to the address of its second Via, without our top one. */
    void forwardResponseByVia(Channel ch) {
        InetSocketAddress to = responseTarget();
        if (to != null) {
            forwardResponse(ch, to, responseTargetTcp);
        }
    }

    /** Forwards the response in {@code msg} to {@code to} ({@link #responseTarget}), without our top Via. */
    void forwardResponse(Channel ch, InetSocketAddress to, boolean tcp) {
        editor.reset(msg).removeTopVia();
        egress.send(ch, editor, to, tcp, false);
        ctx.traffic.responseSent(msg.statusCode());
    }

    /**
     * Where the response in {@code msg} goes by its second Via (received and rport honoured), or null if it has
     * none or names no IP address; {@link #responseTargetTcp} then tells whether over TCP.
     */
    InetSocketAddress responseTarget() {
        if (msg.viaCount() < 2) {
            return null;
        }
        ViaView v = msg.via(1);
        AsciiView host = v.received() != null ? v.received() : v.host();
        int port = v.rport() > 0 ? v.rport() : v.port() > 0 ? v.port() : 5060;
        responseTargetTcp = ViaCodec.isTcp(v);
        return ctx.addresses.resolve(host.buffer(), host.offset(), host.length(), port);
    }

    /** Whether the last {@link #responseTarget} is reached over TCP. */
    boolean responseTargetTcp() {
        return responseTargetTcp;
    }
}
