package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Set;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipMethod;
import org.sipha.core.message.SipParseResult;

/**
 * The first layer every request meets (RFC 3261 16.3; Kamailio's sanity, maxfwd and permissions modules), then
 * the turn to the layer that handles it. In order: a malformed request gets 400 (or is dropped if it lacks a header a
 * reply needs), Max-Forwards 0 gets 483, a request that already carries our Via gets 482 (no spirals). CANCEL goes
 * to {@link InviteTransactions}, an in-dialog request to {@link DialogRouter} (the ACK of a non-2xx we answered is
 * absorbed), and an initial request must pass {@link #admitsSource}, else 403, before an INVITE goes to
 * {@link InviteTransactions} and anything else to {@link StatelessForwarder}. An ACK is never answered.
 *
 * <p>Source checks live in {@link #admitsSource}: a per-source rate limiter (a final class, called directly) goes
 * there after the access list. Single-threaded: the owning loop.
 */
final class RequestGate {
    private final SipMessageView msg;
    private final ViaCodec via;
    private final SourceAccessList accessList;
    private final Set<InetSocketAddress> alwaysAllowed;
    private final InviteTransactions transactions;
    private final DialogRouter dialogs;
    private final StatelessForwarder stateless;
    private final Egress egress;

    RequestGate(LoopContext ctx, ViaCodec via, InviteTransactions transactions, DialogRouter dialogs,
                StatelessForwarder stateless, Egress egress) {
        this.msg = ctx.msg;
        this.via = via;
        this.accessList = ctx.cfg.accessList();
        this.alwaysAllowed = ctx.cfg.alwaysAllowed();
        this.transactions = transactions;
        this.dialogs = dialogs;
        this.stateless = stateless;
        this.egress = egress;
    }

    /** The request in {@code msg} (its bytes {@code content}), received on {@code ch} from {@code src}. */
    void onRequest(Channel ch, InetSocketAddress src, ByteBuf content) {
        SipMethod m = msg.methodCode();
        SipParseResult v = msg.validate();
        if (v != SipParseResult.OK) {
            if (m != SipMethod.ACK && v != SipParseResult.MISSING_HEADER) {
                egress.reply(ch, src, msg, v.statusCode(), "Bad Request", 0);
            }
            return;
        }
        int mf = msg.maxForwards();
        if (mf == 0) {
            if (m != SipMethod.ACK) {
                egress.reply(ch, src, msg, 483, "Too Many Hops", 0);
            }
            return;
        }
        mf = mf < 0 ? 70 : mf;
        if (carriesOwnVia()) {
            if (m != SipMethod.ACK) {
                egress.reply(ch, src, msg, 482, "Loop Detected", 0);
            }
            return;
        }
        if (m == SipMethod.CANCEL) {
            transactions.onCancel(ch, src);
        } else if (msg.to().tag() != null) {
            if (m == SipMethod.ACK && transactions.isAckOfOwnFinalResponse()) {
                return; // hop by hop: the ACK of a non-2xx final response we sent upstream ends here
            }
            dialogs.route(ch, src, m, mf);
        } else if (m != SipMethod.ACK) {
            onInitial(ch, src, content, m, mf);
        }
    }

    private void onInitial(Channel ch, InetSocketAddress src, ByteBuf content, SipMethod m, int mf) {
        if (!admitsSource(src)) {
            egress.reply(ch, src, msg, 403, "Forbidden", 0);
            return;
        }
        if (m == SipMethod.INVITE) {
            transactions.onInitialInvite(ch, src, content);
        } else {
            stateless.forwardInitial(ch, src, mf);
        }
    }

    /** Whether {@code src} may start a call or send an initial request: the access list, or one of our destinations. */
    private boolean admitsSource(InetSocketAddress src) {
        return accessList.allows(src.getAddress()) || alwaysAllowed.contains(src);
    }

    /** A request that already carries a Via of ours has looped (RFC 3261 16.3 item 4; spirals are not supported). */
    private boolean carriesOwnVia() {
        int n = msg.viaCount();
        for (int i = 0; i < n; i++) {
            if (via.isOwnVia(msg.via(i))) {
                return true;
            }
        }
        return false;
    }
}
