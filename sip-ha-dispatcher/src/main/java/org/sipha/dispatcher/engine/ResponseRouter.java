package org.sipha.dispatcher.engine;

import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipMethod;
import org.sipha.core.message.ViaView;
import org.sipha.core.spi.HealthProbeBranch;

/**
 * The response path, by the top Via's branch: not ours, it is dropped, unless it answers a health probe sent from
 * our socket (then it is copied for the health thread). A branch of ours is relayed only if its MAC proves that we
 * forwarded the request it answers ({@link BranchSigner}); any other is dropped and counted. A stateless branch goes
 * on by its next Via ({@link StatelessForwarder}); a stateful one goes to its call in {@link InviteTransactions} on
 * the loop that owns it, which the Via's {@code shs} parameter names: a response the kernel delivered to another
 * loop ({@code SO_REUSEPORT} spreads sources over sockets) is handed to the owner's queue first, and the owner checks
 * it. For a live call's current branch the MAC is compared with the one stored in its {@link CallState} and the
 * response must come from the branch's destination; otherwise (an abandoned branch, a call state gone) the MAC is
 * recomputed, and covers that destination too, and a call in the named slot must be the response's. An answer to a
 * CANCEL that {@link ForeignCancels} sent goes to it once its branch verifies.
 *
 * <p>Single-threaded: the loop it runs on, except {@link #forgedResponses} (any thread).
 */
final class ResponseRouter {
    private final LoopContext ctx;
    private final SipMessageView msg;
    private final ViaCodec via;
    private final InviteTransactions transactions;
    private final StatelessForwarder stateless;
    /** The loop, slot, generation and attempt of a stateful Via ({@link ViaCodec#parseSlot}). */
    private final long[] slotFields = new long[4];

    private LoopChannelHandler[] loops;
    /** Responses with a branch of ours whose MAC or source did not verify. Single writer. */
    private volatile long forgedResponses;

    ResponseRouter(LoopContext ctx, ViaCodec via, InviteTransactions transactions, StatelessForwarder stateless) {
        this.ctx = ctx;
        this.msg = ctx.msg;
        this.via = via;
        this.transactions = transactions;
        this.stateless = stateless;
    }

    /** Once, before any channel is bound: the handlers of every loop of the server, by loop index. */
    void attach(LoopChannelHandler[] allLoops) {
        this.loops = allLoops;
    }

    /** Any thread: responses dropped because their branch's MAC (or their source) did not verify. */
    long forgedResponses() {
        return forgedResponses;
    }

    /**
     * The response in {@code msg}, received on {@code ch} from {@code src} in {@code p} (null in the in-memory
     * pipeline: then a response owned by another loop is dropped). Returns true if {@code p} was handed to another
     * loop, which then owns (and releases) it.
     */
    boolean onResponse(Channel ch, InetSocketAddress src, DatagramPacket p) {
        ViaView top = msg.topVia();
        AsciiView br = top == null ? null : top.branch();
        if (!ViaCodec.isOurs(br)) {
            if (ctx.server != null && p != null && br != null && ViaCodec.startsWith(br, HealthProbeBranch.PREFIX)) {
                ctx.server.onProbeReply(p); // a health probe sent from our socket: copied for the health thread
            }
            return false; // not a branch of ours: drop
        }
        if (!ViaCodec.isStateful(br)) {
            InetSocketAddress to = stateless.responseTarget();
            boolean tcp = stateless.responseTargetTcp();
            if (to == null || !via.verifiesStateless(br, msg, msg.via(1).branch(), to, tcp)) {
                countForged();
                return false;
            }
            stateless.forwardResponse(ch, to, tcp);
            return false;
        }
        long[] f = slotFields;
        if (!ViaCodec.parseSlot(top, f)) {
            countForged();
            return false;
        }
        int owner = (int) f[0];
        if (owner != ctx.index) {
            if (p == null || loops == null || owner < 0 || owner >= loops.length) {
                return false;
            }
            return loops[owner].handOff(p); // on success the owner releases the packet; else our caller does
        }
        CallState s = transactions.calls.get((int) f[1], (int) f[2]);
        int attempt = (int) f[3];
        if (msg.cseqMethodCode() == SipMethod.CANCEL) {
            if (attempt == ViaCodec.FOREIGN_CANCEL_ATTEMPT) {
                onForeignCancelAnswer(br, s, src);
            }
            return false; // else the answer to our own CANCEL: the call has nothing to learn from it
        }
        if (s != null && s.foreignCancel) {
            countForged(); // a response to an INVITE never names a CANCEL's state
            return false;
        }
        if (isCurrentBranch(s, attempt)) {
            if (!src.equals(s.destination.address()) || !ViaCodec.carriesMac(br, s.branchMac)) {
                countForged();
                return false;
            }
        } else if (!verifiesRecomputed(br, s, src)
                || (s != null && s.macGeneration == s.generation && ViaCodec.carriesMac(br, s.branchMac))) {
            countForged(); // the current branch's MAC with another attempt: the slot parameter was changed
            return false;
        }
        transactions.onResponse(ch, src, s, attempt);
        return false;
    }

    /** Whether {@code attempt} is the current, signed branch of the live call {@code s}. */
    private static boolean isCurrentBranch(CallState s, int attempt) {
        return s != null && s.attempt == attempt && s.macGeneration == s.generation && s.macAttempt == s.attempt;
    }

    /**
     * Any branch but a live call's current one (abandoned, or its call state gone): the MAC recomputed over the
     * request, its response target and the source; and the call in the slot, if any, must be this request's, since
     * the slot parameter is not under the MAC.
     */
    private boolean verifiesRecomputed(AsciiView br, CallState s, InetSocketAddress src) {
        InetSocketAddress to = stateless.responseTarget();
        if (to == null) {
            return false;
        }
        boolean tcp = stateless.responseTargetTcp();
        AsciiView upstreamBranch = msg.via(1).branch();
        return via.verifiesStateful(br, msg, upstreamBranch, to, tcp, src)
                && (s == null || CallTable.keyEquals(s, msg.callId(), upstreamBranch));
    }

    /** A destination's answer to a CANCEL that {@link ForeignCancels} sent for the state {@code s}. */
    private void onForeignCancelAnswer(AsciiView br, CallState s, InetSocketAddress src) {
        if (s == null || !s.foreignCancel || s.phase == CallState.COMPLETED) {
            return; // answered already, or the state is gone: nothing to learn
        }
        if (!transactions.foreignCancels.wasSentTo(s, br, src)) {
            countForged();
            return;
        }
        transactions.foreignCancels.onAnswer(s, src, msg.statusCode());
    }

    private void countForged() {
        forgedResponses = forgedResponses + 1; // single writer
    }
}
