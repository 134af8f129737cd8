package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Set;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipHeaderName;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipMethod;
import org.sipha.core.message.SipParseResult;

/**
 * The first layer every request meets (RFC 3261 16.3; Kamailio's pike, sanity, maxfwd and permissions modules),
 * then the turn to the layer that handles it. In order: a request over its source's request rate is dropped; a
 * malformed request gets 400 (or is dropped if it lacks a header a reply needs), Max-Forwards 0 gets 483, a request
 * that already carries our Via gets 482 (no spirals), one with a Proxy-Require option tag 420 (this proxy supports
 * no extension). CANCEL goes to {@link InviteTransactions}, an in-dialog
 * request to {@link DialogRouter} (the ACK of a non-2xx we answered is absorbed). An initial request from a source
 * outside the access list is dropped; then a retransmitted INVITE goes to its call, a new one must pass its
 * source's new-call rate before {@link InviteTransactions} takes it; an OPTIONS naming the proxy is answered by
 * {@link LocalOptionsResponder}; anything else goes to {@link StatelessForwarder}. An ACK is never answered.
 *
 * <p>Refused sources get no answer (an answer would reflect traffic at whatever address a datagram claims), except
 * that {@link ProxyConfig#answerRateLimitedWith503()} answers a rate-limited request 503. The destinations
 * ({@link ProxyConfig#alwaysAllowed()}) pass the access list and the rate limits. Each refusal is counted
 * ({@link Refusal}). Single-threaded: the owning loop.
 */
final class RequestGate {
    private final LoopContext ctx;
    private final SipMessageView msg;
    private final NanoClock clock;
    private final ViaCodec via;
    private final SourceAccessList accessList;
    private final Set<InetSocketAddress> alwaysAllowed;
    /** Null when no rate is limited. */
    private final SourceRateLimiter limiter;

    private final boolean answerRateLimited;
    private final InviteTransactions transactions;
    private final DialogRouter dialogs;
    private final StatelessForwarder stateless;
    private final LocalOptionsResponder ownOptions;
    private final Egress egress;

    RequestGate(
            LoopContext ctx,
            ViaCodec via,
            InviteTransactions transactions,
            DialogRouter dialogs,
            StatelessForwarder stateless,
            Egress egress) {
        this.ctx = ctx;
        this.msg = ctx.msg;
        this.clock = ctx.clock;
        this.via = via;
        this.accessList = ctx.cfg.accessList();
        this.alwaysAllowed = ctx.cfg.alwaysAllowed();
        this.limiter = SourceRateLimiter.of(ctx.cfg);
        transactions.foreignCancels.limitBy(limiter);
        this.answerRateLimited = ctx.cfg.answerRateLimitedWith503();
        this.transactions = transactions;
        this.dialogs = dialogs;
        this.stateless = stateless;
        this.ownOptions = new LocalOptionsResponder(ctx, egress);
        this.egress = egress;
    }

    /** The request in {@code msg} (its bytes {@code content}), received on {@code ch} from {@code src}. */
    void onRequest(Channel ch, InetSocketAddress src, ByteBuf content) {
        long sourceKey = SourceKey.of(src.getAddress());
        long now = 0;
        if (limiter != null) {
            now = clock.nanoTime();
            if (!limiter.admitsRequest(sourceKey, now) && !alwaysAllowed.contains(src)) {
                refuseOverRate(ch, src, Refusal.REQUEST_RATE);
                return;
            }
        }
        SipMethod m = msg.methodCode();
        SipParseResult v = msg.validate();
        if (v != SipParseResult.OK) {
            ctx.refusals.add(Refusal.MALFORMED);
            if (m != SipMethod.ACK && v != SipParseResult.MISSING_HEADER) {
                egress.reply(ch, src, msg, v.statusCode(), "Bad Request", 0);
            }
            return;
        }
        int mf = msg.maxForwards();
        if (mf == 0) {
            ctx.refusals.add(Refusal.MAX_FORWARDS);
            if (m != SipMethod.ACK) {
                egress.reply(ch, src, msg, 483, "Too Many Hops", 0);
            }
            return;
        }
        mf = mf < 0 ? 70 : mf;
        if (carriesOwnVia()) {
            ctx.refusals.add(Refusal.LOOP);
            if (m != SipMethod.ACK) {
                egress.reply(ch, src, msg, 482, "Loop Detected", 0);
            }
            return;
        }
        if (m != SipMethod.CANCEL && m != SipMethod.ACK && requiresAnExtension()) {
            ctx.refusals.add(Refusal.BAD_EXTENSION);
            egress.reply(ch, src, msg, 420, "Bad Extension", 0);
            return;
        }
        if (m == SipMethod.CANCEL) {
            transactions.onCancel(ch, src, sourceKey, content, admitsSource(src));
        } else if (msg.to().tag() != null) {
            if (m == SipMethod.ACK && transactions.isAckOfOwnFinalResponse()) {
                return; // hop by hop: the ACK of a non-2xx final response we sent upstream ends here
            }
            dialogs.route(ch, src, m, mf);
        } else if (m != SipMethod.ACK) {
            onInitial(ch, src, sourceKey, now, content, m, mf);
        }
    }

    private void onInitial(
            Channel ch, InetSocketAddress src, long sourceKey, long now, ByteBuf content, SipMethod m, int mf) {
        if (!admitsSource(src)) {
            ctx.refusals.add(Refusal.ACCESS_LIST);
            return;
        }
        if (m == SipMethod.INVITE) {
            if (transactions.onRetransmittedInvite(ch, src)) {
                return;
            }
            if (limiter != null && !limiter.admitsNewCall(sourceKey, now) && !alwaysAllowed.contains(src)) {
                refuseOverRate(ch, src, Refusal.NEW_CALL_RATE);
                return;
            }
            transactions.onNewInvite(ch, src, sourceKey, content);
        } else if (m != SipMethod.OPTIONS || !ownOptions.answers(ch, src)) {
            stateless.forwardInitial(ch, src, mf);
        }
    }

    /**
     * True if the request names an option tag in Proxy-Require (RFC 3261 16.3 step 4): this proxy supports none.
     * ACK and CANCEL are exempt (neither can be answered so; RFC 3261 9.1 forbids Proxy-Require in a CANCEL).
     */
    private boolean requiresAnExtension() {
        if (msg.header(SipHeaderName.PROXY_REQUIRE) == null) {
            return false; // the usual case: one lookup
        }
        int n = msg.headerCount();
        for (int i = 0; i < n; i++) {
            if (msg.headerKind(i) == SipHeaderName.PROXY_REQUIRE && namesATag(msg.headerValue(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean namesATag(AsciiView v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c != ' ' && c != '\t' && c != ',') {
                return true;
            }
        }
        return false;
    }

    /** Counts a request over a rate and drops it, or answers it 503 if so configured (never an ACK). */
    private void refuseOverRate(Channel ch, InetSocketAddress src, Refusal why) {
        ctx.refusals.add(why);
        if (answerRateLimited && msg.methodCode() != SipMethod.ACK && msg.validate() == SipParseResult.OK) {
            egress.reply(ch, src, msg, 503, "Service Unavailable", ctx.cfg.retryAfterSeconds());
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
