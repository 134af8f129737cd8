package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.jctools.queues.MpscArrayQueue;
import org.sipha.core.spi.HealthProbeBranch;
import org.sipha.core.spi.HealthProbeTransport;

/**
 * Health probes through the proxy's own UDP listening sockets: an OPTIONS leaves from the proxy's listen address
 * and port, so firewalls and ACLs in front of a destination see the source real traffic has, and a destination
 * that only answers the proxy's port is probed the way calls reach it. Get it from
 * {@link SipProxyServer#probeTransport()}; the standalone {@code UdpProbeTransport} of {@code sip-ha-health} is for
 * embedders without a proxy.
 *
 * <pre>
 *   health thread --send--> writeAndFlush on the first socket of the matching listen address (its event loop writes)
 *   any event loop: response whose top Via branch starts with HealthProbeBranch.PREFIX, from an address a probe
 *       went to --offer (copy)--> bounded MPSC queue --poll--> health thread (the prober matches it by Call-ID
 *       and source)
 * </pre>
 * The replies come back to the listen port, where {@code SO_REUSEPORT} spreads them over all loops' sockets by source
 * address; hence a multi-producer queue. When it is full a reply is dropped and counted (the probe then times out).
 * A reply from an address no probe was sent to is dropped before it is copied and counted ({@link #foreignReplies}),
 * so a flood of forged replies cannot fill the queue.
 *
 * <h2>Threading</h2>
 * {@link #send}, {@link #poll}, {@link #localAddress} and {@link #close} are for the health owner thread, one at a
 * time (as {@link HealthProbeTransport} says); none blocks. {@link #droppedReplies()}, {@link #foreignReplies()} and
 * {@link #sendFailures()} may be called from any thread. The engine's event loops call the package-private {@link #offer}.
 */
public final class ProxyProbeTransport implements HealthProbeTransport {
    /** Replies waiting for the health thread; probes are a few per destination per second, so this is ample. */
    static final int QUEUE_CAPACITY = 1024;

    private static final AtomicLongFieldUpdater<ProxyProbeTransport> DROPPED =
            AtomicLongFieldUpdater.newUpdater(ProxyProbeTransport.class, "droppedReplies");
    private static final AtomicLongFieldUpdater<ProxyProbeTransport> SEND_FAILED =
            AtomicLongFieldUpdater.newUpdater(ProxyProbeTransport.class, "sendFailures");
    private static final AtomicLongFieldUpdater<ProxyProbeTransport> FOREIGN =
            AtomicLongFieldUpdater.newUpdater(ProxyProbeTransport.class, "foreignReplies");
    /** Most destinations remembered as probed; past it the set starts over from the next probe's destination. */
    static final int MAX_PROBED = 4096;

    /** One received reply, copied: the engine's buffer goes back to its pool at once. */
    private record Reply(InetSocketAddress from, byte[] bytes) {}

    private final MpscArrayQueue<Reply> replies = new MpscArrayQueue<>(QUEUE_CAPACITY);
    private final List<Channel> sockets;
    private final List<InetSocketAddress> listen;
    private final DispatcherNextHopSelector selector;
    private final InetSocketAddress local;
    private final ChannelFutureListener countFailure = f -> {
        if (!f.isSuccess()) {
            SEND_FAILED.incrementAndGet(this);
        }
    };
    /** Replies are queued only while someone probes through this transport (between open and close). */
    private volatile boolean open;
    /**
     * Where probes went: a reply from any other source is dropped before it is copied, so forged replies cannot
     * fill the queue and crowd out the real ones. Replaced whole by the health thread, read by the loops.
     */
    private volatile Set<InetSocketAddress> probed = Set.of();

    private volatile long droppedReplies;
    private volatile long sendFailures;
    private volatile long foreignReplies;

    /**
     * @param sockets one bound UDP channel per listen address (the {@code SO_REUSEPORT} siblings share its address)
     * @param listen  the configured listen addresses of {@code sockets}, in the same order
     * @param selector whose destinations' {@code socket=} picks the socket a probe to them leaves from
     * @param viaHost the host probes put in their Via (the proxy's advertised host; brackets of an IPv6 literal
     *                are removed here and added back by the prober)
     * @param viaPort the port probes put in their Via
     */
    ProxyProbeTransport(
            List<Channel> sockets,
            List<InetSocketAddress> listen,
            DispatcherNextHopSelector selector,
            String viaHost,
            int viaPort) {
        if (sockets.isEmpty() || sockets.size() != listen.size()) {
            throw new IllegalArgumentException("no UDP socket to probe from, or not one per listen address");
        }
        this.sockets = List.copyOf(sockets);
        this.listen = List.copyOf(listen);
        this.selector = selector;
        String host =
                viaHost.startsWith("[") && viaHost.endsWith("]") ? viaHost.substring(1, viaHost.length() - 1) : viaHost;
        this.local = InetSocketAddress.createUnresolved(host, viaPort);
    }

