package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.spi.ForwardingOutcomeListener;

/**
 * The INVITE transactions of one event loop (RFC 3261 16 and 17; Kamailio's tm): per initial INVITE one
 * {@link CallState} in the {@link CallTable}, pairing the caller's transaction with the branch being tried. Answers
 * 100 Trying (at once, or with {@link ProxyConfig#tryingOnAnswer()} when the branch answers 100 or the caller
 * retransmits) and forwards the INVITE on a stateful branch with a signed Record-Route; repeats the 100 to a
 * retransmitted INVITE and absorbs one that comes after the final response; relays responses upstream, ACKs non-2xx
 * ones itself (and absorbs the caller's ACK of those); fails over on the configured codes, with 503 and
 * Retry-After after the last destination; answers CANCEL and cancels the branch; lets the late 2xx of an abandoned
 * branch win. Its timers run in {@link InviteTimers}. Single-threaded: the owning loop, except
 * {@link #activeCalls()} (any thread).
 */
final class InviteTransactions {
    /** The caller's timer B, 64·T1 with RFC 3261's T1 of 500 ms (its T1, not ours): how long it may retransmit. */
    static final long UPSTREAM_TIMER_B_NS = 64 * 500_000_000L;

    final CallTable calls;
    /** CANCELs for INVITEs of another proxy (or of another loop), sharing {@link #calls}. */
    final ForeignCancels foreignCancels;
    /** The failover timer and T1 (0: no retransmission), in nanoseconds. */
    final long failoverNs;

    final long t1Ns;
    private final long ringNs;
    private final long lingerNs;
    /** {@link ProxyConfig#tryingOnAnswer()}. */
    private final boolean tryingOnAnswer;

    private final int retryAfterSeconds;
    private final boolean[] failoverCode = new boolean[700];
    private final LoopContext ctx;
    private final SipMessageView msg;
    private final SipMessageView aux;
    private final SipMessageEditor editor;
    private final NanoClock clock;
    private final ViaCodec via;
    private final DialogRouter dialogs;
    private final StatelessForwarder stateless;
    private final Egress egress;
    private final ForwardingOutcomeListener outcomes;
    private volatile int activeCalls;
    /** The index hash of the INVITE last seen by {@link #onRetransmittedInvite}, for {@link #onNewInvite}. */
    private int keyHash;

    InviteTransactions(
            LoopContext ctx, ViaCodec via, DialogRouter dialogs, StatelessForwarder stateless, Egress egress) {
        ProxyConfig cfg = ctx.cfg;
        this.ctx = ctx;
        this.msg = ctx.msg;
        this.aux = ctx.aux;
        this.editor = ctx.editor;
        this.clock = ctx.clock;
        this.via = via;
        this.dialogs = dialogs;
        this.stateless = stateless;
        this.egress = egress;
        this.outcomes = cfg.outcomeListener();
        this.calls = new CallTable(
                cfg.maxCallsPerLoop(), cfg.selector(), cfg.maxCallBytesPerLoop(), cfg.maxCallsPerSourcePerLoop());
        for (int c : cfg.failoverCodes()) {
            failoverCode[c] = true;
        }
        this.failoverNs = cfg.failoverTimeoutMs() * 1_000_000L;
        this.foreignCancels = new ForeignCancels(ctx, via, egress, calls, failoverNs);
        this.ringNs = cfg.ringTimeoutMs() * 1_000_000L;
        this.lingerNs = cfg.lingerMs() * 1_000_000L;
        this.tryingOnAnswer = cfg.tryingOnAnswer();
        this.t1Ns = cfg.retransmitT1Ms() * 1_000_000L;
        this.retryAfterSeconds = cfg.retryAfterSeconds();
    }

    /** Calls in flight (not yet answered finally), as last published by the owner loop. Any thread. */
    int activeCalls() {
        return activeCalls;
    }

    void publishActiveCalls() {
        activeCalls = calls.inFlight();
    }

    // ------------------------------------------------------------------------------------------ requests

