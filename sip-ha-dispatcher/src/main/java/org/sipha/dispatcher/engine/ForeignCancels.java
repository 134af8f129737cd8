package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Set;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageView;

/**
 * CANCELs for INVITEs this loop did not forward: another proxy of the deployment did (a route change, a carrier
 * that spreads its requests), or another loop of this one (the caller changed its source port). A proxy sharing the
 * Record-Route key gave that INVITE, at each destination, a branch that depends only on the request and the
 * destination ({@link BranchSigner}), so this proxy sends the CANCEL to each destination of its set on the branch
 * the INVITE had or would have had there (RFC 3261 9.1: a CANCEL's branch is its INVITE's). The destination that
 * has the INVITE matches it and answers 200, then 487 to the INVITE through the proxy that forwarded it; the
 * others answer 481. The caller gets 200 at the first 200, else 481 once every destination refused it or the
 * failover timer ran out; its retransmitted CANCEL is sent again to the destinations that did not answer.
 *
 * <p>It covers a call whatever its failover did, since each destination has one branch per call. Not a relay: the
 * CANCEL goes only to configured destinations, only for a source the access list admits and within its new-call
 * rate (any other gets 481 as before), the answers must carry the MAC of a CANCEL this state sent, and each such
 * CANCEL takes a call slot, so the call table's bounds and a source's share apply. Works for callers over UDP: over TCP the response target in
 * the MAC is the caller's ephemeral port, which differs between connections to two proxies.
 *
 * <p>Single-threaded: the owning loop.
 */
final class ForeignCancels {
    /** Destinations one CANCEL goes to, at most (the answered ones are bits of a long). */
    static final int MAX_FAN_OUT = 64;

    private final LoopContext ctx;
    private final SipMessageView msg;
    private final SipMessageView aux;
    private final NanoClock clock;
    private final ViaCodec via;
    private final Egress egress;
    private final CallTable calls;
    private final DispatcherNextHopSelector selector;
    private final boolean enabled;
    private final long failoverNs;
    private final long lingerNs;
    private final char[] mac = new char[BranchSigner.MAC_CHARS];
    private final Set<InetSocketAddress> alwaysAllowed;
    /** The gate's per-source rates (null: none): a CANCEL sent on to every destination spends a new call's token. */
    private SourceRateLimiter limiter;

    ForeignCancels(LoopContext ctx, ViaCodec via, Egress egress, CallTable calls, long failoverNs) {
        this.ctx = ctx;
        this.msg = ctx.msg;
        this.aux = ctx.aux;
        this.clock = ctx.clock;
        this.via = via;
        this.egress = egress;
        this.calls = calls;
        this.selector = ctx.cfg.selector();
        this.enabled = ctx.cfg.cancelAcrossProxies();
        this.failoverNs = failoverNs;
        this.lingerNs = ctx.cfg.lingerMs() * 1_000_000L;
        this.alwaysAllowed = ctx.cfg.alwaysAllowed();
    }

    /** Once, by the request gate: the per-source rates it applies (null when none is limited). */
    void limitBy(SourceRateLimiter rates) {
        this.limiter = rates;
    }

    /**
     * The CANCEL in {@code msg} (bytes {@code content}) from {@code src}, which matches no INVITE of this loop;
     * {@code s} is its state if it was seen before, else null.
     */
    void onCancel(Channel ch, InetSocketAddress src, long sourceKey, ByteBuf content, boolean admitted, CallState s) {
        if (s != null) {
            onRetransmission(s);
            return;
        }
        AsciiView callId = msg.callId();
        AsciiView branch = msg.topVia().branch();
        NextHop[] hops = selector.hops();
        if (!enabled || !admitted || branch == null || hops.length == 0) {
            egress.reply(ch, src, msg, 481, "Call/Transaction Does Not Exist", 0);
            return;
        }
        if (limiter != null && !alwaysAllowed.contains(src) && !limiter.admitsNewCall(sourceKey, clock.nanoTime())) {
            ctx.refusals.add(Refusal.NEW_CALL_RATE); // over its new-call rate: answered as if we had no fan-out
            egress.reply(ch, src, msg, 481, "Call/Transaction Does Not Exist", 0);
            return;
        }
        int bytes = content.readableBytes();
        s = calls.allocate(sourceKey, bytes, callId.length() + branch.length());
        if (s == null) {
            ctx.refusals.add(calls.refusal());
            egress.reply(ch, src, msg, 503, "Service Unavailable", ctx.retryAfterForNewCall());
            return;
        }
        calls.index(s, calls.keyHash(callId, branch), callId, branch);
        s.request = ctx.alloc.heapBuffer(bytes).writeBytes(content, content.readerIndex(), bytes); // freed with s
        s.source = src;
        s.channel = ch;
        s.foreignCancel = true;
        s.macGeneration = -1; // no branch of a call: a response to an INVITE never verifies against this state
        s.fanOut = hops;
        s.fanOutPending = 0;
        try {
            send(s, msg, -1L);
        } catch (RuntimeException e) { // e.g. a CANCEL without a To: give the slot back, then drop the request
            calls.free(s);
            throw e;
        }
        calls.schedule(s, CallTable.CALLING_LIST, clock.nanoTime() + failoverNs);
    }

