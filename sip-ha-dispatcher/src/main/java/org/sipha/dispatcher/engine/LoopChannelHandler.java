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
import java.util.concurrent.RejectedExecutionException;
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
    private final DialogRouter dialogs;
    private final MpscArrayQueue<DatagramPacket> handoffQueue = new MpscArrayQueue<>(HANDOFF_CAPACITY);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainHandoffs;
    /** Set by {@link #close}, or by any loop when this one's executor has stopped; then nothing is handled. */
    private volatile boolean closed;

    private EventLoop loop;
    /** Datagrams read in the current read batch, and the most one batch takes (the channel's setting). */
    private int batch;

    private int maxBatch = 16;
    private long lastTickNs;
    /** The periodic refusal log line: written by loop 0 for the whole server (or by the in-memory pipeline). */
    private final RefusalSummary refusalSummary = new RefusalSummary();
    /** Its TCP counterpart: connections refused at accept or closed for abuse (loop 0 of a server only). */
    private final RefusalSummary tcpSummary =
            new RefusalSummary("TCP connections refused or closed", TcpCounters.SUMMARY_LABELS);
    /** Whether a handling error was logged (at DEBUG) in the current summary interval: one per interval at most. */
    private boolean errorLogged;
    /** Whether a socket error was logged at WARN in the current summary interval; later ones go to DEBUG. */
    private boolean socketErrorLogged;
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
        this.dialogs = new DialogRouter(ctx, via, egress);
        StatelessForwarder stateless = new StatelessForwarder(ctx, via, dialogs, egress);
        this.transactions = new InviteTransactions(ctx, via, dialogs, stateless, egress);
        this.timers = new InviteTimers(ctx, transactions);
        this.gate = new RequestGate(ctx, via, transactions, dialogs, stateless, egress);
        this.responses = new ResponseRouter(ctx, via, transactions, stateless);
    }

    /** Called once by the server before any channel is bound. */
    void attach(
            EventLoop eventLoop,
            LoopChannelHandler[] allLoops,
            Function<InetSocketAddress, ChannelFuture> tcpConnector) {
        this.loop = eventLoop;
        responses.attach(allLoops);
        egress.attachTcp(tcpConnector);
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * On this loop, at shutdown: closes its TCP connections, frees its calls (their stored INVITEs go back to the
     * pool) and releases the responses handed to it. From then on every packet is released unhandled.
     */
    void close() {
        closed = true;
        egress.closeConnections();
        transactions.calls.freeAll();
        transactions.publishActiveCalls();
        if (drainScheduled.compareAndSet(false, true)) { // else a pending drain or a producer releases them
            releaseHandoffs();
            drainScheduled.set(false);
        }
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

    long forgedResponses() {
        return responses.forgedResponses();
    }

    long refusedRelays() {
        return dialogs.refusedRelays();
    }

    long unconnectedDrops() {
        return egress.unconnectedDrops();
    }

    /** This loop's traffic counters (any thread reads them). */
    TrafficCounters traffic() {
        return ctx.traffic;
    }

    /** This loop's per-destination counters (any thread reads them). */
    DestinationCounters destinationCounters() {
        return ctx.destinations;
    }

    /** Any thread: this loop's count of {@code reason} (three of them kept by the layer that drops). */
    long refusals(Refusal reason) {
        return switch (reason) {
            case FORGED_RESPONSE -> forgedResponses();
            case IN_DIALOG_REFUSED -> refusedRelays();
            case TCP_NO_CONNECTION -> unconnectedDrops();
            default -> ctx.refusals.get(reason);
        };
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
            handlingFailed(e);
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
        if (!socketErrorLogged) { // a peer can cause these at will (e.g. TCP resets): one WARN per interval
            socketErrorLogged = true;
            LOG.warn(
                    "socket error on {}: {} (more in the next {} s at DEBUG)",
                    c.channel().localAddress(),
                    cause.toString(),
                    RefusalSummary.INTERVAL_NS / 1_000_000_000L);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("socket error on {}: {}", c.channel().localAddress(), cause.toString());
        }
    }

    // ------------------------------------------------------------------------------------------ messages

    /**
     * One received message. {@code packet} is what {@code content} came in (to hand it to another loop), or null
     * in the in-memory pipeline. Returns true if the packet was handed to another loop, which then owns it.
     */
    boolean handle(Channel ch, ByteBuf content, InetSocketAddress src, DatagramPacket packet) {
        if (closed) {
            return false;
        }
        SipParseResult r = msg.wrap(content);
        if (r != SipParseResult.OK) {
            if (r != SipParseResult.KEEPALIVE) {
                ctx.refusals.add(Refusal.UNPARSEABLE); // counted, logged in the periodic summary only
            }
            return false;
        }
        if (msg.isRequest()) {
            ctx.traffic.request(msg.methodCode());
            gate.onRequest(ch, src, content);
            return false;
        }
        return responses.onResponse(ch, src, packet);
    }

    /**
     * Any loop: passes a response whose call this loop owns; on success this loop releases it. Returns false (the
     * caller keeps and releases the packet) if the queue is full or this loop has closed.
     */
    boolean handOff(DatagramPacket p) {
        if (closed || !handoffQueue.offer(p)) {
            return false;
        }
        scheduleDrain();
        return true;
    }

    /**
     * Any loop: runs the drain on this loop unless one is pending. Whoever holds {@code drainScheduled} is the
     * queue's one consumer: the drain task, or a producer that finds this loop stopped and releases the queue itself.
     */
    private void scheduleDrain() {
        for (int tries = 0; tries < 4 && drainScheduled.compareAndSet(false, true); tries++) {
            try {
                loop.execute(drainTask);
                return;
            } catch (RejectedExecutionException e) { // this loop has stopped: nothing will run the drain
                closed = true;
                releaseHandoffs();
                drainScheduled.set(false);
            }
            if (handoffQueue.isEmpty()) {
                return; // else a packet was offered while we held the flag, and its producer left it to us
            }
        }
    }

    /** Releases every packet waiting in the hand-off queue; only by the holder of {@code drainScheduled}. */
    private void releaseHandoffs() {
        DatagramPacket p;
        for (int n = 0; n < 2 * HANDOFF_CAPACITY && (p = handoffQueue.poll()) != null; n++) {
            p.release();
        }
    }

    /** On this loop, holding {@code drainScheduled}: handles (or, closed, just releases) what was handed off. */
    private void drainHandoffs() {
        try {
            DatagramPacket p;
            int n = 0;
            while (n++ < HANDOFF_CAPACITY && (p = handoffQueue.poll()) != null) {
                try {
                    handle(egress.firstDatagramChannel(), p.content(), p.sender(), p);
                } catch (RuntimeException e) {
                    handlingFailed(e);
                } finally {
                    p.release();
                }
            }
        } finally {
            drainScheduled.set(false);
        }
        if (!handoffQueue.isEmpty()) {
            scheduleDrain(); // offered after our last poll, while we held the flag
        }
        egress.flush();
    }

    /** A message whose handling threw: counted; the first of each summary interval is logged at DEBUG. */
    void handlingFailed(RuntimeException e) {
        ctx.refusals.add(Refusal.HANDLING_ERROR);
        if (!errorLogged) {
            errorLogged = true;
            LOG.debug(
                    "dropped a message (later ones in the next {} s are only counted): {}",
                    RefusalSummary.INTERVAL_NS / 1_000_000_000L,
                    e.toString());
        }
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
        if (refusalSummary.due(now)) {
            logRefusals();
        }
        if (ctx.index == 0 && ctx.server != null && tcpSummary.due(now)) {
            String line = tcpSummary.line(ctx.server.tcpCounters().totals());
            if (line != null) {
                LOG.info(line);
            }
        }
    }

    /** Every summary interval: one INFO line with the refusals that moved, for the whole server (loop 0 writes it). */
    private void logRefusals() {
        errorLogged = false;
        socketErrorLogged = false;
        if (ctx.index != 0) {
            return;
        }
        String line = refusalSummary.line(ctx.server != null ? ctx.server.refusalTotals() : ownRefusals());
        if (line != null) {
            LOG.info(line);
        }
    }

    private long[] ownRefusals() {
        long[] t = new long[Refusal.ALL.length];
        for (Refusal r : Refusal.ALL) {
            t[r.ordinal()] = refusals(r);
        }
        return t;
    }
}