    /**
     * An initial INVITE in {@code msg}: if it repeats a call in the table, handles it (RFC 3261 16.7: our latest
     * provisional again, or absorbed after the final response) and returns true; else returns false, and
     * {@link #onNewInvite} takes it as a new call.
     */
    boolean onRetransmittedInvite(Channel ch, InetSocketAddress src) {
        AsciiView callId = msg.callId();
        AsciiView branch = msg.topVia().branch();
        keyHash = calls.keyHash(callId, branch);
        CallState s = calls.find(keyHash, callId, branch);
        if (s == null) {
            return false;
        }
        s.upstreamRetransmits = true;
        if (s.phase != CallState.COMPLETED) {
            egress.reply(ch, src, msg, 100, "Trying", 0);
            s.upstreamTrying = true;
        } else {
            lingerFor(s, clock.nanoTime()); // absorbed (RFC 6026 "Accepted"): the next copy must be, too
        }
        return true;
    }

    /**
     * The initial INVITE in {@code msg} (bytes {@code content}) from {@code src} (source key {@code sourceKey}),
     * which {@link #onRetransmittedInvite} just found to be new: a call, or 503 with Retry-After if new calls are
     * refused or a bound of the call table is reached.
     */
    void onNewInvite(Channel ch, InetSocketAddress src, long sourceKey, ByteBuf content) {
        AsciiView callId = msg.callId();
        AsciiView branch = msg.topVia().branch();
        if (ctx.refusesNewCalls()) {
            egress.reply(ch, src, msg, 503, "Service Unavailable", ctx.retryAfterForNewCall());
            return;
        }
        int bytes = content.readableBytes();
        CallState s = calls.allocate(sourceKey, bytes, callId.length() + (branch == null ? 0 : branch.length()));
        if (s == null) {
            ctx.refusals.add(calls.refusal());
            egress.reply(ch, src, msg, 503, "Service Unavailable", ctx.retryAfterForNewCall());
            return;
        }
        calls.index(s, keyHash, callId, branch);
        s.request = ctx.alloc
                .heapBuffer(bytes)
                .writeBytes(content, content.readerIndex(), bytes); // owned by s: calls.free releases it
        s.source = src;
        s.channel = ch;
        s.cursor.reset(callId.contentHash());
        try {
            if (!tryingOnAnswer) {
                egress.reply(ch, src, msg, 100, "Trying", 0);
                s.upstreamTrying = true;
            }
            NextHop d = s.cursor.next();
            if (d == null) {
                egress.reply(ch, src, msg, 503, "Service Unavailable", retryAfterSeconds);
                calls.free(s);
                return;
            }
            forwardInvite(s, d, msg);
        } catch (RuntimeException e) { // e.g. a Via we cannot stamp: give the slot back, then drop the request
            s.cursor.release();
            calls.free(s);
            throw e;
        }
        publishActiveCalls();
    }

    /** True if the ACK in {@code msg} acknowledges a non-2xx final response we sent (hop by hop: absorbed here). */
    boolean isAckOfOwnFinalResponse() {
        return calls.find(msg.callId(), msg.topVia().branch()) != null;
    }

    /**
     * A CANCEL in {@code msg} (bytes {@code content}) from {@code src} (source key {@code sourceKey}; {@code
     * admitted}: by the access list): answered here, and passed on to the branch of its call; one for an INVITE
     * this loop did not forward goes to {@link ForeignCancels}.
     */
    void onCancel(Channel ch, InetSocketAddress src, long sourceKey, ByteBuf content, boolean admitted) {
        CallState s = calls.find(msg.callId(), msg.topVia().branch());
        if (s == null || s.foreignCancel) {
            foreignCancels.onCancel(ch, src, sourceKey, content, admitted, s);
            publishActiveCalls();
            return;
        }
        egress.reply(ch, src, msg, 200, "OK", 0);
        if (s.phase != CallState.COMPLETED && !s.cancelled) {
            s.cancelled = true;
            calls.unlink(s, 1);
            sendCancel(s);
            // If the destination never answers the CANCEL, answer 487 ourselves when the failover timer fires.
            calls.schedule(s, CallTable.CALLING_LIST, clock.nanoTime() + failoverNs);
        }
    }

