package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
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
 * Runs complete calls (INVITE, 180, 200, ACK and BYE along the Record-Route) through a throw-away engine on
 * ephemeral loopback ports before the real one binds, so the JIT has compiled the forwarding path when the
 * first real call arrives: a proxy that starts announcing its (anycast) address should serve at full speed at
 * once. Bounded in calls and time; everything it opens is closed before it returns.
 *
 * <p>The throw-away engine is built like the real one, because C2 compiles on what it has seen and throws the
 * compiled code away at the first branch it has not: the same selector class and algorithm, the same outcome
 * listener, and the real engine's own event loop threads ({@link EngineLoops}: new threads meet Netty's
 * per-thread pools empty, a branch the warm code never took). Calls come from several client sockets to two
 * backends, so that, as with real traffic, {@code SO_REUSEPORT} spreads them over the loops and responses reach
 * a loop other than their call's; the INVITEs vary in shape (a carrier's, a bare SIPp-like one, one behind an
 * upstream proxy, compact header names). Measured on the reference harness: with a warm-up on its own threads
 * and one message shape, C2 spent about 40 % of the proxy's CPU recompiling during the first 10 s of load.
 */
final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    private static final int CLIENTS = 4;

    private Warmup() {
    }

    /**
     * Warms the engine up: at least {@code calls} calls, then on until the JIT compilers are idle under load.
     *
     * @param calls the fewest calls to run; 0 skips the warm-up
     * @param maxMs the most time to spend driving calls
     * @param algorithm the real proxy's selection algorithm
     * @param loops the event loops the real engine will run on
     * @param outcomes the real outcome listener; the warm-up's backend addresses are unknown to it, so it ignores
     *     their outcomes
     */
    static void run(int calls, long maxMs, Algorithm algorithm, EngineLoops loops,
            ForwardingOutcomeListener outcomes) {
        if (calls <= 0) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + maxMs * 1_000_000L;
        AtomicInteger done = new AtomicInteger();
        List<DemoBackend> backends = new ArrayList<>();
        SipProxyServer proxy = null;
        try {
            DestinationSetConfig.Builder set = DestinationSetConfig.builder(1).algorithm(algorithm);
            ProxyConfig.Builder cfg = ProxyConfig.builder();
            for (int i = 0; i < 2; i++) {
                InetSocketAddress a = new InetSocketAddress("127.0.0.1", freePort());
                backends.add(new DemoBackend(a, i == 1)); // one writes its Vias on one line, as SIPp does
                String uri = "sip:127.0.0.1:" + a.getPort();
                set.add(org.sipha.core.model.Destination.of(uri, uri));
                cfg.alwaysAllow(a);
            }
            RoutingTableOwner table = new RoutingTableOwner(DispatcherConfig.builder().set(set.build()).build());
            InetSocketAddress proxyAddress = new InetSocketAddress("127.0.0.1", freePort());
            proxy = SipProxyServer.start(cfg.listenUdp(proxyAddress)
                .selector(new DispatcherNextHopSelector(table, 1))
                .outcomeListener(outcomes)
                .recordRouteSecret("warm-up only").lingerMs(0).build(), loops);
            List<Thread> clients = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean pause = new AtomicBoolean();
            for (int c = 0; c < CLIENTS; c++) {
                Thread t = new Thread(() -> driveQuietly(proxyAddress, done, pause, stop, deadline),
                    "sip-ha-warmup-" + c);
                t.setDaemon(true);
                t.start();
                clients.add(t);
            }
            try {
                awaitCompiled(done, calls, pause, deadline);
            } finally {
                stop.set(true);
                for (Thread t : clients) {
                    t.join(2000);
                }
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            LOG.warn("warm-up stopped early: {}", e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            for (DemoBackend b : backends) {
                try {
                    b.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        long settled = awaitCompilerIdle(500);
        LOG.info("warm-up: {} calls through the engine in {} ms, JIT settled after {} ms more", done.get(),
            (System.nanoTime() - start) / 1_000_000 - settled, settled);
    }

    /** One client socket's calls until {@code stop}; counts answered calls in {@code done}. */
    private static void driveQuietly(InetSocketAddress proxy, AtomicInteger done, AtomicBoolean pause,
            AtomicBoolean stop, long deadline) {
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            drive(client, proxy, done, pause, stop, deadline);
        } catch (IOException | RuntimeException e) {
            LOG.debug("warm-up client stopped: {}", e.toString());
        }
    }

    /**
     * Drives the calls in rounds, each a burst of traffic then a pause until the JIT compilers are idle, and
     * returns after a round that gave them (almost) nothing to do, once at least {@code calls} were answered; or
     * at {@code deadline}. Why rounds: C2 raises its compile thresholds while its queue is long, and on a small
     * machine the warm-up's own traffic starves it of CPU; so at the end of one long burst the hottest methods
     * (the event loop, the read path, the parser) were still in profiled C1 code, and C2 compiled them seconds
     * into real traffic, at its cost (about 40 % of the proxy's CPU in the first 10 s at 1000 calls/s).
     */
    private static void awaitCompiled(AtomicInteger done, int calls, AtomicBoolean pause, long deadline)
            throws InterruptedException {
        if (compilerTicks() < 0) { // no /proc: one burst of the asked-for calls
            while (done.get() < calls && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            return;
        }
        while (System.nanoTime() < deadline) {
            long before = compilerTicks();
            pause.set(false);
            Thread.sleep(500);
            pause.set(true);
            awaitCompilerIdle(Math.max(0, Math.min(1500, (deadline - System.nanoTime()) / 1_000_000L)));
            if (done.get() >= calls && compilerTicks() - before <= 3) { // /proc ticks are 10 ms
                return;
            }
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

    /**
     * Sends INVITEs in bursts (none while {@code pause}) and answers every 200 with ACK and BYE until {@code stop}
     * or {@code deadline}.
     */
    private static void drive(DatagramSocket client, InetSocketAddress proxy, AtomicInteger done,
            AtomicBoolean pause, AtomicBoolean stop, long deadline) throws IOException {
        SipMessageView msg = new SipMessageView();
        byte[] buf = new byte[65535];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        client.setSoTimeout(5);
        client.setReceiveBufferSize(4 << 20);
        int me = client.getLocalPort();
        int sent = 0;
        int answered = 0;
        while (!stop.get() && System.nanoTime() < deadline) {
            for (int i = 0; i < 50 && !pause.get(); i++, sent++) {
                send(client, proxy, invite(sent, me));
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
                done.incrementAndGet();
                String common = "Route: " + msg.recordRoute(0).asText() + "\r\nFrom: " + msg.from().asText()
                    + "\r\nTo: " + msg.to().asText() + "\r\nCall-ID: " + msg.callId() + "\r\nMax-Forwards: 70\r\n";
                String ruri = msg.contactCount() > 0 ? msg.contact(0).uriText().toString() : "sip:warm@127.0.0.1";
                send(client, proxy, "ACK " + ruri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + me + ";branch=z9hG4bK-a"
                    + answered + "\r\n" + common + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
                send(client, proxy, "BYE " + ruri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + me + ";branch=z9hG4bK-b"
                    + answered + "\r\n" + common + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
            }
        }
        LOG.debug("warm-up client {} sent {} INVITEs", me, sent);
    }

    /**
     * The {@code n}th warm-up INVITE from port {@code me}, in one of four shapes real traffic has: a carrier's
     * (display names, rport, extra headers), a bare one (SIPp's: no rport, a Contact without brackets), one
     * relayed by an upstream proxy (two Via lines), and one with compact header names.
     */
    static String invite(int n, int me) {
        String id = me + "-" + n;
        String via = "SIP/2.0/UDP 127.0.0.1:" + me + ";branch=z9hG4bK-w" + id;
        return switch (n & 3) {
            case 0 -> "INVITE sip:warm@127.0.0.1 SIP/2.0\r\nVia: " + via + ";rport\r\nFrom: \"Warm " + (n % 10)
                + "\" <sip:w" + n + "@127.0.0.1:" + me + ">;tag=w" + id + "\r\nTo: warm <sip:warm@127.0.0.1>\r\n"
                + "Call-ID: warm-" + id + "@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:w@127.0.0.1:" + me + ">\r\n"
                + "Max-Forwards: 70\r\nSubject: warm-up\r\nUser-Agent: sip-ha warm-up\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: " + OFFER.length() + "\r\n\r\n" + OFFER;
            case 1 -> "INVITE sip:warm@127.0.0.1:5060 SIP/2.0\r\nVia: " + via + "\r\nFrom: sipp <sip:sipp@127.0.0.1:"
                + me + ">;tag=" + id + "SIPpTag00" + n + "\r\nTo: warm <sip:warm@127.0.0.1:5060>\r\nCall-ID: " + id
                + "-warm@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: sip:sipp@127.0.0.1:" + me + "\r\nMax-Forwards: 70\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: " + BARE_OFFER.length() + "\r\n\r\n" + BARE_OFFER;
            case 2 -> "INVITE sip:+4930" + n + "@127.0.0.1;user=phone SIP/2.0\r\nVia: " + via + ";rport\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.7:5060;received=192.0.2.7;branch=z9hG4bK-up" + id + "\r\n"
                + "Max-Forwards: 69\r\nFrom: <sip:+4940" + n + "@192.0.2.7;user=phone>;tag=up" + id + "\r\n"
                + "To: <sip:+4930" + n + "@127.0.0.1;user=phone>\r\nCall-ID: up-" + id + "\r\nCSeq: 10 INVITE\r\n"
                + "Contact: <sip:+4940" + n + "@127.0.0.1:" + me + ";transport=udp>\r\nAllow: INVITE, ACK, BYE, CANCEL,"
                + " OPTIONS\r\nP-Asserted-Identity: <sip:+4940" + n + "@192.0.2.7>\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: " + OFFER.length() + "\r\n\r\n" + OFFER;
            default -> "INVITE sip:warm@127.0.0.1 SIP/2.0\r\nv: " + via + ";rport\r\nf: <sip:c" + n + "@127.0.0.1:" + me
                + ">;tag=c" + id + "\r\nt: <sip:warm@127.0.0.1>\r\ni: c-" + id + "\r\nCSeq: 1 INVITE\r\n"
                + "m: <sip:c@127.0.0.1:" + me + ">\r\nMax-Forwards: 70\r\nc: application/sdp\r\nl: "
                + OFFER.length() + "\r\n\r\n" + OFFER;
        };
    }

    private static final String BARE_OFFER = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n"
        + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    private static void send(DatagramSocket s, InetSocketAddress to, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, to));
    }
}
