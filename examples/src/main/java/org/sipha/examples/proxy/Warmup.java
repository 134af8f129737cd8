package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.dispatcher.engine.Destination;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs complete calls (INVITE, 200, ACK and BYE along the Record-Route) through a throw-away engine on
 * ephemeral loopback ports before the real one binds, so the JIT has compiled the forwarding path when the
 * first real call arrives: a proxy that starts announcing its (anycast) address should serve at full speed at
 * once. Bounded in calls and time; everything it opens is closed before it returns.
 */
final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);

    private Warmup() {
    }

    static void run(int calls, long maxMs) {
        if (calls <= 0) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + maxMs * 1_000_000L;
        int done = 0;
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int backendPort = freePort();
            int proxyPort = freePort();
            DemoBackend backend = new DemoBackend(new InetSocketAddress("127.0.0.1", backendPort));
            SipProxyServer proxy = SipProxyServer.start(ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", proxyPort))
                .destinations(List.of(Destination.udp("127.0.0.1", backendPort)))
                .recordRouteSecret("warm-up only").eventLoops(1).lingerMs(0).build());
            try {
                done = drive(client, new InetSocketAddress("127.0.0.1", proxyPort), calls, deadline);
            } finally {
                proxy.close();
                backend.close();
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            LOG.warn("warm-up stopped early: {}", e.toString());
        }
        long settled = awaitCompilerIdle(2000);
        LOG.info("warm-up: {} calls through the engine in {} ms, JIT settled after {} ms more", done,
            (System.nanoTime() - start) / 1_000_000 - settled, settled);
    }

    /**
     * Waits (at most {@code maxMs}) until the JIT compilers have been idle for a moment, so compilations queued by
     * the warm-up do not compete with the first real calls. Returns the time waited.
     */
    private static long awaitCompilerIdle(long maxMs) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return 0;
        }
        long last = jit.getTotalCompilationTime();
        try {
            while ((System.nanoTime() - start) / 1_000_000 < maxMs) {
                Thread.sleep(100);
                long now = jit.getTotalCompilationTime();
                if (now - last < 5) {
                    break;
                }
                last = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

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
                send(client, proxy, "INVITE sip:warm@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + me
                    + ";branch=z9hG4bK-w" + sent + "\r\nFrom: <sip:w@127.0.0.1>;tag=w" + sent
                    + "\r\nTo: <sip:warm@127.0.0.1>\r\nCall-ID: warm-" + sent + "\r\nCSeq: 1 INVITE\r\n"
                    + "Contact: <sip:w@127.0.0.1:" + me + ">\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
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

    private static void send(DatagramSocket s, InetSocketAddress to, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, to));
    }
}
