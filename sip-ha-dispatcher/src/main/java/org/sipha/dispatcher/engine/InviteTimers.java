package org.sipha.dispatcher.engine;

import org.sipha.core.message.SipMessageView;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timers of the {@link InviteTransactions}, run by every tick of the loop: the failover timer (a destination
 * silent too long: the next one, or 487 after a CANCEL nobody answered), timer C (ringing too long: CANCEL), timer
 * A (an unanswered INVITE over UDP re-sent after T1, 2·T1, then every 4·T1) and the lingers that absorb
 * retransmissions. When the routing table changes it moves INVITEs off destinations that health checking took out.
 * Reports silences to the health side, except while the proxy itself had fallen behind, and counts what it did.
 * Single-threaded: the owning loop, except the counters (any thread).
 */
final class InviteTimers {
    private static final Logger LOG = LoggerFactory.getLogger(InviteTimers.class);
    private static final int MAX_EXPIRIES_PER_TICK = 100_000;

    private final LoopContext ctx;
    private final InviteTransactions transactions;
    private final CallTable calls;
    private final SipMessageView aux;
    private final DispatcherNextHopSelector selector;
    private final ForwardingOutcomeListener outcomes;
    private long seenSelectorVersion = Long.MIN_VALUE;
    /** Branch timeouts not reported to the health side because this proxy had fallen behind. Single writer. */
    private volatile long suppressedSilences;
    /** INVITEs failed over because their destination was ejected while they waited. Single writer. */
    private volatile long fastFailovers;
    /** INVITEs moved while ringing because health checking found their destination down. Single writer. */
    private volatile long ringingFailovers;

    InviteTimers(LoopContext ctx, InviteTransactions transactions) {
        this.ctx = ctx;
        this.transactions = transactions;
        this.calls = transactions.calls;
        this.aux = ctx.aux;
        this.selector = ctx.cfg.selector();
        this.outcomes = ctx.cfg.outcomeListener();
    }

    long suppressedSilences() {
        return suppressedSilences;
    }

    long fastFailovers() {
        return fastFailovers;
    }

    long ringingFailovers() {
        return ringingFailovers;
    }

    /**
     * If the routing table changed since the last tick, fails over at once the INVITEs still waiting for any
     * response from a destination no longer usable, and the ringing ones whose destination health checking found
     * down (not one an operator disabled or drains: those calls may finish).
     */
    void failOverIfTableChanged() {
        long v = selector.version();
        if (v != seenSelectorVersion) {
            seenSelectorVersion = v;
            failOverOn(true);
            failOverOn(false);
        }
    }

    /** Expires the heads of the timer lists that are due at {@code now}. */
    void expire(long now) {
        int n = 0;
        CallState s;
        while (n++ < MAX_EXPIRIES_PER_TICK && (s = calls.expired(CallTable.CALLING_LIST, now)) != null) {
            try {
                onCallingTimeout(s, now);
            } catch (RuntimeException e) { // never leave an expired state at the head: drop the call
                LOG.debug("dropped call state after a failure in its timer: {}", e.toString());
                calls.free(s);
            }
        }
        while (n++ < MAX_EXPIRIES_PER_TICK && (s = calls.expired(CallTable.PROCEEDING_LIST, now)) != null) {
            try {
                s.cancelled = true; // timer C: give up ringing
                transactions.sendCancel(s);
                calls.schedule(s, CallTable.CALLING_LIST, now + transactions.failoverNs);
            } catch (RuntimeException e) {
                LOG.debug("dropped call state after a failure in its timer: {}", e.toString());
                calls.free(s);
            }
        }
        while (n++ < MAX_EXPIRIES_PER_TICK && (s = calls.expired(CallTable.LINGER_LIST, now)) != null) {
            calls.free(s);
        }
        while (n++ < MAX_EXPIRIES_PER_TICK
                && (s = calls.expired(CallTable.UPSTREAM_RETRANSMITS_LINGER_LIST, now)) != null) {
            calls.free(s);
        }
        n = expireRetransmits(CallTable.RETRANSMIT_LIST_1, CallTable.RETRANSMIT_LIST_2, now, n);
        n = expireRetransmits(CallTable.RETRANSMIT_LIST_2, CallTable.RETRANSMIT_LIST_4, now, n);
        expireRetransmits(CallTable.RETRANSMIT_LIST_4, CallTable.RETRANSMIT_LIST_4, now, n);
    }