    /** Sends the INVITE {@code view} (wrapped on {@code s.request}) to {@code d} as a new branch. */
    private void forwardInvite(CallState s, NextHop d, SipMessageView view) {
        s.destination = d;
        s.attempt++;
        sendBranch(s, view);
        ctx.destinations.forwarded(d);
        s.phase = CallState.CALLING;
        s.sentNs = clock.nanoTime();
        calls.schedule(s, CallTable.CALLING_LIST, s.sentNs + failoverNs);
        s.silenceReported = false;
        if (t1Ns > 0 && !d.isTcp()) {
            calls.schedule(s, CallTable.RETRANSMIT_LIST_1, s.sentNs + t1Ns);
        } else {
            calls.unlink(s, 1);
        }
    }

    /**
     * Edits the INVITE {@code view} for the current branch of {@code s} and sends it to {@code s.destination}.
     * Deterministic (same Via branch, same token), so a retransmission repeats the same bytes.
     */
    void sendBranch(CallState s, SipMessageView view) {
        NextHop d = s.destination;
        int mf = view.maxForwards();
        boolean inTcp = LoopContext.isStream(s.channel);
        editor.reset(view);
        via.stampReceived(view, s.source, inTcp);
        dialogs.popOwnPreloadedRoute(view);
        editor.prependVia(via.stateful(s, view));
        dialogs.prependRecordRoute(view, d, s.source, inTcp);
        editor.setMaxForwards((mf < 0 ? 70 : mf) - 1);
        egress.send(egress.from(d, s.channel), editor, d.address(), d.isTcp());
    }

    // ------------------------------------------------------------------------------------------ responses

    /** Our 100 Trying to the caller of {@code s}, built from its stored INVITE. */
    private void tryingUpstream(CallState s) {
        aux.wrap(s.request);
        egress.reply(s.channel, s.source, aux, 100, "Trying", 0);
        s.upstreamTrying = true;
    }

    /** A verified response in {@code msg} to branch {@code attempt} of call {@code s} (null: its state is gone). */
    void onResponse(Channel ch, InetSocketAddress src, CallState s, int attempt) {
        int code = msg.statusCode();
        if (s == null) {
            if (code >= 200 && code < 300) {
                // a 2xx retransmission after the call state expired, or the answer to a call another proxy
                // forwarded and died with: relayed by Via, and accounted (the same ids as that proxy's records)
                InetSocketAddress caller = stateless.responseTarget();
                if (caller != null) {
                    ctx.accounting.answerWithoutState(msg, src, caller);
                    stateless.forwardResponse(ch, caller, stateless.responseTargetTcp());
                }
            }
            return;
        }
        if (attempt != s.attempt) { // an abandoned branch (it timed out) answers late
            if (code >= 300) {
                sendAck(s, src);
            } else if (code >= 200) {
                lateSuccess(s, src);
            }
            return;
        }
        calls.unlink(s, 1); // any response ends INVITE retransmission (RFC 3261 17.1.1.2)
        if (s.phase != CallState.COMPLETED) {
            ctx.destinations.response(s.destination, code); // not a retransmitted final response
        }
        long now = clock.nanoTime();
        if (code < 200) {
            if (s.phase == CallState.CALLING && !s.cancelled) {
                outcomes.onResponse(s.destination.address(), code, now - s.sentNs);
                s.phase = CallState.PROCEEDING;
                calls.schedule(s, CallTable.PROCEEDING_LIST, now + ringNs);
                if (code == 100 && !s.upstreamTrying) {
                    tryingUpstream(s); // the branch has the call: quench the caller's retransmissions
                }
            }
            if (code > 100 && s.phase != CallState.COMPLETED) {
                forwardUpstream(s);
            }
            return;
        }
        if (code < 300) {
            if (s.phase != CallState.COMPLETED) {
                outcomes.onResponse(s.destination.address(), code, now - s.sentNs);
                ctx.accounting.outcome(s, msg, code, src);
                complete(s, now);
                calls.releaseRequest(s); // nothing more to send on this call's behalf
            }
            ctx.accounting.start(s, msg, src); // each 2xx: a retransmission repeats the same record
            forwardUpstream(s);
            return;
        }
        sendAck(s, src);
        if (s.phase == CallState.COMPLETED) {
            return; // a retransmitted final response: ACKed again, nothing else
        }
        outcomes.onResponse(s.destination.address(), code, now - s.sentNs);
        if (code < failoverCode.length && failoverCode[code] && !s.cancelled) {
            ctx.traffic.failover(Failover.CODE);
            failOverOrReject(s);
            return;
        }
        ctx.accounting.outcome(s, msg, code, src);
        forwardUpstream(s);
        s.cursor.release(); // a final failure: no call on that destination
        complete(s, now);
    }

