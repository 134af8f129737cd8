package org.sipha.dispatcher.engine;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.sipha.core.model.Destination;
import org.sipha.core.spi.CallAccounting;
import org.sipha.core.spi.ForwardingOutcomeListener;

/**
 * Everything the forwarding engine needs, as an immutable object built by {@link #builder()}. Any thread.
 * {@link Builder#build()} checks the values and throws {@link IllegalArgumentException} naming the option. The one
 * live member is {@link #recordRouteKeyRing()}, through which the keys rotate while the engine runs.
 */
public final class ProxyConfig {
    /** Default coalescing window, microseconds: see {@link #coalesceMicros()}. */
    public static final int DEFAULT_COALESCE_MICROS = 1_000;
    /** Largest coalescing window accepted, microseconds. */
    public static final int MAX_COALESCE_MICROS = 5_000;

    private final List<InetSocketAddress> udpListen;
    private final List<InetSocketAddress> tcpListen;
    private final String advertisedHost;
    private final int advertisedPort;
    private final DispatcherNextHopSelector selector;
    private final Set<Integer> failoverCodes;
    private final long failoverTimeoutMs;
    private final long ringTimeoutMs;
    private final long lingerMs;
    private final long retransmitT1Ms;
    private final int maxCallsPerLoop;
    private final int retryAfterSeconds;
    private final byte[] recordRouteKey;
    private final SourceAccessList accessList;
    private final int eventLoops;
    private final int coalesceMicros;
    private final IoTransport transport;
    private final int socketBufferBytes;
    private final int maxDatagramBytes;
    private final ForwardingOutcomeListener outcomeListener;
    private final Set<InetSocketAddress> alwaysAllowed;
    private final NanoClock clock;
    // TCP bounds under abuse (accept-time limits, timeouts, buffers)
    private final int tcpMaxConnections;
    private final int tcpMaxConnectionsPerSource;
    private final long tcpIdleTimeoutMs;
    private final long tcpMessageTimeoutMs;
    private final int tcpMaxWriteBufferBytes;
    private final int tcpMaxMessageBytes;
    // Record-Route key rotation (authenticated routing)
    private final byte[] recordRoutePreviousKey;
    private final RecordRouteKeyRing recordRouteKeyRing;
    // Bounded under abuse: per-source rate limits, call bounds.
    private final int newCallsPerSecondPerSource;
    private final int newCallBurstPerSource;
    private final int requestsPerSecondPerSource;
    private final int requestBurstPerSource;
    private final boolean answerRateLimitedWith503;
    private final int maxCallSharePerSourcePercent;
    private final long maxCallBytesPerLoop;
    // CANCEL across proxies
    private final boolean cancelAcrossProxies;
    private final boolean tryingOnAnswer;
    // Call accounting
    private final CallAccounting callAccounting;

