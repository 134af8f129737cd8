package org.sipha.dispatcher.engine;

import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.ViaView;
import org.sipha.core.spi.HealthProbeBranch;

/**
 * The response path, by the top Via's branch: not ours, it is dropped, unless it answers a health probe sent from
 * our socket (then it is copied for the health thread); a stateless branch of ours goes on by its next Via
 * ({@link StatelessForwarder}); a stateful one goes to its call in {@link InviteTransactions} on the loop that
 * owns it, which the branch names: a response the kernel delivered to another loop ({@code SO_REUSEPORT} spreads
 * sources over sockets) is handed to the owner's queue. Single-threaded: the loop it runs on.
 */
final class ResponseRouter {
    private final LoopContext ctx;
    private final SipMessageView msg;
    private final InviteTransactions transactions;
    private final StatelessForwarder stateless;
    private final long[] branchFields = new long[4];
    private LoopChannelHandler[] loops;

    ResponseRouter(LoopContext ctx, InviteTransactions transactions, StatelessForwarder stateless) {
        this.ctx = ctx;
        this.msg = ctx.msg;
        this.transactions = transactions;
        this.stateless = stateless;
    }

    /** Once, before any channel is bound: the handlers of every loop of the server, by loop index. */
    void attach(LoopChannelHandler[] allLoops) {
        this.loops = allLoops;
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
            stateless.forwardResponseByVia(ch);
            return false;
        }
        long[] f = branchFields;
        if (!ViaCodec.parseStateful(br, f)) {
            return false;
        }
        int owner = (int) f[0];
        if (owner != ctx.index) {
            if (p == null || loops == null || owner < 0 || owner >= loops.length) {
                return false;
            }
            return loops[owner].handOff(p); // on success the owner releases the packet; else our caller does
        }
        transactions.onResponse(ch, src, (int) f[1], (int) f[2], (int) f[3]);
        return false;
    }
}