    /**
     * A 2xx from a branch we had given up on (its backend was only slow): the caller gets it, since a proxy
     * forwards every 2xx, and the call is settled there: the branch tried since then is cancelled.
     */
    private void lateSuccess(CallState s, InetSocketAddress src) {
        if (s.phase != CallState.COMPLETED) {
            ctx.accounting.outcome(s, msg, msg.statusCode(), src);
            if (!s.cancelled) {
                s.cancelled = true;
                sendCancel(s);
            }
            s.cursor.release(); // the branch just cancelled (the earlier one's lease went at its failover)
            complete(s, clock.nanoTime());
        }
        ctx.accounting.start(s, msg, src);
        forwardUpstream(s);
    }

    private void forwardUpstream(CallState s) {
        editor.reset(msg).removeTopVia();
        egress.send(s.channel, editor, s.source, LoopContext.isStream(s.channel), false);
        ctx.traffic.responseSent(msg.statusCode());
    }

    // ------------------------------------------------------------------------------------------ failover, endings

    /** Sends the INVITE to the next untried destination or, with none left, answers 503 with Retry-After. */
    void failOverOrReject(CallState s) {
        if (!tryNextDestination(s)) {
            answerUpstream(s, 503, "Service Unavailable", retryAfterSeconds);
        }
    }

    private boolean tryNextDestination(CallState s) {
        s.cursor.release(); // the failed branch's call lease
        NextHop d = s.cursor.next();
        if (d == null) {
            return false;
        }
        aux.wrap(s.request);
        try {
            forwardInvite(s, d, aux);
        } catch (RuntimeException e) { // it was sent once, so this cannot happen for a valid INVITE; stay bounded
            calls.free(s);
            throw e;
        }
        return true;
    }

    /** Answers the call's INVITE upstream ourselves and completes the call. */
    void answerUpstream(CallState s, int code, String reason, int retryAfter) {
        s.cursor.release();
        aux.wrap(s.request);
        ctx.accounting.outcome(s, aux, code, s.destination == null ? null : s.destination.address());
        egress.reply(s.channel, s.source, aux, code, reason, retryAfter);
        complete(s, clock.nanoTime());
    }

    private void complete(CallState s, long now) {
        s.phase = CallState.COMPLETED;
        calls.settle(s);
        calls.unlink(s, 1);
        lingerFor(s, now);
    }

    /**
     * Keeps a finished call's state to absorb retransmissions of its INVITE: the configured linger or, once the
     * caller was seen retransmitting, its whole timer B (RFC 6026 timer L), since a late copy taken for a new call
     * would be forwarded on a branch its PBX never answers, and counted against that PBX as silence.
     */
    private void lingerFor(CallState s, long now) {
        if (s.upstreamRetransmits && lingerNs < UPSTREAM_TIMER_B_NS) {
            calls.schedule(s, CallTable.UPSTREAM_RETRANSMITS_LINGER_LIST, now + UPSTREAM_TIMER_B_NS);
        } else {
            calls.schedule(s, CallTable.LINGER_LIST, now + lingerNs);
        }
    }

    /** ACKs the non-2xx final response in {@code msg} (hop by hop, RFC 3261 17.1.1.3). */
    private void sendAck(CallState s, InetSocketAddress to) {
        if (s.request == null) {
            return;
        }
        aux.wrap(s.request);
        NextHop d = s.destination;
        egress.ackOrCancel(
                d == null ? s.channel : egress.from(d, s.channel),
                "ACK",
                aux,
                msg.topVia().asText(),
                msg,
                to,
                d != null && d.isTcp());
    }

    /** Cancels the current branch of {@code s}. */
    void sendCancel(CallState s) {
        aux.wrap(s.request);
        egress.ackOrCancel(
                egress.from(s.destination, s.channel),
                "CANCEL",
                aux,
                via.stateful(s),
                aux,
                s.destination.address(),
                s.destination.isTcp());
    }
}
