package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.model.Destination;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.EngineLoops;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.sipha.dispatcher.engine.SipProxyServer;
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
 * With a different selector or listener class, the real traffic's first calls invalidated the warm code and C2 spent
 * about half of the proxy's CPU recompiling during the first seconds of load; when the warm-up fed the real
 * monitor's outcome queue, which nothing drained before the real engine started, every report took the queue-full
 * branch and the first real report deoptimised the response path. For the same reason the calls come in the
 * message shapes real peers send (see {@link #invite}).
 */
final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /**
     * Warm-up rounds, each on a throw-away engine with sockets of its own. The second one exists for its new
     * sockets: their first reads take branches (in Netty's read path, in a fresh engine's caches) that an engine's
     * first channels take only once, so compiled code met them first under the real engine's first calls.
     */
    private static final int ROUNDS = 2;

    private Warmup() {
    }

    /**
     * @param calls the most calls to run; 0 skips the warm-up
     * @param maxMs the most time to spend on them
     * @param algorithm the real proxy's selection algorithm
     * @param loops the event loops the real engine will run on
     * @param withHealth whether the real proxy checks health: each warm-up engine then has health checking of its
     *        own, wired as the real one's ({@link HealthWiring#forWarmup})
     */
    static void run(int calls, long maxMs, Algorithm algorithm, EngineLoops loops, boolean withHealth) {
        if (calls <= 0) {
            return;
        }
        long start = System.nanoTime();
        long roundNs = maxMs * 1_000_000L / 3;
        int done = 0;
        long settled = 0;
        for (int round = 0; round < ROUNDS; round++) {
            // the first round gets two thirds of the calls and time, the second what is left
            int share = round == 0 ? calls - calls / 3 : calls - done;
            done += runEngine(share, System.nanoTime() + (round == 0 ? 2 * roundNs : roundNs), algorithm, loops,
                withHealth);
            // C2 raises its threshold with the length of its queue, which the first round keeps long: methods
            // called once per call (the INVITE path) were still profiling when real calls came. Once the queue is
            // empty, the next round's first calls send them to C2 at the base threshold.
            settled += awaitCompilerIdle(3000);
        }
        LOG.info("warm-up: {} calls through the engine in {} ms, JIT settled after {} ms more", done,
            (System.nanoTime() - start) / 1_000_000 - settled, settled);
    }

    /** One round: a throw-away engine and backend; returns the calls that got their 200. */
    private static int runEngine(int calls, long deadline, Algorithm algorithm, EngineLoops loops,
            boolean withHealth) {
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int backendPort = freePort();
            int proxyPort = freePort();
            InetSocketAddress backendAddress = new InetSocketAddress("127.0.0.1", backendPort);
            DemoBackend backend = new DemoBackend(backendAddress);
            String uri = "sip:127.0.0.1:" + backendPort;
            Destination destination = Destination.of("warm-up", uri);
            RoutingTableOwner table = new RoutingTableOwner(DispatcherConfig.builder()
                .set(DestinationSetConfig.builder(1).algorithm(algorithm).add(destination).build())
                .build());
            DispatcherNextHopSelector selector = new DispatcherNextHopSelector(table, 1);
            HealthWiring health = withHealth
                ? HealthWiring.forWarmup(table, destination, proxyPort, selector::setTrafficShare) : null;
            SipProxyServer proxy = SipProxyServer.start(ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", proxyPort))
                .selector(selector)
                .alwaysAllow(backendAddress)
                .outcomeListener(health == null ? ForwardingOutcomeListener.NONE : health.outcomeListener())
                .recordRouteSecret("warm-up only").lingerMs(0).build(), loops);
            try {
                if (health != null) {
                    health.start(proxy);
                }
                return drive(client, new InetSocketAddress("127.0.0.1", proxyPort), calls, deadline);
            } finally {
                if (health != null) {
                    health.close();
                }
                proxy.close();
                backend.close();
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            LOG.warn("warm-up stopped early: {}", e.toString());
            return 0;
        }
    }

    /**
     * Waits (at most {@code maxMs}) until the JIT compilers have been idle for a moment, so compilations queued by
     * the warm-up do not compete with the first real calls. Returns the time waited.
     *
     * <p>On Linux it watches the CPU time of the compiler threads themselves ({@code /proc/self/task}): the JVM's
     * total compilation time only grows when a compilation ends, so a long C2 compilation with a queue behind it
     * looked idle and C2 went on compiling for seconds under real traffic. Elsewhere it falls back to that total.
     */
    private static long awaitCompilerIdle(long maxMs) {
        long start = System.nanoTime();
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean proc = compilerTicks() >= 0;
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

    private static final String OFFER = "v=0\r\no=warm 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n"
        + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
        + "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

    /** Sends INVITEs in bursts and answers every 200 with ACK and BYE; returns the calls that got their 200. */
    private static int drive(DatagramSocket client, InetSocketAddress proxy, int calls, long deadline)
            throws IOException {
        SipMessageView msg = new SipMessageView();
        byte[] buf = new byte[65535];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        client.setSoTimeout(5);
        client.setReceiveBufferSize(4 << 20);
        int me = client.getLocalPort();
        int sent = 0;
        int answered = 0;
        while (answered < calls && System.nanoTime() < deadline) {
            for (int i = 0; i < 100 && sent < calls; i++, sent++) {
                send(client, proxy, invite(sent, me, proxy.getPort()));
            }
            while (System.nanoTime() < deadline) {
                try {
                    in.setLength(buf.length);
                    client.receive(in);
                } catch (SocketTimeoutException e) {
                    break;
                }
                if (msg.wrap(buf, 0, in.getLength()) != SipParseResult.OK || msg.isRequest()
                    || msg.statusCode() != 200 || msg.recordRouteCount() == 0
                    || !"INVITE".contentEquals(msg.cseqMethod())) {
                    continue;
                }
                answered++;
                String common = "Route: " + msg.recordRoute(0).asText() + "\r\nFrom: " + msg.from().asText()
                    + "\r\nTo: " + msg.to().asText() + "\r\nCall-ID: " + msg.callId() + "\r\nMax-Forwards: 70\r\n";
                String ruri = msg.contactCount() > 0 ? msg.contact(0).uriText().toString() : "sip:warm@127.0.0.1";
                send(client, proxy, "ACK " + ruri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + me + ";branch=z9hG4bK-a"
                    + answered + "\r\n" + common + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
                send(client, proxy, "BYE " + ruri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + me + ";branch=z9hG4bK-b"
                    + answered + "\r\n" + common + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
            }
        }
        LOG.debug("warm-up sent {} INVITEs", sent);
        return answered;
    }

    /**
     * The warm-up's INVITE number {@code n}, in two shapes taken in turn, so that neither one's syntax is new to
     * the compiled code when real calls arrive: a carrier's (quoted display name, {@code rport}, a Contact in angle
     * brackets, extra headers) and the plainer one of many UAs, SIPp among them (token display names, a bare
     * Contact URI, no {@code rport}, Content-Length padded with spaces).
     */
    private static String invite(int n, int me, int proxyPort) {
        if (n % 2 == 0) {
            return "INVITE sip:warm@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + me + ";branch=z9hG4bK-w" + n
                + ";rport\r\nFrom: \"Warm " + (n % 10) + "\" <sip:w" + n + "@127.0.0.1:" + me + ">;tag=w" + n
                + "\r\nTo: warm <sip:warm@127.0.0.1>\r\nCall-ID: warm-" + n + "@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
                + "Contact: <sip:w@127.0.0.1:" + me + ">\r\nMax-Forwards: 70\r\nSubject: warm-up\r\n"
                + "User-Agent: sip-ha warm-up\r\nContent-Type: application/sdp\r\nContent-Length: " + OFFER.length()
                + "\r\n\r\n" + OFFER;
        }
        return "INVITE sip:service@127.0.0.1:" + proxyPort + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + me
            + ";branch=z9hG4bK-m" + n + "\r\nFrom: warm <sip:warm@127.0.0.1:" + me + ">;tag=" + n + "m\r\n"
            + "To: service <sip:service@127.0.0.1:" + proxyPort + ">\r\nCall-ID: " + n + "-warm@127.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\nContact: sip:warm@127.0.0.1:" + me + "\r\nMax-Forwards: 70\r\n"
            + "Content-Type: application/sdp\r\nContent-Length:   " + OFFER.length() + "\r\n\r\n" + OFFER;
    }

    private static void send(DatagramSocket s, InetSocketAddress to, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, to));
    }
}