    /** The caller sent its CANCEL again: its answer if it has one, else the CANCEL again where none came back. */
    private void onRetransmission(CallState s) {
        if (s.phase == CallState.COMPLETED) {
            answer(s.channel, s.source, msg, s.finalCode);
        } else if (s.fanOutPending != 0) {
            send(s, msg, s.fanOutPending);
        }
    }

    /**
     * True if the branch {@code br} of an answer from {@code src} is the one {@code s} sent its CANCEL to
     * {@code src} on (one HMAC).
     */
    boolean wasSentTo(CallState s, AsciiView br, InetSocketAddress src) {
        aux.wrap(s.request);
        via.signStateful(mac, aux, s.source, LoopContext.isStream(s.channel), src);
        return ViaCodec.carriesMac(br, mac);
    }

    /** A verified final answer {@code code} from destination {@code src} to a CANCEL of {@code s}. */
    void onAnswer(CallState s, InetSocketAddress src, int code) {
        if (code < 200) {
            return;
        }
        NextHop[] hops = s.fanOut;
        for (int i = 0; i < Math.min(hops.length, MAX_FAN_OUT); i++) {
            if (hops[i] != null && hops[i].address().equals(src)) {
                s.fanOutPending &= ~(1L << i);
            }
        }
        if (code < 300) {
            finish(s, 200);
        } else if (s.fanOutPending == 0) {
            finish(s, 481);
        }
    }

    /** The failover timer: no destination accepted the CANCEL in time. */
    void onTimeout(CallState s) {
        finish(s, 481);
    }

    /** Sends the CANCEL {@code cancel} to the destinations of {@code s} whose bit is set in {@code mask}. */
    private void send(CallState s, SipMessageView cancel, long mask) {
        boolean stream = LoopContext.isStream(s.channel);
        NextHop[] hops = s.fanOut;
        for (int i = 0; i < Math.min(hops.length, MAX_FAN_OUT); i++) {
            NextHop d = hops[i];
            if (d == null || (mask & (1L << i)) == 0) {
                continue;
            }
            via.signStateful(mac, cancel, s.source, stream, d.address());
            CharSequence v = via.stateful(d.isTcp(), mac, s, ViaCodec.FOREIGN_CANCEL_ATTEMPT);
            egress.ackOrCancel(egress.from(d, s.channel), "CANCEL", cancel, v, cancel, d.address(), d.isTcp());
            s.fanOutPending |= 1L << i;
        }
    }

    /** Answers the caller's CANCEL with {@code code} and keeps the state a while for its retransmissions. */
    private void finish(CallState s, int code) {
        aux.wrap(s.request);
        answer(s.channel, s.source, aux, code);
        s.finalCode = code;
        s.phase = CallState.COMPLETED;
        calls.releaseRequest(s);
        calls.settle(s);
        calls.schedule(s, CallTable.LINGER_LIST, clock.nanoTime() + lingerNs);
    }

    private void answer(Channel ch, InetSocketAddress to, SipMessageView cancel, int code) {
        if (code == 200) {
            egress.reply(ch, to, cancel, 200, "OK", 0);
        } else {
            egress.reply(ch, to, cancel, 481, "Call/Transaction Does Not Exist", 0);
        }
    }
}