    private ProxyConfig(Builder b) {
        udpListen = List.copyOf(b.udpListen);
        tcpListen = List.copyOf(b.tcpListen);
        InetSocketAddress first = udpListen.isEmpty() ? tcpListen.get(0) : udpListen.get(0);
        advertisedHost = b.advertisedHost != null ? b.advertisedHost : hostText(first);
        advertisedPort = b.advertisedPort > 0 ? b.advertisedPort : first.getPort();
        selector = b.selector;
        failoverCodes = Set.copyOf(b.failoverCodes);
        failoverTimeoutMs = b.failoverTimeoutMs;
        ringTimeoutMs = b.ringTimeoutMs;
        lingerMs = b.lingerMs;
        retransmitT1Ms = b.retransmitT1Ms;
        maxCallsPerLoop = b.maxCallsPerLoop;
        retryAfterSeconds = b.retryAfterSeconds;
        recordRouteKey = b.recordRouteKey.clone();
        accessList = b.accessList;
        eventLoops = b.eventLoops;
        coalesceMicros = b.coalesceMicros;
        transport = b.transport;
        socketBufferBytes = b.socketBufferBytes;
        maxDatagramBytes = b.maxDatagramBytes;
        outcomeListener = b.outcomeListener;
        alwaysAllowed = Set.copyOf(b.alwaysAllowed);
        clock = b.clock;
        tcpMaxConnections = b.tcpMaxConnections;
        tcpMaxConnectionsPerSource = b.tcpMaxConnectionsPerSource;
        tcpIdleTimeoutMs = b.tcpIdleTimeoutMs;
        tcpMessageTimeoutMs = b.tcpMessageTimeoutMs;
        tcpMaxWriteBufferBytes = b.tcpMaxWriteBufferBytes;
        tcpMaxMessageBytes = b.tcpMaxMessageBytes;
        recordRoutePreviousKey = b.recordRoutePreviousKey == null ? null : b.recordRoutePreviousKey.clone();
        recordRouteKeyRing = new RecordRouteKeyRing(RecordRouteKeys.of(recordRouteKey, recordRoutePreviousKey));
        newCallsPerSecondPerSource = b.newCallsPerSecondPerSource;
        newCallBurstPerSource =
                b.newCallBurstPerSource > 0 ? b.newCallBurstPerSource : Math.max(1, 2 * b.newCallsPerSecondPerSource);
        requestsPerSecondPerSource = b.requestsPerSecondPerSource;
        requestBurstPerSource =
                b.requestBurstPerSource > 0 ? b.requestBurstPerSource : Math.max(1, 2 * b.requestsPerSecondPerSource);
        answerRateLimitedWith503 = b.answerRateLimitedWith503;
        maxCallSharePerSourcePercent = b.maxCallSharePerSourcePercent;
        maxCallBytesPerLoop = b.maxCallBytesPerLoop;
        cancelAcrossProxies = b.cancelAcrossProxies;
        tryingOnAnswer = b.tryingOnAnswer;
        callAccounting = b.callAccounting;
    }

