package org.sipha.dispatcher.engine;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.sipha.core.message.SipParseLimits;
import org.sipha.core.spi.SiteQuorumSignal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarding engine: UDP sockets on Netty (native epoll with {@code SO_REUSEPORT} and one socket per event
 * loop on each listen address; NIO with one loop elsewhere; see {@link IoTransport}), one
 * {@link LoopChannelHandler} per loop, on {@link EngineLoops} of its own or shared with a warm-up engine.
 *
 * <pre>{@code
 * SipProxyServer proxy = SipProxyServer.start(ProxyConfig.builder()
 *     .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
 *     .destinations(List.of(Destination.of("pbx1", "sip:127.0.0.1:5081"),
 *         Destination.of("pbx2", "sip:127.0.0.1:5082")))         // org.sipha.core.model.Destination
 *     .recordRouteSecret("shared by all proxies of the deployment")
 *     .build());
 * }</pre>
 *
 * <h2>Threading</h2>
 * {@link #start}, {@link #drain}, {@link #activeCalls}, the counters ({@link #refusals}, {@link #tcpCounters} ...),
 * {@link #awaitIdle}, {@link #probeTransport} and {@link #close} may be called from any thread; message handling
 * runs on the event loops only.
 */
public final class SipProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipProxyServer.class);
    private static final int TICK_MS = 10; // timer resolution; each tick is a wake-up of every loop, idle or not
    static final long TICK_NS = TICK_MS * 1_000_000L;
    /** How often each loop looks for TCP connections past a timeout (the timeouts are seconds long). */
    static final int TCP_CHECK_MS = 250;
    /**
     * The most datagrams one wake-up of a loop reads from its UDP socket (Netty's option default is one); a read
     * that stops at this limit is how {@link LoopChannelHandler} tells that datagrams are queued.
     */
    static final int READ_BATCH = 16;
    /** Microseconds between received datagrams at the most one loop carries, with headroom. */
    private static final int MICROS_PER_DATAGRAM_AT_CAPACITY = 16;

    /**
     * The read limit for loops that coalesce for {@code coalesceMicros}: a window gathers what arrived during it,
     * which alone must not count as falling behind, so the limit grows to what a window gathers at full load.
     */
    static int readBatch(int coalesceMicros) {
        return Math.max(READ_BATCH, coalesceMicros / MICROS_PER_DATAGRAM_AT_CAPACITY);
    }

    private final ProxyConfig cfg;
    private final LoopChannelHandler[] workers;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final List<ScheduledFuture<?>> ticks = new CopyOnWriteArrayList<>();
    private final EngineLoops loops;
    private final boolean ownsLoops;
    private volatile boolean draining;
    private volatile boolean refusing;
    private volatile int refuseRetryAfter;
    private volatile ProxyProbeTransport probes;
    private final TcpCounters tcpCounters = new TcpCounters();
    /** Per loop, as {@link #workers}: the TCP timeouts of the connections on that loop. */
    private final TcpTimeouts[] tcpTimeouts;

    private final TcpSlowReaderGuard slowReaderGuard = new TcpSlowReaderGuard(tcpCounters);
    private final SipParseLimits tcpLimits;
    private final EngineCounters counters;

    private SipProxyServer(ProxyConfig cfg, EngineLoops loops, boolean ownsLoops) {
        this.cfg = cfg;
        this.loops = loops;
        this.ownsLoops = ownsLoops;
        this.workers = new LoopChannelHandler[loops.size()];
        this.tcpTimeouts = new TcpTimeouts[loops.size()];
        this.counters = new EngineCounters(workers, cfg.selector());
        this.tcpLimits = SipParseLimits.builder()
                .maxMessageBytes(cfg.tcpMaxMessageBytes())
                .build();
    }

    /**
     * Starts the event loops ({@link ProxyConfig#transport()}, {@link ProxyConfig#eventLoops()}), binds every
     * listen address and starts forwarding. {@link #close} stops the loops too.
     *
     * @throws IllegalStateException if an address cannot be bound, or the configured transport is not available
     *     here (the message says why)
     */
    public static SipProxyServer start(ProxyConfig cfg) {
        EngineLoops loops;
        try {
            loops = EngineLoops.start(cfg);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot start the proxy: " + e.getMessage(), e);
        }
        return start(cfg, loops, true);
    }

    /**
     * Binds every listen address and starts forwarding on {@code loops}, which stay running after {@link #close}
     * (another engine may use them next; the caller closes them). The transport and the number of loops are
     * those of {@code loops}, and so is the coalescing window; {@code cfg}'s are not used.
     *
     * @throws IllegalStateException if an address cannot be bound (the message says why)
     */
    public static SipProxyServer start(ProxyConfig cfg, EngineLoops loops) {
        return start(cfg, loops, false);
    }

    private static SipProxyServer start(ProxyConfig cfg, EngineLoops loops, boolean ownsLoops) {
        SipProxyServer s = new SipProxyServer(cfg, loops, ownsLoops);
        try {
            s.bind();
        } catch (RuntimeException | InterruptedException e) {
            s.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start the proxy: " + e.getMessage(), e);
        }
        return s;
    }

    private void bind() throws InterruptedException {
        List<EventLoop> eventLoops = loops.loops();
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new LoopChannelHandler(i, cfg, this, null);
        }
        for (int i = 0; i < workers.length; i++) {
            EventLoop loop = eventLoops.get(i);
            LoopChannelHandler w = workers[i];
            TcpTimeouts t =
                    new TcpTimeouts(cfg.clock(), cfg.tcpIdleTimeoutMs(), cfg.tcpMessageTimeoutMs(), tcpCounters);
            tcpTimeouts[i] = t;
            w.attach(loop, workers, to -> connect(loop, w, t, to));
            ticks.add(loop.scheduleAtFixedRate(w::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS));
            ticks.add(loop.scheduleAtFixedRate(t::expire, TCP_CHECK_MS, TCP_CHECK_MS, TimeUnit.MILLISECONDS));
        }
        for (InetSocketAddress address : cfg.udpListen()) {
            for (LoopChannelHandler w : workers) {
                Bootstrap b = new Bootstrap()
                        .group(w.loop())
                        .channel(loops.layer().datagram)
                        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                        .option(
                                ChannelOption.RCVBUF_ALLOCATOR,
                                new FixedRecvByteBufAllocator(cfg.maxDatagramBytes())
                                        .maxMessagesPerRead(readBatch(loops.coalesceMicros())))
                        .option(ChannelOption.SO_RCVBUF, cfg.socketBufferBytes())
                        .option(ChannelOption.SO_SNDBUF, cfg.socketBufferBytes())
                        .handler(w);
                if (loops.layer().sharesPorts) {
                    b.option(UnixChannelOption.SO_REUSEPORT, true);
                }
                Channel ch = b.bind(address).sync().channel();
                channels.add(ch);
            }
        }
        probes = cfg.udpListen().isEmpty()
                ? null
                : new ProxyProbeTransport(
                        firstSocketPerUdpAddress(),
                        cfg.udpListen(),
                        cfg.selector(),
                        cfg.advertisedHost(),
                        cfg.advertisedPort());
        TcpAdmission admission = new TcpAdmission(cfg, tcpCounters);
        for (InetSocketAddress address : cfg.tcpListen()) {
            ServerBootstrap sb = new ServerBootstrap()
                    .group(loops.group())
                    .channel(loops.layer().server)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, writeBufferBound())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (admission.admit(ch)) { // else reset here, before the first read
                                int i = loopIndex(ch.eventLoop());
                                ch.pipeline()
                                        .addLast(
                                                slowReaderGuard,
                                                new TcpSipFramer(tcpLimits, tcpTimeouts[i], tcpCounters),
                                                workers[i]);
                            }
                        }
                    });
            channels.add(sb.bind(address).sync().channel());
        }
        LOG.info(
                "forwarding on udp {} tcp {} with {} event loop(s) ({}{}, coalescing {} us), advertised as {}:{}",
                cfg.udpListen(),
                cfg.tcpListen(),
                workers.length,
                loops.layer().transport,
                loops.layer().sharesPorts ? ", SO_REUSEPORT" : "",
                loops.coalesceMicros(),
                cfg.advertisedHost(),
                cfg.advertisedPort());
    }

    /** UDP channels were added address by address, one per worker each: the first of every address. */
    private List<Channel> firstSocketPerUdpAddress() {
        List<Channel> first = new ArrayList<>();
        for (int k = 0; k < cfg.udpListen().size(); k++) {
            first.add(channels.get(k * workers.length));
        }
        return first;
    }

    /** Opens a TCP connection on {@code loop}, owned by its worker (called on that loop by TcpConnections). */
    private ChannelFuture connect(EventLoop loop, LoopChannelHandler w, TcpTimeouts t, InetSocketAddress to) {
        return new Bootstrap()
                .group(loop)
                .channel(loops.layer().stream)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(cfg.failoverTimeoutMs(), 10_000))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, writeBufferBound())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(slowReaderGuard, new TcpSipFramer(tcpLimits, t, tcpCounters), w);
                    }
                })
                .connect(to);
    }

    /** A TCP channel turns unwritable, and {@link TcpSlowReaderGuard} resets it, past the configured backlog. */
    private WriteBufferWaterMark writeBufferBound() {
        int high = cfg.tcpMaxWriteBufferBytes();
        return new WriteBufferWaterMark(high / 2, high);
    }

    private int loopIndex(EventLoop loop) {
        for (int i = 0; i < workers.length; i++) {
            if (workers[i].loop() == loop) {
                return i;
            }
        }
        throw new IllegalStateException("no worker for " + loop);
    }

    /**
     * The transport through which health probes leave from this proxy's own UDP listening socket (replies are
     * picked out of the response path and handed to it). One instance per server; it queues replies from this
     * call on until it is closed. Any thread; the health owner thread then uses it.
     *
     * @throws IllegalStateException if the proxy listens on no UDP address
     */
    public ProxyProbeTransport probeTransport() {
        ProxyProbeTransport t = probes;
        if (t == null) {
            throw new IllegalStateException("no UDP listen address to send health probes from");
        }
        t.open();
        return t;
    }

    /** Any loop: a response to a health probe (its branch has the probe prefix); copied for the health thread. */
    void onProbeReply(DatagramPacket p) {
        ProxyProbeTransport t = probes;
        if (t != null) {
            t.offer(p);
        }
    }

    /**
     * The Record-Route keys the loops sign and verify with ({@link ProxyConfig#recordRouteKeyRing()}): publish new
     * ones to rotate the key while calls go on. Any thread.
     */
    public RecordRouteKeyRing recordRouteKeys() {
        return cfg.recordRouteKeyRing();
    }

    /**
     * What the event loops counted: requests, responses sent, refusals and failovers, per destination too. Any
     * thread, e.g. a metrics scrape; reading costs the loops nothing.
     */
    public EngineCounters counters() {
        return counters;
    }

    /** What the TCP bounds refused and closed, by cause. Any thread. */
    public TcpCounters tcpCounters() {
        return tcpCounters;
    }

    /** The socket layer in use: the transport of this server's {@link EngineLoops}, as resolved on this machine. */
    public IoTransport transport() {
        return loops.layer().transport;
    }

    /** Number of event loops (and sockets per listen address). */
    public int eventLoops() {
        return workers.length;
    }

    /** Stops taking new calls: initial INVITEs are answered 503 with Retry-After; calls in flight go on. */
    public void drain() {
        draining = true;
    }

    /**
     * Refuses (or again accepts) new calls while the site cannot serve them, e.g. while its database has lost
     * quorum: initial INVITEs get 503 with {@code retryAfterSeconds} (0: the configured value); calls and
     * dialogs in progress go on. Any thread; the engine's loops see the change on their next INVITE.
     */
    public void refuseNewCalls(boolean refuse, int retryAfterSeconds) {
        refuseRetryAfter = retryAfterSeconds;
        refusing = refuse;
    }

    /**
     * {@link #refuseNewCalls} driven by a site quorum signal (e.g. the Galera client's
     * {@code addSiteQuorumListener}): new calls get 503 with the signal's Retry-After while the site is not quorate.
     * The listener may be called from any thread and does not block.
     */
    public SiteQuorumSignal.Listener quorumGate() {
        return change -> refuseNewCalls(!change.quorate(), change.retryAfterSecs());
    }

    /**
     * Any thread: branch timeouts (a destination silent for the failover timer) not reported to the outcome
     * listener because the proxy itself had fallen behind its traffic then, so the silence could be its own.
     */
    public long suppressedSilenceReports() {
        return sumOverWorkers(LoopChannelHandler::suppressedSilences);
    }

    /**
     * Any thread: INVITEs still waiting for any response that were failed over as soon as health checking
     * ejected their destination, instead of at their failover timer.
     */
    public long ejectionFailovers() {
        return sumOverWorkers(LoopChannelHandler::fastFailovers);
    }

    /** INVITEs moved to another destination while ringing, because health checking found theirs down. Any thread. */
    public long ringingFailovers() {
        return sumOverWorkers(LoopChannelHandler::ringingFailovers);
    }

    /**
     * Any thread: responses dropped because their Via branch, which claimed to be ours, did not verify (a forged or
     * altered MAC, or a call's response from elsewhere than where its branch went).
     */
    public long forgedResponsesDropped() {
        return sumOverWorkers(LoopChannelHandler::forgedResponses);
    }

    /** Any thread: in-dialog requests refused with 403 (or dropped, an ACK): no valid token, or a hop not allowed. */
    public long relayAttemptsRefused() {
        return sumOverWorkers(LoopChannelHandler::refusedRelays);
    }

    /**
     * Any thread: messages dropped because they were to go over TCP to an address read from a message (a response
     * by Via, an in-dialog hop that is not a destination) and no connection to it existed; none is opened there.
     */
    public long tcpSendsWithoutConnection() {
        return sumOverWorkers(LoopChannelHandler::unconnectedDrops);
    }

    /**
     * Any thread: messages dropped, or new calls answered 503 by a bound, for {@code reason}, summed over the
     * loops (each loop's count is exact; the sum is of recent values).
     */
    public long refusals(Refusal reason) {
        return sumOverWorkers(w -> w.refusals(reason));
    }

    /** Every {@link Refusal} count summed over the loops, indexed by ordinal (for the periodic log line). */
    long[] refusalTotals() {
        long[] t = new long[Refusal.ALL.length];
        for (Refusal r : Refusal.ALL) {
            t[r.ordinal()] = refusals(r);
        }
        return t;
    }

    private long sumOverWorkers(java.util.function.ToLongFunction<LoopChannelHandler> counter) {
        long n = 0;
        for (LoopChannelHandler w : workers) {
            if (w != null) {
                n += counter.applyAsLong(w);
            }
        }
        return n;
    }

    /** Any thread: true if no event loop fell behind its traffic since {@code sinceNs}. */
    boolean quietSince(long sinceNs) {
        for (LoopChannelHandler w : workers) {
            if (w != null && !w.quietSince(sinceNs)) {
                return false;
            }
        }
        return true;
    }

    /** True while new calls are answered 503: draining, or refused by {@link #refuseNewCalls}. */
    boolean isDraining() {
        return draining || refusing;
    }

    /**
     * Why new calls are answered 503 ("draining" after {@link #drain}, "refusing new calls" after
     * {@link #refuseNewCalls}), or null while they are taken. Any thread.
     */
    public String newCallRefusal() {
        return draining ? "draining" : refusing ? "refusing new calls" : null;
    }

    /** The Retry-After for a 503 to a new call: the refusal's if it set one, else {@code configured}. */
    int retryAfterSeconds(int configured) {
        int r = refuseRetryAfter;
        return refusing && r > 0 ? r : configured;
    }

    /** INVITE transactions without a final response yet, summed over the loops (published every few ms). */
    public int activeCalls() {
        int n = 0;
        for (LoopChannelHandler w : workers) {
            n += w == null ? 0 : w.activeCalls();
        }
        return n;
    }

    /** Waits up to {@code timeoutMs} until no call is in flight; true if that happened. */
    public boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (activeCalls() > 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Closes the sockets and stops the event loops if this server started them (bounded wait). */
    @Override
    public void close() {
        for (LoopChannelHandler w : workers) {
            if (w != null && w.loop() != null) {
                w.loop().execute(w::close); // its connections, calls and hand-offs
            }
        }
        for (Channel ch : channels) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        channels.clear();
        for (ScheduledFuture<?> t : ticks) {
            t.cancel(false);
        }
        ticks.clear();
        if (ownsLoops) {
            loops.close();
        }
    }
}