    /**
     * Timer A: retransmits each expired INVITE still unanswered on its UDP branch and moves it to {@code nextList}
     * (the doubled interval). The first retransmission also tells the health side the destination is silent.
     */
    private int expireRetransmits(int list, int nextList, long now, int n) {
        CallState s;
        while (n++ < MAX_EXPIRIES_PER_TICK && (s = calls.expired(list, now)) != null) {
            if (s.phase != CallState.CALLING || s.cancelled || s.request == null) {
                calls.unlink(s, 1);
                continue;
            }
            try {
                aux.wrap(s.request);
                transactions.sendBranch(s, aux);
                if (!s.silenceReported && ctx.silenceIsReal(s.sentNs)) {
                    s.silenceReported = true;
                    outcomes.onUnanswered(s.destination.address(), now - s.sentNs);
                }
                calls.schedule(
                        s, nextList, now + (nextList == CallTable.RETRANSMIT_LIST_2 ? 2 : 4) * transactions.t1Ns);
            } catch (RuntimeException e) { // it was sent once; stay bounded whatever happens
                LOG.debug("stopped retransmitting after a failure: {}", e.toString());
                calls.unlink(s, 1);
            }
        }
        return n;
    }

    /** The failover timer: 487 after an unanswered CANCEL, else the destination's silence and the next one. */
    private void onCallingTimeout(CallState s, long now) {
        if (s.foreignCancel) {
            transactions.foreignCancels.onTimeout(s);
            return;
        }
        if (s.cancelled) {
            transactions.answerUpstream(s, 487, "Request Terminated", 0);
            return;
        }
        ctx.traffic.failover(Failover.TIMEOUT);
        if (ctx.silenceIsReal(s.sentNs)) {
            outcomes.onTimeout(s.destination.address(), now - s.sentNs);
        } else {
            suppressedSilences = suppressedSilences + 1; // single writer
        }
        transactions.failOverOrReject(s);
    }

    /**
     * Walks one timer list once ({@code ringing}: the PROCEEDING list, else the CALLING one) and fails over each
     * live INVITE of that phase whose destination is gone: for a ringing call, one health checking found down; for
     * a call with no response yet, any destination no longer usable. A ringing branch is cancelled first; should it
     * answer 2xx after all, the caller gets it and the new branch is cancelled. Bounded by the list's size.
     */
    private void failOverOn(boolean ringing) {
        int list = ringing ? CallTable.PROCEEDING_LIST : CallTable.CALLING_LIST;
        int phase = ringing ? CallState.PROCEEDING : CallState.CALLING;
        int n = calls.listSize(list);
        int i = calls.head(list);
        while (n-- > 0 && i >= 0) {
            CallState s = calls.slot(i);
            i = calls.nextOn(s, 0); // read first: a failover moves s to another list or to the tail
            if (s.phase != phase
                    || s.cancelled
                    || s.destination == null
                    || (ringing ? !selector.isDown(s.destination) : selector.isUsable(s.destination))) {
                continue;
            }
            failOverNow(s, ringing);
        }
    }

    /** Fails {@code s} over outside its own timer; a failure drops the call state, never the walk. */
    private void failOverNow(CallState s, boolean ringing) {
        try {
            if (ringing) {
                transactions.sendCancel(s);
                ringingFailovers = ringingFailovers + 1; // single writer
            } else {
                fastFailovers = fastFailovers + 1; // single writer
            }
            transactions.failOverOrReject(s);
        } catch (RuntimeException e) {
            LOG.debug("dropped call state after a failure in its failover: {}", e.toString());
            calls.free(s);
        }
    }
}
