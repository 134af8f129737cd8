package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.MpscArrayQueue;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.NameAddrView;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipMethod;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.message.SipUriView;
import org.sipha.core.message.ViaView;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.core.spi.HealthProbeBranch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RFC 3261 section 16 proxy logic of one event loop: it reads every datagram its loop's sockets receive,
 * owns the calls it started (a {@link CallTable}), and forwards, answers or drops.
 *
 * <ul>
 *   <li>initial INVITE: access list, 100 Trying, forwarded to the selector's first destination with a stateful
 *       branch {@code z9hG4bKshS<loop>.<slot>.<gen>.<attempt>} and a signed Record-Route; failover on the
 *       configured codes or the failover timer; 503 + Retry-After after the last destination;</li>
 *   <li>CANCEL and retransmissions: found by (Call-ID, upstream branch);</li>
 *   <li>in-dialog requests: routed statelessly by the Record-Route token (403 if missing or forged), branch
 *       {@code z9hG4bKshL<hash>}; responses to them go to the next Via;</li>
 *   <li>responses with a stateful branch owned by another loop (SO_REUSEPORT spreads sources over sockets) are
 *       handed to that loop through a bounded MPSC queue.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * Every method runs on this worker's event loop, except {@link #handOff}, which any loop may call. Sharable
 * only among the channels registered on that one loop.
 */
