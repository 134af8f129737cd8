package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.model.Destination;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.EngineLoops;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.health.HealthChecking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs complete calls (INVITE, 200, ACK and BYE along the Record-Route) through throw-away engines on ephemeral
 * loopback ports before the real one binds, so the JIT has compiled the forwarding path when the first real call
 * arrives: a proxy that starts announcing its (anycast) address should serve at full speed at once. Bounded in calls
 * and time; everything it opens is closed before it returns. Called by the main thread, once, before the real engine.
 *
 * <p>The throw-away engines are built like the real one (a {@link DispatcherNextHopSelector} with the same
 * algorithm; health checking wired as the real one's, with a monitor of their own that probes through the engine
 * and drains its outcomes) and run on the real one's event loop threads ({@link EngineLoops}), so the JIT sees the
 * same classes and the same branches at every call site and the threads' pools are not met empty by compiled code.
 * For the same reason the calls come in the message shapes real peers send (see {@code Requests}).
 */
final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /**
     * Warm-up rounds, each on a throw-away engine with sockets of its own: the second round's new sockets take the
     * first-read branches (Netty's read path, a fresh engine's caches) the real engine's sockets will take.
     */
    private static final int ROUNDS = 2;
    /** The longest pause for the compiler: each pause ends once the compiler threads have been idle for 200 ms. */
    private static final long COMPILER_WAIT_MS = 3000;
    /** The most calls a round runs after the compiler's pause (see {@link #runEngine}), in a quarter of its time. */
    private static final int TAIL_CALLS = 3000;
    /**
     * INVITEs sent at once: bursts fill the engine's read batches; the tail's few at a time make the loop's
     * per-wake-up code (flushes, task checks, the read loop's entry) as hot per call as real traffic makes it.
     */
    private static final int BURST = 100;

    private static final int TAIL_BURST = 4;
    /** Backends per warm-up engine: two, so selection and failover take the branches of a set with a choice. */
    private static final int BACKENDS = 2;
    /** One INVITE in this many is sent twice, so absorbing a retransmission (the call table's hit) is compiled. */
    private static final int RETRANSMIT_EVERY = 50;

    private Warmup() {}

    /**
     * @param calls the most calls to run; 0 skips the warm-up
     * @param maxMs the most time to spend on them, not counting the three pauses for the compiler (at most
     *        {@value #COMPILER_WAIT_MS} ms each)
     * @param algorithm the real proxy's selection algorithm
     * @param loops the event loops the real engine will run on
     * @param withHealth whether the real proxy checks health: each warm-up engine then has health checking of its
     *        own, wired as the real one's ({@link #healthChecking})
     * @return the calls that got their 200
     */
    static int run(int calls, long maxMs, Algorithm algorithm, EngineLoops loops, boolean withHealth) {
        return run(calls, maxMs, COMPILER_WAIT_MS, algorithm, loops, withHealth);
    }

    /**
     * As {@link #run(int, long, Algorithm, EngineLoops, boolean)}, waiting at most {@code compilerWaitMs} in each
     * pause for the compiler (0: no pauses; the tests' setting).
     */
    static int run(
            int calls, long maxMs, long compilerWaitMs, Algorithm algorithm, EngineLoops loops, boolean withHealth) {
        if (calls <= 0) {
            return 0;
        }
        long start = System.nanoTime();
        long budgetNs = maxMs * 1_000_000L;
        int done = 0;
        long[] idleMs = {0};
        for (int round = 0; round < ROUNDS; round++) {
            // the first round gets 60 % of the calls and time, the second what is left
            int share = round == 0 ? calls * 3 / 5 : calls - done;
            done += runEngine(
                    share,
                    round == 0 ? budgetNs * 3 / 5 : budgetNs * 2 / 5,
                    algorithm,
                    loops,
                    withHealth,
                    compilerWaitMs,
                    idleMs);
        }
        idleMs[0] += awaitCompilerIdle(compilerWaitMs);
        LOG.info(
                "warm-up: {} calls through the engine in {} ms, of which {} ms waiting for the JIT compilers",
                done,
                (System.nanoTime() - start) / 1_000_000,
                idleMs[0]);
        return done;
    }

    /**
     * One round: a throw-away engine and its demo backends; returns the calls that got their 200 and adds the time
     * it waited for the compiler to {@code idleMs[0]}.
     *
     * <p>The round's last calls come after a pause in which the compiler's queue empties: C2 raises its threshold
     * with its queue's length, so methods called once per call reach C2 at its base threshold only then.
     */
    private static int runEngine(
            int calls,
            long budgetNs,
            Algorithm algorithm,
            EngineLoops loops,
            boolean withHealth,
            long compilerWaitMs,
            long[] idleMs) {
        List<DemoBackend> backends = new ArrayList<>();
        RoutingTableWriter writer = null;
        HealthChecking health = null;
        SipProxyServer proxy = null;
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int proxyPort = freePort();
            DestinationSetConfig.Builder set = DestinationSetConfig.builder(1).algorithm(algorithm);
            List<Destination> destinations = new ArrayList<>();
            ProxyConfig.Builder config = ProxyConfig.builder().listenUdp(new InetSocketAddress("127.0.0.1", proxyPort));
            for (int i = 1; i <= BACKENDS; i++) {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", freePort());
                backends.add(new DemoBackend(address));
                Destination d = Destination.of("warm-up-" + i, "sip:127.0.0.1:" + address.getPort());
                destinations.add(d);
                set.add(d);
                config.alwaysAllow(address);
            }
            RoutingTableOwner table = new RoutingTableOwner(
                    DispatcherConfig.builder().set(set.build()).build());
            DispatcherNextHopSelector selector = new DispatcherNextHopSelector(table, 1);
            if (withHealth) {
                writer = new RoutingTableWriter(table, "sipha-warmup-routing-table");
                health = healthChecking(destinations, writer, selector);
            }
            proxy = SipProxyServer.start(
                    config.selector(selector)
                            .outcomeListener(health == null ? ForwardingOutcomeListener.NONE : health.outcomeListener())
                            // No linger: call states are reused at once, as in an engine that has run a while.
                            .recordRouteSecret("warm-up only")
                            .lingerMs(0)
                            // One client is one source at the warm-up's whole rate: limits it never reaches, so the
                            // per-source
                            // checks run (and are compiled) without refusing.
                            .newCallsPerSecondPerSource(1_000_000)
                            .requestsPerSecondPerSource(1_000_000)
                            .build(),
                    loops);
            if (health != null) {
                writer.start();
                health.start(proxy.probeTransport());
            }
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", proxyPort);
            int tail = Math.min(calls / 4, TAIL_CALLS);
            int answered = drive(client, to, 0, calls - tail, System.nanoTime() + budgetNs * 3 / 4, BURST);
            idleMs[0] += awaitCompilerIdle(compilerWaitMs);
            return answered + drive(client, to, calls - tail, tail, System.nanoTime() + budgetNs / 4, TAIL_BURST);
        } catch (IOException | RuntimeException e) {
            LOG.warn("warm-up stopped early: {}", e.toString());
            return 0;
        } finally {
            close(health, writer, proxy, backends);
        }
    }

    /**
     * Health checking for a warm-up engine, built as the real one's ({@link ReferenceProxy#healthChecking}) with
     * the default probe timers (shorter ones timed out under the warm-up's bursts, and the set went into panic), so
     * the code that reports, drains and applies call outcomes is compiled with the branches real traffic takes.
     */
    private static HealthChecking healthChecking(
            List<Destination> destinations, RoutingTableWriter writer, DispatcherNextHopSelector selector) {
        return HealthChecking.builder(destinations)
                .sink(writer.healthSink())
                .slowStart(selector::setTrafficShare)
                .threadName("sipha-warmup-health")
                .build();
    }

    /** Closes what a round opened, each part even if closing another was interrupted. */
    private static void close(
            HealthChecking health, RoutingTableWriter writer, SipProxyServer proxy, List<DemoBackend> backends) {
        boolean interrupted = false;
        if (health != null) {
            health.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        for (DemoBackend b : backends) {
            try {
                b.close();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits (at most {@code maxMs}) until the JIT compilers have been idle for a moment, so compilations queued by
     * the warm-up do not compete with the first real calls. Returns the time waited.
     *
     * <p>On Linux it watches the compiler threads' CPU time ({@code /proc/self/task}): the JVM's total compilation
     * time grows only when a compilation ends, so it misses a long one in progress. Elsewhere it uses that total.
     */
    private static long awaitCompilerIdle(long maxMs) {
        long start = System.nanoTime();
        boolean proc = compilerTicks() >= 0;
        // Only without /proc: the platform MXBeans load hundreds of classes that would give the JIT work of its own.
        java.lang.management.CompilationMXBean jit =
                proc ? null : java.lang.management.ManagementFactory.getCompilationMXBean();
        if (!proc && (jit == null || !jit.isCompilationTimeMonitoringSupported())) {
            return 0;
        }
        long last = proc ? compilerTicks() : jit.getTotalCompilationTime();
        int quiet = 0;
        try {
            while ((System.nanoTime() - start) / 1_000_000 < maxMs) {
                Thread.sleep(100);
                long now = proc ? compilerTicks() : jit.getTotalCompilationTime();
                // /proc ticks are 10 ms: idle means no tick in two consecutive 100 ms windows
                quiet = (proc ? now == last : now - last < 5) ? quiet + 1 : 0;
                if (quiet >= (proc ? 2 : 1)) {
                    break;
                }
                last = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** CPU ticks (user + system) of this JVM's JIT compiler threads so far, or -1 if /proc cannot tell. */
    private static long compilerTicks() {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return -1;
        }
        long ticks = 0;
        boolean found = false;
        for (java.io.File t : tasks) {
            try {
                String comm = java.nio.file.Files.readString(t.toPath().resolve("comm"));
                if (!comm.startsWith("C1 Compiler") && !comm.startsWith("C2 Compiler")) {
                    continue;
                }
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                found = true;
            } catch (IOException | RuntimeException e) {
                // a thread that ended meanwhile, or an unexpected format: skip it
            }
        }
        return found ? ticks : -1;
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    private static final byte[] OFFER = AsciiWriter.ascii("v=0\r\no=warm 53655765 2353687637 IN IP4 127.0.0.1\r\n"
            + "s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n");

    /**
     * Sends INVITEs numbered from {@code first} in bursts of {@code burst} and answers every 200 with ACK and BYE;
     * returns the calls that got their 200. A burst follows when no answer came for a millisecond (for bursts of a
     * few calls) or five (for larger ones). Numbers must not repeat on one engine: they make the Call-IDs and
     * branches.
     */
    private static int drive(
            DatagramSocket client, InetSocketAddress proxy, int first, int calls, long deadline, int burst)
            throws IOException {
        SipMessageView msg = new SipMessageView();
        byte[] buf = new byte[65535];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        client.setSoTimeout(burst > TAIL_BURST ? 5 : 1);
        client.setReceiveBufferSize(4 << 20);
        Requests out = new Requests(client.getLocalPort(), proxy.getPort());
        DatagramPacket packet = new DatagramPacket(out.w.array(), 0, proxy);
        int sent = 0;
        int answered = 0;
        while (answered < calls && System.nanoTime() < deadline) {
            for (int i = 0; i < burst && sent < calls; i++, sent++) {
                send(client, packet, out.invite(first + sent));
                if ((first + sent) % RETRANSMIT_EVERY == RETRANSMIT_EVERY - 1) {
                    send(client, packet, out.w); // a retransmission, as carriers send when an answer is slow
                }
            }
            while (System.nanoTime() < deadline) {
                try {
                    in.setLength(buf.length);
                    client.receive(in);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (msg.wrap(buf, 0, in.getLength()) != SipParseResult.OK
                        || msg.isRequest()
                        || msg.statusCode() != 200
                        || msg.recordRouteCount() == 0
                        || !msg.cseqMethod().contentEquals("INVITE")) {
                    continue;
                }
                answered++;
                send(client, packet, out.inDialog(Requests.ACK, first + answered, msg));
                send(client, packet, out.inDialog(Requests.BYE, first + answered, msg));
            }
        }
        LOG.debug("warm-up sent {} INVITEs", sent);
        return answered;
    }

    private static void send(DatagramSocket s, DatagramPacket packet, AsciiWriter w) throws IOException {
        packet.setData(w.array(), 0, w.length());
        s.send(packet);
    }

    /**
     * The warm-up client's requests, written as bytes ({@link AsciiWriter}). INVITE number {@code n} comes in two
     * shapes taken in turn, so that neither one's syntax is new to the compiled code when real calls arrive: a
     * carrier's (quoted display name, {@code rport}, a Contact in angle brackets, extra headers) and the plainer one
     * of many UAs, SIPp among them (token display names, a bare Contact URI, no {@code rport}, Content-Length padded
     * with spaces). One thread.
     */
    private static final class Requests {
        static final int ACK = 0;
        static final int BYE = 1;
        /**
         * Call-IDs get 0 to 63 more characters, so the Record-Route token's HMAC input ends at every offset of a
         * SHA-256 block (both padding paths compiled), as real Call-IDs of all lengths make it.
         */
        private static final byte[] CALL_ID_FILL =
                AsciiWriter.ascii("-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.");

        private static final byte[] A1 =
                AsciiWriter.ascii("INVITE sip:warm@127.0.0.1 SIP/2.0\r\n" + "Via: SIP/2.0/UDP 127.0.0.1:");
        private static final byte[] A_BRANCH = AsciiWriter.ascii(";branch=z9hG4bK-w");
        private static final byte[] A_FROM = AsciiWriter.ascii(";rport\r\nFrom: \"Warm ");
        private static final byte[] A_FROM_URI = AsciiWriter.ascii("\" <sip:w");
        private static final byte[] AT_HOST = AsciiWriter.ascii("@127.0.0.1:");
        private static final byte[] A_TAG = AsciiWriter.ascii(">;tag=w");
        private static final byte[] A_TO = AsciiWriter.ascii("\r\nTo: warm <sip:warm@127.0.0.1>\r\nCall-ID: warm-");
        private static final byte[] A_CSEQ =
                AsciiWriter.ascii("@127.0.0.1\r\nCSeq: 1 INVITE\r\n" + "Contact: <sip:w@127.0.0.1:");
        private static final byte[] A_REST = AsciiWriter.ascii(">\r\nMax-Forwards: 70\r\nSubject: warm-up\r\n"
                + "User-Agent: sip-ha warm-up\r\nContent-Type: application/sdp\r\nContent-Length: ");
        private static final byte[] B1 = AsciiWriter.ascii("INVITE sip:service@127.0.0.1:");
        /** Ends a request line and starts the top Via (the second INVITE shape and in-dialog requests share it). */
        private static final byte[] VERSION_VIA = AsciiWriter.ascii(" SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:");

        private static final byte[] B_BRANCH = AsciiWriter.ascii(";branch=z9hG4bK-m");
        private static final byte[] B_FROM = AsciiWriter.ascii("\r\nFrom: warm <sip:warm@127.0.0.1:");
        private static final byte[] B_TAG = AsciiWriter.ascii(">;tag=");
        private static final byte[] B_TO = AsciiWriter.ascii("m\r\nTo: service <sip:service@127.0.0.1:");
        private static final byte[] B_CALL_ID = AsciiWriter.ascii(">\r\nCall-ID: ");
        private static final byte[] B_CSEQ =
                AsciiWriter.ascii("-warm@127.0.0.1\r\nCSeq: 1 INVITE\r\n" + "Contact: sip:warm@127.0.0.1:");
        private static final byte[] B_REST =
                AsciiWriter.ascii("\r\nMax-Forwards: 70\r\n" + "Content-Type: application/sdp\r\nContent-Length:   ");
        private static final byte[][] METHOD = {AsciiWriter.ascii("ACK "), AsciiWriter.ascii("BYE ")};
        private static final byte[] FALLBACK_URI = AsciiWriter.ascii("sip:warm@127.0.0.1");
        private static final byte[][] D_BRANCH = {
            AsciiWriter.ascii(";branch=z9hG4bK-a"), AsciiWriter.ascii(";branch=z9hG4bK-b")
        };
        private static final byte[] D_ROUTE = AsciiWriter.ascii("\r\nRoute: ");
        private static final byte[] D_FROM = AsciiWriter.ascii("\r\nFrom: ");
        private static final byte[] D_TO = AsciiWriter.ascii("\r\nTo: ");
        private static final byte[] D_CALL_ID = AsciiWriter.ascii("\r\nCall-ID: ");
        private static final byte[][] D_REST = {
            AsciiWriter.ascii("\r\nMax-Forwards: 70\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"),
            AsciiWriter.ascii("\r\nMax-Forwards: 70\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n")
        };

        final AsciiWriter w = new AsciiWriter();
        private final int me;
        private final int proxyPort;

        Requests(int me, int proxyPort) {
            this.me = me;
            this.proxyPort = proxyPort;
        }

        AsciiWriter invite(int n) {
            w.reset();
            if (n % 2 == 0) {
                w.put(A1)
                        .putNumber(me)
                        .put(A_BRANCH)
                        .putNumber(n)
                        .put(A_FROM)
                        .putNumber(n % 10)
                        .put(A_FROM_URI)
                        .putNumber(n)
                        .put(AT_HOST)
                        .putNumber(me)
                        .put(A_TAG)
                        .putNumber(n)
                        .put(A_TO)
                        .putNumber(n)
                        .put(CALL_ID_FILL, n % CALL_ID_FILL.length)
                        .put(A_CSEQ)
                        .putNumber(me)
                        .put(A_REST);
            } else {
                w.put(B1)
                        .putNumber(proxyPort)
                        .put(VERSION_VIA)
                        .putNumber(me)
                        .put(B_BRANCH)
                        .putNumber(n)
                        .put(B_FROM)
                        .putNumber(me)
                        .put(B_TAG)
                        .putNumber(n)
                        .put(B_TO)
                        .putNumber(proxyPort)
                        .put(B_CALL_ID)
                        .putNumber(n)
                        .put(CALL_ID_FILL, n % CALL_ID_FILL.length)
                        .put(B_CSEQ)
                        .putNumber(me)
                        .put(B_REST);
            }
            return w.putNumber(OFFER.length).crlf().crlf().put(OFFER);
        }

        /** ACK or BYE number {@code n} for the dialog {@code ok} (its 200) set up, along its Record-Route. */
        AsciiWriter inDialog(int method, int n, SipMessageView ok) {
            w.reset().put(METHOD[method]);
            if (ok.contactCount() > 0) {
                w.put(ok.contact(0).uriText());
            } else {
                w.put(FALLBACK_URI);
            }
            return w.put(VERSION_VIA)
                    .putNumber(me)
                    .put(D_BRANCH[method])
                    .putNumber(n)
                    .put(D_ROUTE)
                    .put(ok.recordRoute(0).asText())
                    .put(D_FROM)
                    .put(ok.from().asText())
                    .put(D_TO)
                    .put(ok.to().asText())
                    .put(D_CALL_ID)
                    .put(ok.callId())
                    .put(D_REST[method]);
        }
    }
}
