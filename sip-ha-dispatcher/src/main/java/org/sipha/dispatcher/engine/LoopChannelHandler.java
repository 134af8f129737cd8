package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jctools.queues.MpscArrayQueue;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty handler of one event loop, and the loop's proxy assembled from its layers (see the package
 * documentation): it frames each datagram or TCP message it reads and hands requests to the {@link RequestGate},
 * responses to the {@link ResponseRouter}; drains the queue through which other loops hand it responses to its
 * calls; runs the timers every tick; flushes the UDP sockets after a read batch. It also notes when the loop falls
 * behind its traffic (a read batch that stopped at its limit, a late tick), so that a destination's silence measured
 * meanwhile is not reported as the destination's.
 *
 * <h2>Threading</h2>
 * Every method runs on this handler's event loop, except {@link #handOff} (any loop) and the counters,
 * {@link #quietSince} and {@link #activeCalls} (any thread). Sharable among the channels of that one loop only.
 */
@ChannelHandler.Sharable
final class LoopChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(LoopChannelHandler.class);
    private static final int HANDOFF_CAPACITY = 8192;
    private static final long BEHIND_FOREVER_NS = 3_600_000_000_000L;
    private static final long TICK_LATE_NS = 20_000_000L;

    private final LoopContext ctx;
    private final SipMessageView msg;
    private final NanoClock clock;
    private final Egress egress;
    private final RequestGate gate;
    private final ResponseRouter responses;
    private final InviteTransactions transactions;
    private final InviteTimers timers;
    private final MpscArrayQueue<DatagramPacket> handoffQueue = new MpscArrayQueue<>(HANDOFF_CAPACITY);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainHandoffs;
    private EventLoop loop;
    /** Datagrams read in the current read batch, and the most one batch takes (the channel's setting). */
    private int batch;
    private int maxBatch = 16;
    private long lastTickNs;
    /** When this loop last fell behind its traffic. Written by the loop, read by any loop. */
    private volatile long lastBehindNs;

    /** {@code server} null: the in-memory pipeline; {@code memory} non-null: writes go there, not to sockets. */
    LoopChannelHandler(int index, ProxyConfig cfg, SipProxyServer server, InMemoryPipeline.Output memory) {
        this.ctx = new LoopContext(index, cfg, server);
        this.msg = ctx.msg;
        this.clock = ctx.clock;
        this.lastBehindNs = clock.nanoTime() - BEHIND_FOREVER_NS;
        ViaCodec via = new ViaCodec(ctx);
        this.egress = new Egress(ctx, memory);
        DialogRouter dialogs = new DialogRouter(ctx, via, egress);
        StatelessForwarder stateless = new StatelessForwarder(ctx, via, dialogs, egress);
        this.transactions = new InviteTransactions(ctx, via, dialogs, stateless, egress);
        this.timers = new InviteTimers(ctx, transactions);
        this.gate = new RequestGate(ctx, via, transactions, dialogs, stateless, egress);
        this.responses = new ResponseRouter(ctx, transactions, stateless);
    }

    /** Called once by the server before any channel is bound. */
    void attach(EventLoop eventLoop, LoopChannelHandler[] allLoops,
                Function<InetSocketAddress, ChannelFuture> tcpConnector) {
        this.loop = eventLoop;
        responses.attach(allLoops);
        egress.attachTcp(tcpConnector);
    }

    EventLoop loop() {
        return loop;
    }

    /** Closes this loop's TCP connections (on shutdown). */
    void closeConnections() {
        egress.closeConnections();
    }

    long fastFailovers() {
        return timers.fastFailovers();
    }

    long ringingFailovers() {
        return timers.ringingFailovers();
    }

    long suppressedSilences() {
        return timers.suppressedSilences();
    }

    int activeCalls() {
        return transactions.activeCalls();
    }

    /** Any thread: true if this loop has not fallen behind its traffic since {@code sinceNs}. */
    boolean quietSince(long sinceNs) {
        return lastBehindNs - sinceNs < 0;
    }

    // ------------------------------------------------------------------------------------------ Netty events

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        if (c.channel().config().getRecvByteBufAllocator() instanceof MaxMessagesRecvByteBufAllocator m) {
            maxBatch = Math.max(2, m.maxMessagesPerRead());
        }
        if (!LoopContext.isStream(c.channel())) {
            egress.addDatagramChannel(c.channel()); // on this loop: the channel is being registered with it
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        if (LoopContext.isStream(c.channel())) {
            egress.tcpActive(c.channel());
        }
        c.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        if (LoopContext.isStream(c.channel())) {
            egress.tcpInactive(c.channel());
        }
        c.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object m) {
        DatagramPacket p = (DatagramPacket) m;
        boolean keep = false;
        batch++;
        try {
            keep = handle(c.channel(), p.content(), p.sender(), p);
        } catch (RuntimeException e) {
            LOG.debug("dropped a message from {}: {}", p.sender(), e.toString());
        } finally {
            if (!keep) {
                p.release();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext c) {
        if (batch >= maxBatch && !LoopContext.isStream(c.channel())) {
            lastBehindNs = clock.nanoTime(); // the read stopped at its limit: datagrams are queued in the socket
        }
        batch = 0;
        egress.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        LOG.warn("socket error on {}: {}", c.channel().localAddress(), cause.toString());
    }

    // ------------------------------------------------------------------------------------------ messages

    /**
     * One received message. {@code packet} is what {@code content} came in (to hand it to another loop), or null
     * in the in-memory pipeline. Returns true if the packet was handed to another loop, which then owns it.
     */
    boolean handle(Channel ch, ByteBuf content, InetSocketAddress src, DatagramPacket packet) {
        SipParseResult r = ByteBufMessages.wrap(msg, content);
        if (r != SipParseResult.OK) {
            if (r != SipParseResult.KEEPALIVE) {
                LOG.debug("unparseable datagram from {}: {}", src, r);
            }
            return false;
        }
        if (msg.isRequest()) {
            gate.onRequest(ch, src, content);
            return false;
        }
        return responses.onResponse(ch, src, packet);
    }

    /**
     * Any loop: passes a response whose call this loop owns; on success this loop releases it. Returns false (the
     * caller keeps and releases the packet) if the queue is full.
     */
    boolean handOff(DatagramPacket p) {
        if (!handoffQueue.offer(p)) {
            return false;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(drainTask);
        }
        return true;
    }

    private void drainHandoffs() {
        drainScheduled.set(false);
        DatagramPacket p;
        int n = 0;
        while (n++ < HANDOFF_CAPACITY && (p = handoffQueue.poll()) != null) {
            try {
                handle(egress.firstDatagramChannel(), p.content(), p.sender(), p);
            } catch (RuntimeException e) {
                LOG.debug("dropped a handed-off message: {}", e.toString());
            } finally {
                p.release();
            }
        }
        egress.flush();
    }

    // ------------------------------------------------------------------------------------------ timers

    /** Runs every few milliseconds on the loop: table changes, lateness, the timer lists, then a flush. */
    void tick() {
        long now = clock.nanoTime();
        timers.failOverIfTableChanged();
        if (ctx.server != null && lastTickNs != 0 && now - lastTickNs > SipProxyServer.TICK_NS + TICK_LATE_NS) {
            lastBehindNs = now; // the loop was too busy to run its timers on time
        }
        lastTickNs = now;
        timers.expire(now);
        transactions.publishActiveCalls();
        egress.flush();
    }
}