@ChannelHandler.Sharable
final class ProxyWorker extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyWorker.class);
    private static final String COOKIE = "z9hG4bKsh";
    private static final int MAX_EXPIRIES_PER_TICK = 100_000;
    /**
     * How long a caller retransmits an INVITE it got no response to: its timer B, 64·T1 with RFC 3261's T1 of
     * 500 ms (the caller's T1, not ours: ours may be off).
     */
    static final long UPSTREAM_TIMER_B_NS = 64 * 500_000_000L;

    private final int index;
    private final ProxyConfig cfg;
    private final SipProxyServer server;
    private final SipMessageView msg = new SipMessageView();
    private final SipMessageView aux = new SipMessageView();
    private final SipMessageEditor editor = new SipMessageEditor();
    private final CallTable calls;
    private final RouteTokenSigner signer;
    private final AddressCache addresses = new AddressCache();
    private final NextHopSelector selector;
    private final NextHopSelector.FailoverCursor statelessCursor;
    private final ForwardingOutcomeListener outcomes;
    private final boolean[] failoverCode = new boolean[700];
    private final StringBuilder via = new StringBuilder(160);
    private final StringBuilder sb = new StringBuilder(256);
    private final StringBuilder ip = new StringBuilder(48);
    private final StringBuilder tag = new StringBuilder(16);
    private final String viaPrefix;
    private final String viaPrefixTcp;
    private final String rrPrefix;
    private final String rrPrefixTcp;
    private final long failoverNs;
    private final long ringNs;
    private final long lingerNs;
    private final List<Channel> channels = new ArrayList<>(2);
    private final MpscArrayQueue<DatagramPacket> handoffQueue = new MpscArrayQueue<>(8192);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainHandoffs;
    private ProxyWorker[] peers;
    private EventLoop loop;
    private TcpConnections tcp;
    private final io.netty.buffer.ByteBufAllocator alloc = io.netty.buffer.PooledByteBufAllocator.DEFAULT;
    private final long t1Ns;
    private final Egress egress;
    private boolean flushNeeded;
    private volatile int activeCalls;
    /** Datagrams read in the current read batch, and the most one batch takes (the channel's setting). */
    private int batch;
    private int maxBatch = 16;
    private long lastTickNs;
    /**
     * When this loop last fell behind its traffic: a read batch that stopped at its maximum (more datagrams were
     * waiting) or a timer tick that ran late. A silence measured since then may be our own backlog, not the
     * destination's. Written by the loop, read by any loop.
     */
    private volatile long lastBehindNs = System.nanoTime() - BEHIND_FOREVER_NS;
    private static final long BEHIND_FOREVER_NS = 3_600_000_000_000L;
    private static final long TICK_LATE_NS = 20_000_000L;

    /**
     * Where encoded messages go instead of the sockets: the in-memory pipeline ({@link InMemoryPipeline}, for
     * benchmarks). Called on the worker's thread; it takes over {@code out}.
     */
    interface Egress {
        void send(ByteBuf out, InetSocketAddress to, boolean overTcp);
    }

    ProxyWorker(int index, ProxyConfig cfg, SipProxyServer server) {
        this(index, cfg, server, null);
    }

    /** {@code server} null: never draining; {@code egress} non-null: writes go there, not to channels. */
    ProxyWorker(int index, ProxyConfig cfg, SipProxyServer server, Egress egress) {
        this.index = index;
        this.egress = egress;
        this.t1Ns = cfg.retransmitT1Ms() * 1_000_000L;
        this.cfg = cfg;
        this.server = server;
        this.calls = new CallTable(cfg.maxCallsPerLoop(), cfg.selector());
        this.signer = new RouteTokenSigner(cfg.recordRouteKey());
        this.selector = cfg.selector();
        this.statelessCursor = cfg.selector().newCursor();
        this.outcomes = cfg.outcomeListener();
        for (int c : cfg.failoverCodes()) {
            failoverCode[c] = true;
        }
        String hostPort = cfg.advertisedHost() + ':' + cfg.advertisedPort();
        this.viaPrefix = "SIP/2.0/UDP " + hostPort + ";branch=" + COOKIE;
        this.viaPrefixTcp = "SIP/2.0/TCP " + hostPort + ";branch=" + COOKIE;
        this.rrPrefix = "<sip:" + hostPort + ";lr;shd=";
        this.rrPrefixTcp = "<sip:" + hostPort + ";transport=tcp;lr;shd=";
        this.failoverNs = cfg.failoverTimeoutMs() * 1_000_000L;
        this.ringNs = cfg.ringTimeoutMs() * 1_000_000L;
        this.lingerNs = cfg.lingerMs() * 1_000_000L;
    }

    /** Called once by the server before any channel is bound. */
    void attach(EventLoop eventLoop, ProxyWorker[] allWorkers,
                java.util.function.Function<InetSocketAddress, io.netty.channel.ChannelFuture> tcpConnector) {
        this.loop = eventLoop;
        this.peers = allWorkers;
        this.tcp = new TcpConnections(tcpConnector);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().config().getRecvByteBufAllocator()
            instanceof io.netty.channel.MaxMessagesRecvByteBufAllocator m) {
            maxBatch = Math.max(2, m.maxMessagesPerRead());
        }
        if (!isStream(ctx.channel())) {
            channels.add(ctx.channel()); // on this loop: the datagram channel is being registered with it
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (isStream(ctx.channel())) {
            tcp.active(ctx.channel());
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (isStream(ctx.channel())) {
            tcp.inactive(ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    /** Closes this loop's TCP connections (on shutdown). */
    void closeConnections() {
        tcp.closeAll();
    }

    private static boolean isStream(Channel ch) {
        return ch instanceof io.netty.channel.socket.SocketChannel;
    }

    /** Branch timeouts not reported to the health side because this proxy had fallen behind (owner loop). */
    private volatile long suppressedSilences; // written by the owner loop only; volatile so others can read it
    /** INVITEs failed over because their destination was ejected while they waited (owner loop). */
    private volatile long fastFailovers; // single writer: the owner loop

    /** Any thread: INVITEs this loop failed over because their destination was ejected while they waited. */
    long fastFailovers() {
        return fastFailovers;
    }

    /** INVITEs moved while ringing because health checking found their destination down (owner loop). */
    private volatile long ringingFailovers; // single writer: the owner loop

    /** Any thread: INVITEs this loop moved while ringing because their destination was found down. */
    long ringingFailovers() {
        return ringingFailovers;
    }
    private long seenSelectorVersion = Long.MIN_VALUE;

    /** Any thread: branch timeouts this loop did not report because it had fallen behind. */
    long suppressedSilences() {
        return suppressedSilences;
    }

    /** Calls in flight (not yet answered finally), as last published by the owner loop (any thread). */
    int activeCalls() {
        return activeCalls;
    }

    EventLoop loop() {
        return loop;
    }

    // ------------------------------------------------------------------------------------------ I/O entry points

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object m) {
        DatagramPacket p = (DatagramPacket) m;
        boolean keep = false;
        batch++;
        try {
            keep = handle(ctx.channel(), p);
        } catch (RuntimeException e) {
            LOG.debug("dropped a message from {}: {}", p.sender(), e.toString());
        } finally {
            if (!keep) {
                p.release();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (batch >= maxBatch && !isStream(ctx.channel())) {
            lastBehindNs = System.nanoTime(); // the read stopped at its limit: datagrams are queued in the socket
        }
        batch = 0;
        flush();
    }

    /** Any thread: true if this loop has not fallen behind its traffic since {@code sinceNs}. */
    boolean quietSince(long sinceNs) {
        return lastBehindNs - sinceNs < 0;
    }

    /**
     * Whether a destination's silence since {@code sinceNs} is real: only if no loop of this proxy fell behind
     * since then. Under overload the answers wait in our own socket queues; reporting the silence then would
     * eject destinations that answer (the cascade the health module must not cause). Failover still happens.
     */
    private boolean silenceIsReal(long sinceNs) {
        return server == null || server.quietSince(sinceNs);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("socket error on {}: {}", ctx.channel().localAddress(), cause.toString());
    }

    /**
     * Any loop: passes a response whose call this worker owns; on success this worker releases it. Returns false
     * (the caller keeps and releases the packet) if the queue is full.
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
        while (n++ < 8192 && (p = handoffQueue.poll()) != null) {
            try {
                handle(channels.isEmpty() ? null : channels.get(0), p);
            } catch (RuntimeException e) {
                LOG.debug("dropped a handed-off message: {}", e.toString());
            } finally {
                p.release();
            }
        }
        flush();
    }

    /** Returns true if the packet was handed to another worker (which then owns the reference). */
    private boolean handle(Channel ch, DatagramPacket p) {
        return handle(ch, p.content(), p.sender(), p);
    }

    /**
     * One received message. {@code packet} is what {@code content} came in (to hand it to another loop), or null
     * when there is none (the in-memory pipeline); then responses owned by another loop are dropped.
     */
    boolean handle(Channel ch, ByteBuf content, InetSocketAddress src, DatagramPacket packet) {
        SipParseResult r = msg.wrap(content);
        if (r != SipParseResult.OK) {
            if (r != SipParseResult.KEEPALIVE) {
                LOG.debug("unparseable datagram from {}: {}", src, r);
            }
            return false;
        }
        if (msg.isRequest()) {
            onRequest(ch, src, content);
            return false;
        }
        return onResponse(ch, src, packet);
    }

    // ------------------------------------------------------------------------------------------ requests

    private void onRequest(Channel ch, InetSocketAddress src, ByteBuf content) {
        SipMethod m = msg.methodCode();
        SipParseResult v = msg.validate();
        if (v != SipParseResult.OK) {
            if (m != SipMethod.ACK && v != SipParseResult.MISSING_HEADER) {
                reply(ch, src, msg, v.statusCode(), "Bad Request", 0);
            }
            return;
        }
        int mf = msg.maxForwards();
        if (mf == 0) {
            if (m != SipMethod.ACK) {
                reply(ch, src, msg, 483, "Too Many Hops", 0);
            }
            return;
        }
        mf = mf < 0 ? 70 : mf;
        if (isLoop()) {
            if (m != SipMethod.ACK) {
                reply(ch, src, msg, 482, "Loop Detected", 0);
            }
            return;
        }
        if (m == SipMethod.CANCEL) {
            onCancel(ch, src);
        } else if (msg.to().tag() != null) {
            onInDialog(ch, src, m, mf);
        } else if (m != SipMethod.ACK) {
            onInitial(ch, src, content, m, mf);
        }
    }

    private void onInitial(Channel ch, InetSocketAddress src, ByteBuf content, SipMethod m, int mf) {
        if (!cfg.accessList().allows(src.getAddress()) && !cfg.alwaysAllowed().contains(src)) {
            reply(ch, src, msg, 403, "Forbidden", 0);
            return;
        }
        if (m == SipMethod.INVITE) {
            onInitialInvite(ch, src, content);
            return;
        }
        statelessCursor.reset(msg.callId().contentHash());
        Destination d = statelessCursor.next();
        statelessCursor.release(); // not a call: nothing to count
        if (d == null) {
            reply(ch, src, msg, 503, "Service Unavailable", cfg.retryAfterSeconds());
            return;
        }
        editor.reset(msg);
        stampReceived(msg, src, isStream(ch));
        popOwnPreloadedRoute(msg);
        editor.prependVia(statelessVia(d.isTcp())).setMaxForwards(mf - 1);
        send(ch, editor, d.address(), d.isTcp());
    }

    private void onInitialInvite(Channel ch, InetSocketAddress src, ByteBuf content) {
        AsciiView callId = msg.callId();
        AsciiView branch = msg.topVia().branch();
        CallState s = calls.find(callId, branch);
        if (s != null) { // a retransmission: RFC 3261 16.7 has us repeat our latest provisional
            s.upstreamRetransmits = true;
            if (s.phase != CallState.COMPLETED) {
                reply(ch, src, msg, 100, "Trying", 0);
            } else {
                lingerFor(s, System.nanoTime()); // absorbed (RFC 6026 "Accepted"): the next copy must be, too
            }
            return;
        }
        if ((server != null && server.isDraining()) || (s = calls.allocate()) == null) {
            int retryAfter = server == null ? cfg.retryAfterSeconds() : server.retryAfterSeconds(cfg.retryAfterSeconds());
            reply(ch, src, msg, 503, "Service Unavailable", retryAfter);
            return;
        }
        calls.index(s, callId, branch);
        s.request = alloc.heapBuffer(content.readableBytes())
            .writeBytes(content, content.readerIndex(), content.readableBytes());
        s.source = src;
        s.channel = ch;
        s.cursor.reset(callId.contentHash());
        reply(ch, src, msg, 100, "Trying", 0);
        Destination d = s.cursor.next();
        if (d == null) {
            reply(ch, src, msg, 503, "Service Unavailable", cfg.retryAfterSeconds());
            calls.free(s);
            return;
        }
        try {
            forwardInvite(s, d, msg);
        } catch (RuntimeException e) { // e.g. a Via we cannot stamp: give the slot back, then drop the request
            s.cursor.release();
            calls.free(s);
            throw e;
        }
        activeCalls = calls.inFlight();
    }

    /** Sends the INVITE {@code view} (wrapped on {@code s.request}) to {@code d} as a new branch. */
    private void forwardInvite(CallState s, Destination d, SipMessageView view) {
        s.destination = d;
        s.attempt++;
        sendBranch(s, view);
        s.phase = CallState.CALLING;
        s.sentNs = System.nanoTime();
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
    private void sendBranch(CallState s, SipMessageView view) {
        Destination d = s.destination;
        int mf = view.maxForwards();
        boolean inTcp = isStream(s.channel);
        editor.reset(view);
        stampReceived(view, s.source, inTcp);
        popOwnPreloadedRoute(view);
        editor.prependVia(statefulVia(s));
        sb.setLength(0);
        sb.append(inTcp ? rrPrefixTcp : rrPrefix);
        byte[] t = d.tokenBytes();
        for (byte c : t) {
            sb.append((char) c);
        }
        sb.append(";shm=");
        signer.sign(view.callId(), view.from().tag(), t, 0, t.length, sb);
        sb.append('>');
        editor.prependRecordRoute(sb).setMaxForwards((mf < 0 ? 70 : mf) - 1);
        send(s.channel, editor, d.address(), d.isTcp());
    }

    private void onCancel(Channel ch, InetSocketAddress src) {
        CallState s = calls.find(msg.callId(), msg.topVia().branch());
        if (s == null) {
            reply(ch, src, msg, 481, "Call/Transaction Does Not Exist", 0);
            return;
        }
        reply(ch, src, msg, 200, "OK", 0);
        if (s.phase != CallState.COMPLETED && !s.cancelled) {
            s.cancelled = true;
            calls.unlink(s, 1);
            sendCancel(s);
            // If the destination never answers the CANCEL, answer 487 ourselves when the failover timer fires.
            calls.schedule(s, CallTable.CALLING_LIST, System.nanoTime() + failoverNs);
        }
    }

    private void onInDialog(Channel ch, InetSocketAddress src, SipMethod m, int mf) {
        if (m == SipMethod.ACK && calls.find(msg.callId(), msg.topVia().branch()) != null) {
            return; // the ACK of a non-2xx final response we sent upstream: hop by hop, absorbed here
        }
        InetSocketAddress tokenDest = verifiedTokenDestination();
        if (tokenDest == null) {
            if (m != SipMethod.ACK) {
                reply(ch, src, msg, 403, "Forbidden", 0);
            }
            return;
        }
        InetSocketAddress target;
        boolean outTcp;
        if (msg.routeCount() > 1) {
            SipUriView next = msg.route(1).uri();
            target = resolve(next.host(), next.port());
            outTcp = isTcpUri(next);
        } else if (src.equals(tokenDest)) { // from the callee side: towards the caller's Contact
            SipUriView ruri = msg.parsedRequestUri();
            target = resolve(ruri.host(), ruri.port());
            outTcp = isTcpUri(ruri);
        } else {
            target = tokenDest;
            outTcp = tokenDestTcp;
        }
        if (target == null) {
            if (m != SipMethod.ACK) {
                reply(ch, src, msg, 502, "Bad Gateway", 0);
            }
            return;
        }
        editor.reset(msg);
        stampReceived(msg, src, isStream(ch));
        editor.removeTopRoute().prependVia(statelessVia(outTcp)).setMaxForwards(mf - 1);
        send(ch, editor, target, outTcp);
    }

    /** The destination named by a valid token on the top Route, which must be ours; null if none or forged. */
    private InetSocketAddress verifiedTokenDestination() {
        if (msg.routeCount() == 0) {
            return null;
        }
        NameAddrView top = msg.route(0);
        SipUriView u = top.uri();
        if (!isOwnUri(u)) {
            return null;
        }
        AsciiView shd = u.param("shd");
        if (shd == null || shd.length() == 0) {
            return null;
        }
        byte[] b = shd.buffer();
        int dOff = shd.offset();
        int dLen = shd.length();
        AsciiView shm = u.param("shm"); // repositions the same cursor: shd's bounds were saved above
        if (shm == null) {
            return null;
        }
        int mOff = shm.offset();
        int mLen = shm.length();
        AsciiView callId = msg.callId();
        if (!signer.verify(callId, msg.from().tag(), b, dOff, dLen, b, mOff, mLen)
            && !signer.verify(callId, msg.to().tag(), b, dOff, dLen, b, mOff, mLen)) {
            return null;
        }
        tokenDestTcp = AddressCache.tokenIsTcp(b, dOff, dLen);
        return addresses.resolveToken(b, dOff, dLen);
    }

    /** Set by {@link #verifiedTokenDestination()}: whether the token's destination is reached over TCP. */
    private boolean tokenDestTcp;

    private static boolean isTcpUri(SipUriView u) {
        AsciiView t = u.transport();
        return t != null && t.contentEqualsIgnoreCase("tcp");
    }

    /** An initial request may arrive with a pre-loaded Route naming this proxy (RFC 3261 16.4): remove it. */
    private void popOwnPreloadedRoute(SipMessageView view) {
        if (view.routeCount() > 0 && isOwnUri(view.route(0).uri())) {
            editor.removeTopRoute();
        }
    }

    private boolean isOwnUri(SipUriView u) {
        return u.host() != null && u.host().contentEqualsIgnoreCase(cfg.advertisedHost())
            && (u.port() < 0 ? 5060 : u.port()) == cfg.advertisedPort();
    }

    private boolean isLoop() {
        int n = msg.viaCount();
        for (int i = 0; i < n; i++) {
            ViaView v = msg.via(i);
            AsciiView br = v.branch();
            if (br != null && startsWith(br, COOKIE) && v.host().contentEqualsIgnoreCase(cfg.advertisedHost())
                && (v.port() < 0 ? 5060 : v.port()) == cfg.advertisedPort()) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------ responses

    private boolean onResponse(Channel ch, InetSocketAddress src, DatagramPacket p) {
        ViaView top = msg.topVia();
        AsciiView br = top == null ? null : top.branch();
        if (br == null || br.length() <= COOKIE.length() || !startsWith(br, COOKIE)) {
            if (server != null && p != null && br != null && startsWith(br, HealthProbeBranch.PREFIX)) {
                server.onProbeReply(p); // a health probe sent from our socket: copied for the health thread
            }
            return false; // not a branch of ours: drop
        }
        if (br.charAt(COOKIE.length()) != 'S') {
            forwardResponseByVia(ch);
            return false;
        }
        long[] f = branchFields;
        if (!parseStatefulBranch(br, f)) {
            return false;
        }
        int owner = (int) f[0];
        if (owner != index) {
            if (p == null || peers == null || owner < 0 || owner >= peers.length) {
                return false;
            }
            return peers[owner].handOff(p); // on success the owner releases the packet; else our caller does
        }
        onStatefulResponse(ch, src, (int) f[1], (int) f[2], (int) f[3]);
        return false;
    }

    private final long[] branchFields = new long[4];

    /** Parses {@code <loop>.<slot>.<gen>.<attempt>} (hex) after {@code z9hG4bKshS}. */
    private static boolean parseStatefulBranch(AsciiView br, long[] out) {
        int p = COOKIE.length() + 1;
        for (int field = 0; field < 4; field++) {
            long v = 0;
            int digits = 0;
            while (p < br.length() && br.charAt(p) != '.') {
                int d = Character.digit(br.charAt(p++), 16);
                if (d < 0 || ++digits > 8) {
                    return false;
                }
                v = (v << 4) | d;
            }
            if (digits == 0) {
                return false;
            }
            out[field] = v;
            p++;
        }
        return true;
    }

    private void onStatefulResponse(Channel ch, InetSocketAddress src, int slot, int gen, int attempt) {
        int code = msg.statusCode();
        CallState s = calls.get(slot, gen);
        if (s == null) {
            if (code >= 200 && code < 300) {
                forwardResponseByVia(ch); // a 2xx retransmission after the call state expired
            }
            return;
        }
        if (msg.cseqMethodCode() == SipMethod.CANCEL) {
            return; // the answer to our own CANCEL
        }
        if (attempt != s.attempt) { // an abandoned branch (it timed out) answers late
            if (code >= 300) {
                sendAck(s, src);
            } else if (code >= 200) {
                lateSuccess(s);
            }
            return;
        }
        calls.unlink(s, 1); // any response ends INVITE retransmission (RFC 3261 17.1.1.2)
        long now = System.nanoTime();
        if (code < 200) {
            if (s.phase == CallState.CALLING && !s.cancelled) {
                outcomes.onResponse(s.destination.address(), code, now - s.sentNs);
                s.phase = CallState.PROCEEDING;
                calls.schedule(s, CallTable.PROCEEDING_LIST, now + ringNs);
            }
            if (code > 100 && s.phase != CallState.COMPLETED) {
                forwardUpstream(s);
            }
            return;
        }
        if (code < 300) {
            if (s.phase != CallState.COMPLETED) {
                outcomes.onResponse(s.destination.address(), code, now - s.sentNs);
                complete(s, now);
                s.request.release(); // nothing more to send on this call's behalf
                s.request = null;
            }
            forwardUpstream(s);
            return;
        }
        sendAck(s, src);
        if (s.phase == CallState.COMPLETED) {
            return; // a retransmitted final response: ACKed again, nothing else
        }
        outcomes.onResponse(s.destination.address(), code, now - s.sentNs);
        if (code < failoverCode.length && failoverCode[code] && !s.cancelled) {
            failOverOrReject(s);
            return;
        }
        forwardUpstream(s);
        s.cursor.release(); // a final failure: no call on that destination
        complete(s, now);
    }

    /**
     * A 2xx from a branch we had given up on (its backend was only slow): the caller gets it, since a proxy
     * forwards every 2xx, and the call is settled there: the branch tried since then is cancelled.
     */
    private void lateSuccess(CallState s) {
        if (s.phase != CallState.COMPLETED) {
            if (!s.cancelled) {
                s.cancelled = true;
                sendCancel(s);
            }
            s.cursor.release(); // the branch just cancelled (the earlier one's lease went at its failover)
            complete(s, System.nanoTime());
        }
        forwardUpstream(s);
    }

    private void forwardUpstream(CallState s) {
        editor.reset(msg).removeTopVia();
        send(s.channel, editor, s.source, isStream(s.channel));
    }

    /** Forwards a response statelessly to the address of its second Via (received/rport honoured). */
    private void forwardResponseByVia(Channel ch) {
        if (msg.viaCount() < 2) {
            return;
        }
        ViaView v = msg.via(1);
        AsciiView host = v.received() != null ? v.received() : v.host();
        int port = v.rport() > 0 ? v.rport() : v.port() > 0 ? v.port() : 5060;
        boolean viaTcp = v.transport().contentEqualsIgnoreCase("TCP");
        InetSocketAddress to = addresses.resolve(host.buffer(), host.offset(), host.length(), port);
        if (to == null) {
            return;
        }
        editor.reset(msg).removeTopVia();
        send(ch, editor, to, viaTcp);
    }

    private boolean tryNextDestination(CallState s) {
        s.cursor.release(); // the failed branch's call lease
        Destination d = s.cursor.next();
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
    private void answerUpstream(CallState s, int code, String reason, int retryAfter) {
        s.cursor.release();
        aux.wrap(s.request);
        reply(s.channel, s.source, aux, code, reason, retryAfter);
        complete(s, System.nanoTime());
    }

    private void complete(CallState s, long now) {
        s.phase = CallState.COMPLETED;
        calls.unlink(s, 1);
        lingerFor(s, now);
    }

    /**
     * Keeps a finished call's state to absorb retransmissions of its INVITE: the configured linger, or, once the
     * caller has been seen retransmitting, as long as it may go on doing so (RFC 3261 timer B, RFC 6026 timer L:
     * 64·T1). A copy that arrived after the state was freed would be taken for a new call and forwarded on a new
     * branch, to a PBX that already has the call: it replays its earlier answer (whose Via names the old branch)
     * or ignores the copy, and the new branch, never answered, is reported to the health side as silence.
     * Measured under overload, such copies were all a PBX was sent while it "fell silent", and got it ejected.
     */
    private void lingerFor(CallState s, long now) {
        if (s.upstreamRetransmits && lingerNs < UPSTREAM_TIMER_B_NS) {
            calls.schedule(s, CallTable.UPSTREAM_RETRANSMITS_LINGER_LIST, now + UPSTREAM_TIMER_B_NS);
        } else {
            calls.schedule(s, CallTable.LINGER_LIST, now + lingerNs);
        }
    }

    private void sendAck(CallState s, InetSocketAddress to) {
        if (s.request == null) {
            return;
        }
        aux.wrap(s.request);
        ByteBuf out = alloc.ioBuffer(512);
        SipWriter.ackOrCancel(out, "ACK", aux, msg.topVia().asText(), msg);
        write(s.channel, out, to, s.destination != null && s.destination.isTcp());
    }

    private void sendCancel(CallState s) {
        aux.wrap(s.request);
        ByteBuf out = alloc.ioBuffer(512);
        SipWriter.ackOrCancel(out, "CANCEL", aux, statefulVia(s), aux);
        write(s.channel, out, s.destination.address(), s.destination.isTcp());
    }

    // ------------------------------------------------------------------------------------------ timers

    /** Runs every few milliseconds on the loop: expires the heads of the three timer lists. */
    void tick() {
        long now = System.nanoTime();
        long v = selector.version();
        if (v != seenSelectorVersion) {
            seenSelectorVersion = v;
            failOverFromUnusable();
        }
        if (server != null && lastTickNs != 0 && now - lastTickNs > SipProxyServer.TICK_NS + TICK_LATE_NS) {
            lastBehindNs = now; // the loop was too busy to run its timers on time
        }
        lastTickNs = now;
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
                sendCancel(s);
                calls.schedule(s, CallTable.CALLING_LIST, now + failoverNs);
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
        activeCalls = calls.inFlight();
        flush();
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
                sendBranch(s, aux);
                if (!s.silenceReported && silenceIsReal(s.sentNs)) {
                    s.silenceReported = true;
                    outcomes.onUnanswered(s.destination.address(), now - s.sentNs);
                }
                calls.schedule(s, nextList, now + (nextList == CallTable.RETRANSMIT_LIST_2 ? 2 : 4) * t1Ns);
            } catch (RuntimeException e) { // it was sent once; stay bounded whatever happens
                LOG.debug("stopped retransmitting after a failure: {}", e.toString());
                calls.unlink(s, 1);
            }
        }
        return n;
    }

    /**
     * The routing table changed: INVITEs still waiting for any response from a destination that is no longer
     * usable (health checking just ejected it) are failed over now rather than when their failover timer runs
     * out, so calls set up while a PBX was dying are not held for the whole timer. Ringing calls (a provisional
     * response came) move only if health checking found their destination down ({@link #failOverOn}).
     * Bounded by the calls on the lists when it starts.
     */
    private void failOverFromUnusable() {
        failOverOn(true);
        failOverOn(false);
    }

    /**
     * Walks one timer list once ({@code ringing}: the PROCEEDING list, else the CALLING one) and fails over each
     * live INVITE of that phase whose destination is gone: for a ringing call, one health checking found down
     * (ejected, failing probes; not one an operator disables or drains: a PBX that crashed while the phone rang will
     * never answer, and without this the caller would hear ringing until timer C); for a call with no response yet,
     * any destination no longer usable. A ringing branch is cancelled first (a PBX that was only unreachable stops
     * ringing); should it answer 2xx after all, the caller gets it and the new branch is cancelled
     * ({@link #lateSuccess}). Bounded by the calls on the list when it starts.
     */
    private void failOverOn(boolean ringing) {
        int list = ringing ? CallTable.PROCEEDING_LIST : CallTable.CALLING_LIST;
        int phase = ringing ? CallState.PROCEEDING : CallState.CALLING;
        int n = calls.listSize(list);
        int i = calls.head(list);
        while (n-- > 0 && i >= 0) {
            CallState s = calls.slot(i);
            i = calls.nextOn(s, 0); // read first: a failover moves s to another list or to the tail
            if (s.phase != phase || s.cancelled || s.destination == null
                || (ringing ? !selector.isDown(s.destination) : selector.isUsable(s.destination))) {
                continue;
            }
            failOverNow(s, ringing);
        }
    }

    /**
     * Fails {@code s} over outside its own timer or response, first cancelling its branch if it was
     * {@code ringing}; a failure drops the call state, never the walk that called this.
     */
    private void failOverNow(CallState s, boolean ringing) {
        try {
            if (ringing) {
                sendCancel(s);
                ringingFailovers = ringingFailovers + 1; // single writer
            } else {
                fastFailovers = fastFailovers + 1; // single writer
            }
            failOverOrReject(s);
        } catch (RuntimeException e) {
            LOG.debug("dropped call state after a failure in its failover: {}", e.toString());
            calls.free(s);
        }
    }

    /** Sends the INVITE to the next untried destination or, with none left, answers 503 with Retry-After. */
    private void failOverOrReject(CallState s) {
        if (!tryNextDestination(s)) {
            answerUpstream(s, 503, "Service Unavailable", cfg.retryAfterSeconds());
        }
    }

    private void onCallingTimeout(CallState s, long now) {
        if (s.cancelled) {
            answerUpstream(s, 487, "Request Terminated", 0);
            return;
        }
        if (silenceIsReal(s.sentNs)) {
            outcomes.onTimeout(s.destination.address(), now - s.sentNs);
        } else {
            suppressedSilences = suppressedSilences + 1; // single writer
        }
        failOverOrReject(s);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private CharSequence statefulVia(CallState s) {
        via.setLength(0);
        via.append(s.destination.isTcp() ? viaPrefixTcp : viaPrefix).append('S');
        appendHex(via, index);
        via.append('.');
        appendHex(via, s.slot);
        via.append('.');
        appendHex(via, s.generation);
        via.append('.');
        appendHex(via, s.attempt);
        return via;
    }

    /** RFC 3261 16.11: a stateless branch that is the same for a retransmission of the same request. */
    private CharSequence statelessVia(boolean tcpHop) {
        via.setLength(0);
        via.append(tcpHop ? viaPrefixTcp : viaPrefix).append('L');
        AsciiView br = msg.topVia().branch();
        appendHex(via, msg.callId().contentHash());
        appendHex(via, br == null ? 0 : br.contentHash());
        appendHex(via, (int) msg.cseqNumber());
        return via;
    }

    private static void appendHex(StringBuilder b, int v) {
        boolean started = false;
        for (int shift = 28; shift >= 0; shift -= 4) {
            int d = (v >>> shift) & 15;
            if (d != 0 || started || shift == 0) {
                b.append(Character.forDigit(d, 16));
                started = true;
            }
        }
    }

    /** Adds received (when the source differs from sent-by) and fills rport (RFC 3581) on the top Via. */
    private void stampReceived(SipMessageView view, InetSocketAddress src, boolean stream) {
        ip.setLength(0);
        if (src.getAddress() instanceof Inet4Address) {
            int a = src.getAddress().hashCode(); // the IPv4 address itself; no byte[] copy
            ip.append(a >>> 24).append('.').append((a >>> 16) & 255).append('.').append((a >>> 8) & 255)
                .append('.').append(a & 255);
        } else {
            ip.append('[').append(src.getAddress().getHostAddress()).append(']');
        }
        ViaView top = view.topVia();
        boolean differs = !top.host().contentEqualsIgnoreCase(ip);
        if (stream) { // the response must find this connection (its ephemeral port) again, statelessly too
            editor.setTopViaReceivedAndRport(differs ? ip : null, src.getPort());
        } else if (differs || top.hasRport()) {
            editor.setTopViaReceived(differs ? ip : null, src.getPort());
        }
    }

    private InetSocketAddress resolve(AsciiView host, int port) {
        if (host == null) {
            return null;
        }
        return addresses.resolve(host.buffer(), host.offset(), host.length(), port < 0 ? 5060 : port);
    }

    private void reply(Channel ch, InetSocketAddress to, SipMessageView req, int code, String reason, int retryAfter) {
        tag.setLength(0);
        if (code > 100) {
            tag.append("sh");
            appendHex(tag, req.callId().contentHash());
        }
        ByteBuf out = alloc.ioBuffer(512);
        SipWriter.response(out, req, code, reason, code > 100 ? tag : null, retryAfter);
        write(ch, out, to, isStream(ch));
    }

    private void send(Channel ch, SipMessageEditor e, InetSocketAddress to, boolean overTcp) {
        ByteBuf out = alloc.ioBuffer(e.outputLength());
        e.writeTo(out);
        write(ch, out, to, overTcp);
    }

    /**
     * Sends {@code out} to {@code to}: over UDP through {@code ch} if it is a datagram channel (else this loop's
     * first UDP socket), over TCP through {@code ch} if it is the connection to {@code to}, else through a pooled
     * connection. UDP writes are flushed in batches (read complete, tick); TCP writes at once.
     */
    private void write(Channel ch, ByteBuf out, InetSocketAddress to, boolean overTcp) {
        if (egress != null) {
            egress.send(out, to, overTcp);
            return;
        }
        if (overTcp) {
            if (isStream(ch) && to.equals(ch.remoteAddress())) {
                ch.writeAndFlush(out, ch.voidPromise());
            } else {
                tcp.send(out, to);
            }
            return;
        }
        Channel udp = isStream(ch) ? (channels.isEmpty() ? null : channels.get(0)) : ch;
        if (udp == null) {
            out.release(); // no UDP socket on this proxy
            return;
        }
        udp.write(new DatagramPacket(out, to), udp.voidPromise());
        flushNeeded = true;
    }

    private void flush() {
        if (flushNeeded) {
            flushNeeded = false;
            for (int i = 0; i < channels.size(); i++) {
                channels.get(i).flush();
            }
        }
    }

    private static boolean startsWith(AsciiView v, String prefix) {
        if (v.length() < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (v.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