    private static String hostText(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return h.indexOf(':') >= 0 ? '[' + h + ']' : h;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** UDP addresses to listen on. */
    public List<InetSocketAddress> udpListen() {
        return udpListen;
    }

    /** TCP addresses to listen on (Content-Length framing, connections reused in both directions). */
    public List<InetSocketAddress> tcpListen() {
        return tcpListen;
    }

    /** Host written into Via and Record-Route (the anycast address in production); default: the first listen address. */
    public String advertisedHost() {
        return advertisedHost;
    }

    public int advertisedPort() {
        return advertisedPort;
    }

    /** Where initial requests go and fail over to. */
    public DispatcherNextHopSelector selector() {
        return selector;
    }

    /**
     * Checks that the engine can forward to {@code d}: its host is an IP literal (names are not resolved on the
     * I/O threads) and its transport UDP or TCP. Returns {@code d}. Any thread.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static Destination requireForwardable(Destination d) {
        NextHop.of(Objects.requireNonNull(d, "destination"));
        return d;
    }

    /**
     * The listen address requests to {@code d} leave from, from its {@code socket=udp:IP:PORT} attribute (as
     * Kamailio's dispatcher), or null: the socket the request came on. Answers come back to that address unless the
     * destination adds {@code received}, so a site's own PBXs can be sent to from the anycast address and another
     * site's from a unicast one. Must be one of the UDP listen addresses.
     *
     * @throws IllegalArgumentException if the attribute is malformed
     */
    public static InetSocketAddress sendsFrom(Destination d) {
        return NextHop.source(d.attribute(NextHop.SOCKET));
    }

    /** Final status codes on which an INVITE is re-sent to the next destination (default 503). */
    public Set<Integer> failoverCodes() {
        return failoverCodes;
    }

    /** How long a destination may stay silent before the next one is tried (default 2000 ms). */
    public long failoverTimeoutMs() {
        return failoverTimeoutMs;
    }

    /** How long an INVITE may ring before the proxy cancels it (RFC 3261 timer C; default 180 000 ms). */
    public long ringTimeoutMs() {
        return ringTimeoutMs;
    }

    /** How long call state is kept after the final response, to absorb retransmissions (default 5000 ms). */
    public long lingerMs() {
        return lingerMs;
    }

    /**
     * RFC 3261 T1 for INVITEs forwarded over UDP: with no response yet, the INVITE is retransmitted after T1, then
     * 2·T1, then every 4·T1 until the failover timer (default 500 ms; 0 turns retransmission off).
     */
    public long retransmitT1Ms() {
        return retransmitT1Ms;
    }

    /** Calls in flight per event loop; beyond it new INVITEs are answered 503 (default 65 536). */
    public int maxCallsPerLoop() {
        return maxCallsPerLoop;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The Record-Route HMAC key shared by every proxy of the deployment, as built (a copy). */
    public byte[] recordRouteKey() {
        return recordRouteKey.clone();
    }

    /**
     * The key the deployment used before {@link #recordRouteKey()} (a copy), or null: Record-Route tokens and Via
     * branches signed with it are still accepted, so the secret can change without breaking calls in progress.
     */
    public byte[] recordRoutePreviousKey() {
        return recordRoutePreviousKey == null ? null : recordRoutePreviousKey.clone();
    }

    /**
     * The keys the engine signs and verifies with, starting as {@link #recordRouteKey()} and
     * {@link #recordRoutePreviousKey()}; {@link RecordRouteKeyRing#publish} rotates them while it runs. Shared by every
     * engine built from this configuration.
     */
    public RecordRouteKeyRing recordRouteKeyRing() {
        return recordRouteKeyRing;
    }

    public SourceAccessList accessList() {
        return accessList;
    }

    public int eventLoops() {
        return eventLoops;
    }

    /**
     * The coalescing window of the event loops, in microseconds (0 = none): while datagrams arrive densely a loop
     * sleeps this long and then handles everything that arrived meanwhile in one batch, instead of being woken by
     * each datagram. It costs each datagram at most this much latency and saves CPU per call; see
     * {@link CoalescingSelectStrategy}. Takes effect on loops made from this configuration
     * ({@link EngineLoops#start(ProxyConfig)}, or {@link SipProxyServer#start(ProxyConfig)}).
     */
    public int coalesceMicros() {
        return coalesceMicros;
    }

    /** The one range check of a coalescing window (configuration and {@link EngineLoops} alike). */
    static int requireCoalesceMicros(int micros) {
        if (micros < 0 || micros > MAX_COALESCE_MICROS) {
            throw new IllegalArgumentException(
                    "coalesce-us must be in [0, " + MAX_COALESCE_MICROS + "], got " + micros);
        }
        return micros;
    }

    public IoTransport transport() {
        return transport;
    }

    public int socketBufferBytes() {
        return socketBufferBytes;
    }

    /**
     * Receive buffer per datagram (default 16 384): larger datagrams are truncated and dropped as malformed. Kept
     * at or below the pooled allocator's thread-cache limit (32 KiB) so a read never touches the shared arena.
     */
    public int maxDatagramBytes() {
        return maxDatagramBytes;
    }

    public ForwardingOutcomeListener outcomeListener() {
        return outcomeListener;
    }

    /** Sources (address and port) allowed to send initial requests whatever the access list says: the destinations. */
    public Set<InetSocketAddress> alwaysAllowed() {
        return alwaysAllowed;
    }

    /** Where the engine reads time for its timers and its lateness checks (default {@link NanoClock#SYSTEM}). */
    public NanoClock clock() {
        return clock;
    }

    // ------------------------------------------------------------------ TCP bounds under abuse

    /** Accepted TCP connections open at once, all sources together; beyond it a new one is closed (default 10 000). */
    public int tcpMaxConnections() {
        return tcpMaxConnections;
    }

    /** Accepted TCP connections open at once from one source IP address (default 256). */
    public int tcpMaxConnectionsPerSource() {
        return tcpMaxConnectionsPerSource;
    }

    /**
     * A TCP connection that receives no byte for this long is closed; CRLF keep-alives count (default 300 000 ms,
     * above common keep-alive intervals and timer C; 0 turns it off).
     */
    public long tcpIdleTimeoutMs() {
        return tcpIdleTimeoutMs;
    }

    /**
     * A message begun on a TCP connection must be complete, headers and body, within this long, else the
     * connection is closed: a slow sender holds a buffer and a connection for at most this (default 10 000 ms).
     */
    public long tcpMessageTimeoutMs() {
        return tcpMessageTimeoutMs;
    }

    /**
     * Bytes queued for one TCP connection beyond what its socket takes: a peer that stops reading is closed when its
     * queue passes this, instead of being buffered without limit (default 131 072).
     */
    public int tcpMaxWriteBufferBytes() {
        return tcpMaxWriteBufferBytes;
    }

    /**
     * The largest message accepted on a TCP connection (default 65 535); a larger one is answered 513 if its
     * headers are complete and the connection is closed.
     */
    public int tcpMaxMessageBytes() {
        return tcpMaxMessageBytes;
    }

    // ------------------------------------------------------------------ bounded under abuse: rates, call bounds

    /**
     * New calls (initial INVITEs) per second one source may start (default 200; 0: no limit). A source is an IPv4
     * address or an IPv6 /64; the destinations ({@link #alwaysAllowed()}) are not limited.
     */
    public int newCallsPerSecondPerSource() {
        return newCallsPerSecondPerSource;
    }

    /** New calls a source may start at once beyond its rate (default twice the rate). */
    public int newCallBurstPerSource() {
        return newCallBurstPerSource;
    }

    /** Requests of any kind per second one source may send (default 2000; 0: no limit). */
    public int requestsPerSecondPerSource() {
        return requestsPerSecondPerSource;
    }

    /** Requests a source may send at once beyond its rate (default twice the rate). */
    public int requestBurstPerSource() {
        return requestBurstPerSource;
    }

    /**
     * Whether a request over its source's rate is answered 503 with Retry-After (true) or dropped without an
     * answer (false, the default: an answer would reflect traffic at whatever address the source claims).
     */
    public boolean answerRateLimitedWith503() {
        return answerRateLimitedWith503;
    }

    /** The share of a loop's call slots, in percent, one source may hold (default 25; 100: no per-source bound). */
    public int maxCallSharePerSourcePercent() {
        return maxCallSharePerSourcePercent;
    }

    /** Call slots one source may hold per loop: {@link #maxCallSharePerSourcePercent()} of {@link #maxCallsPerLoop()}. */
    int maxCallsPerSourcePerLoop() {
        return (int) Math.max(1, (long) maxCallsPerLoop * maxCallSharePerSourcePercent / 100);
    }

    /**
     * Bytes of call state per loop: the stored copies of the INVITEs in flight (and Call-ID plus branch keys
     * longer than 256 bytes); beyond it new calls get 503 with Retry-After (default 64 MiB).
     */
    public long maxCallBytesPerLoop() {
        return maxCallBytesPerLoop;
    }

    // ------------------------------------------------------------------ CANCEL across proxies

    /**
     * Whether a CANCEL that matches no INVITE of this proxy, from a source the access list admits, is sent on to
     * every destination of the set on the branch its INVITE would have had there, so that the INVITE another proxy
     * sharing the Record-Route key forwarded is cancelled (default true); the caller gets 200 if a destination
     * accepts it, else 481. False: 481 at once, as for a single proxy.
     */
    public boolean cancelAcrossProxies() {
        return cancelAcrossProxies;
    }

    /**
     * Whether a new INVITE's 100 Trying waits for the branch: sent when the destination answers 100 (its other
     * answers go upstream themselves) or when the caller retransmits, instead of at once. The caller then keeps
     * retransmitting until a destination has the call, so an INVITE that dies with this process (killed between
     * receiving it and relaying the answer) is retransmitted to wherever routing sends the address now: the other
     * anycast site. RFC 3261 17.2.1 lets a server transaction skip the 100 when an answer comes within 200 ms; a
     * destination silent for longer costs one retransmission from the caller. Off by default.
     */
    public boolean tryingOnAnswer() {
        return tryingOnAnswer;
    }

    // ------------------------------------------------------------------ call accounting

    /**
     * Where each loop records call accounting events (per forwarded INVITE its outcome; per answered call a start
     * at the 2xx and a stop at the BYE), or null (the default): nothing is recorded.
     */
    public CallAccounting callAccounting() {
        return callAccounting;
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private final List<InetSocketAddress> udpListen = new ArrayList<>();
        private final List<InetSocketAddress> tcpListen = new ArrayList<>();
        private String advertisedHost;
        private int advertisedPort;
        private DispatcherNextHopSelector selector;
        private Set<Integer> failoverCodes = Set.of(503);
        private long failoverTimeoutMs = 2000;
        private long ringTimeoutMs = 180_000;
        private long lingerMs = 5000;
        private long retransmitT1Ms = 500;
        private int maxCallsPerLoop = 65_536;
        private int retryAfterSeconds = 5;
        private byte[] recordRouteKey;
        private SourceAccessList accessList = SourceAccessList.allowAll();
        private int eventLoops = Runtime.getRuntime().availableProcessors();
        private int coalesceMicros = DEFAULT_COALESCE_MICROS;
        private IoTransport transport = IoTransport.AUTO;
        private int socketBufferBytes = 4 << 20;
        private int maxDatagramBytes = 16_384;
        private ForwardingOutcomeListener outcomeListener = ForwardingOutcomeListener.NONE;
        private final java.util.HashSet<InetSocketAddress> alwaysAllowed = new java.util.HashSet<>();
        private NanoClock clock = NanoClock.SYSTEM;
        // TCP bounds under abuse
        private int tcpMaxConnections = 10_000;
        private int tcpMaxConnectionsPerSource = 256;
        private long tcpIdleTimeoutMs = 300_000;
        private long tcpMessageTimeoutMs = 10_000;
        private int tcpMaxWriteBufferBytes = 128 * 1024;
        private int tcpMaxMessageBytes = 65_535;
        // Record-Route key rotation (authenticated routing)
        private byte[] recordRoutePreviousKey;
        // Bounded under abuse: per-source rate limits, call bounds (a burst of 0: twice the rate).
        private int newCallsPerSecondPerSource = 200;
        private int newCallBurstPerSource;
        private int requestsPerSecondPerSource = 2000;
        private int requestBurstPerSource;
        private boolean answerRateLimitedWith503;
        private int maxCallSharePerSourcePercent = 25;
        private long maxCallBytesPerLoop = 64L << 20;
        // CANCEL across proxies
        private boolean cancelAcrossProxies = true;
        private boolean tryingOnAnswer;
        // Call accounting
        private CallAccounting callAccounting;

        public Builder listenUdp(InetSocketAddress address) {
            udpListen.add(Objects.requireNonNull(address, "listen"));
            return this;
        }

        public Builder listenTcp(InetSocketAddress address) {
            tcpListen.add(Objects.requireNonNull(address, "listen"));
            return this;
        }

        public Builder advertised(String host, int port) {
            advertisedHost = host;
            advertisedPort = port;
            return this;
        }

        /** Where initial requests go and fail over to: a set of the dispatcher's routing table. */
        public Builder selector(DispatcherNextHopSelector s) {
            selector = s;
            return this;
        }

        /**
         * Shorthand for a routing table of its own with one set, round robin over {@code destinations}, each of
         * which is also let through the access list ({@link #alwaysAllow(Destination)}).
         *
         * @throws IllegalArgumentException if a destination cannot be forwarded to ({@link #requireForwardable})
         *     or two share an id
         */
        public Builder destinations(List<Destination> destinations) {
            destinations.forEach(this::alwaysAllow);
            selector = DispatcherNextHopSelector.roundRobin(destinations);
            return this;
        }

        /** Lets {@code destination} (its address and port) send initial requests whatever the access list says. */
        public Builder alwaysAllow(Destination destination) {
            try {
                return alwaysAllow(NextHop.of(Objects.requireNonNull(destination, "destination"))
                        .address());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("backend: " + e.getMessage(), e);
            }
        }

        /** Lets {@code source} (address and port) send initial requests whatever the access list says. */
        public Builder alwaysAllow(InetSocketAddress source) {
            alwaysAllowed.add(Objects.requireNonNull(source, "source"));
            return this;
        }

        public Builder failoverCodes(Set<Integer> codes) {
            failoverCodes = Objects.requireNonNull(codes, "failover-codes");
            return this;
        }

        public Builder failoverTimeoutMs(long ms) {
            failoverTimeoutMs = ms;
            return this;
        }

        public Builder ringTimeoutMs(long ms) {
            ringTimeoutMs = ms;
            return this;
        }

        public Builder lingerMs(long ms) {
            lingerMs = ms;
            return this;
        }

        public Builder retransmitT1Ms(long ms) {
            retransmitT1Ms = ms;
            return this;
        }

        public Builder maxCallsPerLoop(int n) {
            maxCallsPerLoop = n;
            return this;
        }

        public Builder retryAfterSeconds(int s) {
            retryAfterSeconds = s;
            return this;
        }

        public Builder recordRouteKey(byte[] key) {
            recordRouteKey = key == null ? null : key.clone();
            return this;
        }

        /** Derives the Record-Route key from a passphrase (SHA-256), so it can be written in a config file. */
        public Builder recordRouteSecret(String secret) {
            recordRouteKey = RouteTokenSigner.keyFromSecret(Objects.requireNonNull(secret, "record-route-secret"));
            return this;
        }

        // ---- Record-Route key rotation (authenticated routing): the previous key is still accepted, never used to
        // sign

        /** The key used before {@link #recordRouteKey}; its tokens and branches still verify (null: none). */
        public Builder recordRoutePreviousKey(byte[] key) {
            recordRoutePreviousKey = key == null ? null : key.clone();
            return this;
        }

        /** Derives the previous Record-Route key from its passphrase (SHA-256), like {@link #recordRouteSecret}. */
        public Builder recordRoutePreviousSecret(String secret) {
            recordRoutePreviousKey =
                    RouteTokenSigner.keyFromSecret(Objects.requireNonNull(secret, "record-route-previous-secret"));
            return this;
        }

        // ---- end of key rotation

        public Builder accessList(SourceAccessList list) {
            accessList = Objects.requireNonNull(list, "allow");
            return this;
        }

        public Builder eventLoops(int n) {
            eventLoops = n;
            return this;
        }

        /** See {@link ProxyConfig#coalesceMicros()}; 0 turns coalescing off. */
        public Builder coalesceMicros(int micros) {
            coalesceMicros = micros;
            return this;
        }

        /** The socket layer (default {@link IoTransport#AUTO}: epoll, else NIO). */
        public Builder transport(IoTransport t) {
            transport = Objects.requireNonNull(t, "transport");
            return this;
        }

        public Builder socketBufferBytes(int n) {
            socketBufferBytes = n;
            return this;
        }

        public Builder maxDatagramBytes(int n) {
            maxDatagramBytes = n;
            return this;
        }

        public Builder outcomeListener(ForwardingOutcomeListener l) {
            outcomeListener = Objects.requireNonNull(l, "outcome listener");
            return this;
        }

        /** The engine's time source; tests of the timers pass a clock they move by hand. */
        public Builder clock(NanoClock c) {
            clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        // -------------------------------------------------------------- TCP bounds under abuse

        /** See {@link ProxyConfig#tcpMaxConnections()}. */
        public Builder tcpMaxConnections(int n) {
            tcpMaxConnections = n;
            return this;
        }

        /** See {@link ProxyConfig#tcpMaxConnectionsPerSource()}. */
        public Builder tcpMaxConnectionsPerSource(int n) {
            tcpMaxConnectionsPerSource = n;
            return this;
        }

        /** See {@link ProxyConfig#tcpIdleTimeoutMs()}; 0 turns it off. */
        public Builder tcpIdleTimeoutMs(long ms) {
            tcpIdleTimeoutMs = ms;
            return this;
        }

        /** See {@link ProxyConfig#tcpMessageTimeoutMs()}. */
        public Builder tcpMessageTimeoutMs(long ms) {
            tcpMessageTimeoutMs = ms;
            return this;
        }

        /** See {@link ProxyConfig#tcpMaxWriteBufferBytes()}. */
        public Builder tcpMaxWriteBufferBytes(int n) {
            tcpMaxWriteBufferBytes = n;
            return this;
        }

        /** See {@link ProxyConfig#tcpMaxMessageBytes()}. */
        public Builder tcpMaxMessageBytes(int n) {
            tcpMaxMessageBytes = n;
            return this;
        }

        // -------------------------------------------------------------- bounded under abuse: rates, call bounds

        /** See {@link ProxyConfig#newCallsPerSecondPerSource()}; 0 turns the limit off. */
        public Builder newCallsPerSecondPerSource(int perSecond) {
            newCallsPerSecondPerSource = perSecond;
            return this;
        }

        /** See {@link ProxyConfig#newCallBurstPerSource()}; 0: twice the rate. */
        public Builder newCallBurstPerSource(int calls) {
            newCallBurstPerSource = calls;
            return this;
        }

        /** See {@link ProxyConfig#requestsPerSecondPerSource()}; 0 turns the limit off. */
        public Builder requestsPerSecondPerSource(int perSecond) {
            requestsPerSecondPerSource = perSecond;
            return this;
        }

        /** See {@link ProxyConfig#requestBurstPerSource()}; 0: twice the rate. */
        public Builder requestBurstPerSource(int requests) {
            requestBurstPerSource = requests;
            return this;
        }

        /** See {@link ProxyConfig#answerRateLimitedWith503()}. */
        public Builder answerRateLimitedWith503(boolean answer) {
            answerRateLimitedWith503 = answer;
            return this;
        }

        /** See {@link ProxyConfig#maxCallSharePerSourcePercent()}. */
        public Builder maxCallSharePerSourcePercent(int percent) {
            maxCallSharePerSourcePercent = percent;
            return this;
        }

        /** See {@link ProxyConfig#maxCallBytesPerLoop()}. */
        public Builder maxCallBytesPerLoop(long bytes) {
            maxCallBytesPerLoop = bytes;
            return this;
        }

        // -------------------------------------------------------------- CANCEL across proxies

        /** See {@link ProxyConfig#cancelAcrossProxies()}. */
        public Builder cancelAcrossProxies(boolean on) {
            cancelAcrossProxies = on;
            return this;
        }

        /** See {@link ProxyConfig#tryingOnAnswer()}. */
        public Builder tryingOnAnswer(boolean on) {
            tryingOnAnswer = on;
            return this;
        }

        // -------------------------------------------------------------- call accounting

        /** See {@link ProxyConfig#callAccounting()}; null turns it off. */
        public Builder callAccounting(CallAccounting accounting) {
            callAccounting = accounting;
            return this;
        }

        public ProxyConfig build() {
            require(!udpListen.isEmpty() || !tcpListen.isEmpty(), "listen: at least one address is required");
            require(selector != null, "backend: a destination selector (or destinations) is required");
            require(
                    recordRouteKey != null && recordRouteKey.length >= 16,
                    "record-route-secret: a shared key of at least 16 bytes is required");
            require(
                    recordRoutePreviousKey == null || recordRoutePreviousKey.length >= 16,
                    "record-route-previous-secret: a key of at least 16 bytes is required");
            require(failoverTimeoutMs >= 10, "failover-timeout-ms must be >= 10");
            require(ringTimeoutMs >= failoverTimeoutMs, "ring-timeout-ms must be >= failover-timeout-ms");
            require(lingerMs >= 0, "linger-ms must be >= 0");
            require(retransmitT1Ms == 0 || retransmitT1Ms >= 10, "retransmit-t1-ms must be 0 (off) or >= 10");
            require(maxCallsPerLoop >= 1 && maxCallsPerLoop <= (1 << 24), "max-calls-per-loop must be in [1, 2^24]");
            require(retryAfterSeconds >= 0, "retry-after must be >= 0");
            require(
                    maxDatagramBytes >= 1500 && maxDatagramBytes <= 65_535,
                    "max-datagram-bytes must be in [1500, 65535]");
            require(eventLoops >= 1 && eventLoops <= 64, "event-loops must be in [1, 64]");
            requireCoalesceMicros(coalesceMicros);
            require(
                    advertisedHost == null || (!advertisedHost.isBlank() && advertisedHost.indexOf(' ') < 0),
                    "advertise: bad host");
            require(advertisedPort >= 0 && advertisedPort <= 65535, "advertise: bad port");
            require(tcpMaxConnections >= 1, "tcp-max-connections must be >= 1");
            require(
                    tcpMaxConnectionsPerSource >= 1 && tcpMaxConnectionsPerSource <= tcpMaxConnections,
                    "tcp-max-connections-per-source must be in [1, tcp-max-connections]");
            require(
                    tcpIdleTimeoutMs == 0 || tcpIdleTimeoutMs >= 1000,
                    "tcp-idle-timeout-ms must be 0 (off) or >= 1000");
            require(tcpMessageTimeoutMs >= 100, "tcp-message-timeout-ms must be >= 100");
            require(tcpMaxWriteBufferBytes >= 4096, "tcp-max-write-buffer-bytes must be >= 4096");
            require(
                    tcpMaxMessageBytes >= 1500 && tcpMaxMessageBytes <= 65_535,
                    "tcp-max-message-bytes must be in [1500, 65535]");
            require(
                    newCallsPerSecondPerSource >= 0 && newCallsPerSecondPerSource <= 1_000_000,
                    "new-calls-per-source must be in [0, 1000000]");
            require(
                    requestsPerSecondPerSource >= 0 && requestsPerSecondPerSource <= 1_000_000,
                    "requests-per-source must be in [0, 1000000]");
            require(
                    newCallBurstPerSource >= 0 && newCallBurstPerSource <= 100_000_000,
                    "new-call-burst-per-source must be in [0, 100000000]");
            require(
                    requestBurstPerSource >= 0 && requestBurstPerSource <= 100_000_000,
                    "request-burst-per-source must be in [0, 100000000]");
            require(
                    maxCallSharePerSourcePercent >= 1 && maxCallSharePerSourcePercent <= 100,
                    "calls-per-source-percent must be in [1, 100]");
            require(
                    maxCallBytesPerLoop >= maxDatagramBytes && maxCallBytesPerLoop <= (1L << 40),
                    "max-call-bytes-per-loop must be in [max-datagram-bytes, 2^40]");
            for (int c : failoverCodes) {
                require(c >= 300 && c <= 699, "failover-codes: " + c + " is not a final non-2xx status");
            }
            return new ProxyConfig(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