    /** Starts queueing replies (called when the transport is handed out). */
    void open() {
        open = true;
    }

    /**
     * Sends {@code request} (copied; the caller may reuse it) from the proxy socket whose listen address has the
     * destination's address family, else from the first one. Returns false only if the socket is closed. A socket
     * whose outbound buffer is above its high-water mark still takes the probe (a few hundred bytes a few times a
     * second): refusing it would count the proxy's own overload as a failure of the destination, whereas a probe
     * that is late or lost there times out, which traffic answered within the grace forgives. A write that fails
     * later is counted in {@link #sendFailures()} and the probe times out.
     */
    @Override
    public boolean send(InetSocketAddress destination, ByteBuffer request) {
        if (!open || destination == null || destination.isUnresolved()) {
            return false;
        }
        Channel ch = socketFor(destination);
        if (!ch.isActive()) {
            return false;
        }
        remember(destination);
        ByteBuf out = Unpooled.copiedBuffer(request);
        // Off the loop: Netty queues the write as a task on the socket's event loop, so no engine state is touched.
        ch.writeAndFlush(new DatagramPacket(out, destination)).addListener(countFailure);
        return true;
    }

    @Override
    public int poll(ReplyHandler handler, int limit) {
        int n = 0;
        Reply r;
        while (n < limit && (r = replies.relaxedPoll()) != null) {
            handler.onReply(r.from(), r.bytes(), 0, r.bytes().length);
            n++;
        }
        return n;
    }

    /** The proxy's advertised address: what its Via carries, so the destination answers the listening socket. */
    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    /** Stops queueing replies and discards those waiting; the sockets belong to the proxy and stay open. */
    @Override
    public void close() {
        open = false;
        replies.clear();
    }

    /** Replies dropped because the health thread fell behind and the queue was full. Any thread. */
    public long droppedReplies() {
        return droppedReplies;
    }

    /** Replies dropped because they came from an address no probe was sent to. Any thread. */
    public long foreignReplies() {
        return foreignReplies;
    }

    /** Probe writes the socket failed after {@link #send} had accepted them. Any thread. */
    public long sendFailures() {
        return sendFailures;
    }

    /**
     * Any event loop: {@code p} is a response whose top Via branch starts with {@link HealthProbeBranch#PREFIX}.
     * Copies it for the health thread; the caller keeps ownership of (and releases) the packet.
     */
    void offer(DatagramPacket p) {
        if (!open) {
            return; // nobody probes through this proxy: a stray reply, dropped like any response not ours
        }
        if (!probed.contains(p.sender())) {
            FOREIGN.incrementAndGet(this);
            return;
        }
        // NOTE: size() is approximate under concurrent offers; it only spares the copy when clearly full, the
        // offer below is what bounds the queue.
        if (replies.size() >= QUEUE_CAPACITY) {
            DROPPED.incrementAndGet(this);
            return;
        }
        ByteBuf c = p.content();
        byte[] copy = new byte[c.readableBytes()];
        c.getBytes(c.readerIndex(), copy);
        if (!replies.offer(new Reply(p.sender(), copy))) {
            DROPPED.incrementAndGet(this);
        }
    }

    /** Health thread: adds {@code destination} to the probed set (copy on write; a new one only when it is new). */
    private void remember(InetSocketAddress destination) {
        Set<InetSocketAddress> now = probed;
        if (now.contains(destination)) {
            return;
        }
        Set<InetSocketAddress> next = now.size() >= MAX_PROBED ? new HashSet<>() : new HashSet<>(now);
        next.add(destination);
        probed = Set.copyOf(next);
    }

    /**
     * The destination's {@code socket=} if it has one (as its calls, so the probe tests the path they take), else
     * the first listen address of its family (the configured one: a wildcard socket may report {@code ::}).
     */
    private Channel socketFor(InetSocketAddress destination) {
        NextHop hop = sockets.size() > 1 ? selector.hopAt(destination) : null;
        int chosen = hop == null || hop.source() == null ? -1 : listen.indexOf(hop.source());
        if (chosen >= 0) {
            return sockets.get(chosen);
        }
        boolean v6 = destination.getAddress() instanceof Inet6Address;
        for (int i = 0; i < listen.size(); i++) {
            if ((listen.get(i).getAddress() instanceof Inet6Address) == v6) {
                return sockets.get(i);
            }
        }
        return sockets.get(0);
    }
}
