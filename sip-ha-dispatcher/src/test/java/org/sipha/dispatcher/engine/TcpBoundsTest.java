package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * The TCP bounds over real sockets on 127.0.0.x (ports 15282-15288): the access list and the connection caps at
 * accept, the idle and incomplete-message timeouts, the write-buffer bound on a peer that does not read, and the
 * size limit. Clients bind their own 127.0.0.x address to be distinct sources.
 */
class TcpBoundsTest {
    /** A destination of every proxy here: connections from its address are let through the access list. */
    private static final String DESTINATION = "sip:127.0.0.3:15299;transport=tcp";

    private final List<Socket> sockets = new ArrayList<>();
    private final SteppedClock clock = new SteppedClock();
    private SipProxyServer proxy;

    /** A clock the test moves and the loops read. */
    private static final class SteppedClock implements NanoClock {
        private final AtomicLong nowNs = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return nowNs.get();
        }

        void advanceSeconds(long s) {
            nowNs.addAndGet(s * 1_000_000_000L);
        }
    }

    private InetSocketAddress start(int port, UnaryOperator<ProxyConfig.Builder> options) {
        InetSocketAddress at = new InetSocketAddress("127.0.0.1", port);
        proxy = SipProxyServer.start(options.apply(ProxyConfig.builder()
                        .listenTcp(at)
                        .destinations(List.of(Destination.of("pbx", DESTINATION)))
                        .recordRouteSecret("tcp bounds test secret")
                        .eventLoops(2)
                        .clock(clock))
                .build());
        return at;
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    private Socket connect(String fromIp, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(fromIp, 0));
        s.connect(to, 2000);
        return s;
    }

    private static String options(Socket s, int maxForwards, String extraHeaders, String contentLength) {
        return ("OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n" + extraHeaders
                + "Via: SIP/2.0/TCP " + s.getLocalAddress().getHostAddress() + ":" + s.getLocalPort()
                + ";branch=z9hG4bK-b" + System.nanoTime() + "\r\n"
                + "Max-Forwards: " + maxForwards + "\r\nFrom: <sip:t@127.0.0.2>;tag=1\r\nTo: <sip:probe@127.0.0.1>\r\n"
                + "Call-ID: bounds-" + s.getLocalPort() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: " + contentLength
                + "\r\n\r\n");
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** Sends an OPTIONS with Max-Forwards 0 and returns the status line the proxy answers with (its 483). */
    private static String served(Socket s) throws IOException {
        send(s, options(s, 0, "", "0"));
        return readHead(s, 3000);
    }

    /** The first line of the next response's head, or null if none comes within {@code timeoutMs}. */
    private static String readHead(Socket s, int timeoutMs) throws IOException {
        s.setSoTimeout(timeoutMs);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            int c;
            while ((c = in.read()) >= 0) {
                head.write(c);
                String h = head.toString(StandardCharsets.US_ASCII);
                if (h.endsWith("\r\n\r\n")) {
                    return h.substring(0, h.indexOf("\r\n"));
                }
            }
        } catch (SocketTimeoutException | SocketException e) {
            return null;
        }
        return null;
    }

    /** True if the proxy closes {@code s} within {@code timeoutMs} (EOF or reset), reading and dropping any data. */
    private static boolean closedWithin(Socket s, int timeoutMs) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        byte[] buf = new byte[65536];
        try {
            while (System.nanoTime() < deadline) {
                s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
                if (s.getInputStream().read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
        return false;
    }

    /**
     * Connects from {@code fromIp} and returns true if the proxy closes the connection without a byte read or
     * written: the reset may come before the connect call returns.
     */
    private boolean refusedAtAccept(String fromIp, InetSocketAddress to, boolean sendRequest) throws IOException {
        Socket s;
        try {
            s = connect(fromIp, to);
            if (sendRequest) {
                send(s, options(s, 70, "", "0")); // an initial request: the gate would answer 403
            }
        } catch (SocketException e) {
            return true;
        }
        return closedSilently(s, 3000);
    }

    /** True if nothing at all (not even a byte) arrives on {@code s} before the proxy closes it. */
    private static boolean closedSilently(Socket s, int timeoutMs) throws IOException {
        s.setSoTimeout(timeoutMs);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    private static void await(LongSupplier value, long expected, String what) throws InterruptedException {
        for (int i = 0; i < 100 && value.getAsLong() != expected; i++) {
            Thread.sleep(20);
        }
        assertEquals(expected, value.getAsLong(), what);
    }

    @Test
    void aConnectionFromASourceTheAccessListDeniesIsResetAtAcceptButADestinationsIsServed() throws Exception {
        InetSocketAddress at = start(15282, b -> b.accessList(SourceAccessList.of(List.of("192.0.2.0/24"))));
        assertTrue(refusedAtAccept("127.0.0.2", at, true), "closed without a byte read or written");
        await(proxy.tcpCounters()::refusedByAccessList, 1, "refused by the access list");
        Socket destination = connect("127.0.0.3", at); // the destination's address, from an ephemeral port
        assertEquals("SIP/2.0 483 Too Many Hops", served(destination));
        assertEquals(1, proxy.tcpCounters().openAccepted());
    }

    @Test
    void connectionsOverTheTotalOrPerSourceCapAreResetAtOnce() throws Exception {
        InetSocketAddress at = start(15283, b -> b.tcpMaxConnections(3).tcpMaxConnectionsPerSource(2));
        Socket a1 = connect("127.0.0.2", at);
        Socket a2 = connect("127.0.0.2", at);
        assertEquals("SIP/2.0 483 Too Many Hops", served(a1));
        assertEquals("SIP/2.0 483 Too Many Hops", served(a2));
        assertTrue(refusedAtAccept("127.0.0.2", at, false), "third from one source");
        await(proxy.tcpCounters()::refusedOverSourceLimit, 1, "refused over the per-source cap");
        Socket b1 = connect("127.0.0.4", at);
        assertEquals("SIP/2.0 483 Too Many Hops", served(b1));
        assertTrue(refusedAtAccept("127.0.0.5", at, false), "fourth in all");
        await(proxy.tcpCounters()::refusedOverTotalLimit, 1, "refused over the total cap");
        a1.close();
        await(() -> proxy.tcpCounters().openAccepted(), 2, "open after one closed");
        Socket a4 = connect("127.0.0.2", at);
        assertEquals("SIP/2.0 483 Too Many Hops", served(a4), "a place freed by a close is taken again");
    }

    @Test
    void aConnectionSilentForTheIdleTimeoutIsClosedAndAKeepAliveResetsIt() throws Exception {
        InetSocketAddress at = start(15284, b -> b); // default 300 s
        Socket s = connect("127.0.0.2", at);
        assertEquals("SIP/2.0 483 Too Many Hops", served(s));
        clock.advanceSeconds(200);
        send(s, "\r\n\r\n");
        Thread.sleep(300); // lets the loop read the keep-alive at the current time
        clock.advanceSeconds(200);
        assertFalse(closedWithin(s, 4 * SipProxyServer.TCP_CHECK_MS), "400 s open, 200 s since the keep-alive");
        clock.advanceSeconds(101);
        assertTrue(closedWithin(s, 3000), "301 s since the keep-alive");
        assertEquals(1, proxy.tcpCounters().closedIdle());
    }

    @Test
    void aMessageIncompleteForTheMessageTimeoutClosesTheConnectionThoughBytesTrickleIn() throws Exception {
        InetSocketAddress at = start(15285, b -> b); // default 10 s
        Socket s = connect("127.0.0.2", at);
        String m = options(s, 70, "", "0");
        send(s, m.substring(0, 40));
        Thread.sleep(300);
        clock.advanceSeconds(5);
        send(s, m.substring(40, 60)); // resets the idle time, not the message's
        Thread.sleep(300);
        clock.advanceSeconds(4);
        assertFalse(closedWithin(s, 4 * SipProxyServer.TCP_CHECK_MS), "9 s into the message");
        clock.advanceSeconds(2);
        assertTrue(closedWithin(s, 3000), "11 s into the message");
        assertEquals(1, proxy.tcpCounters().closedIncompleteMessage());
    }

    @Test
    void aPeerThatDoesNotReadIsClosedWhenItsBacklogPassesTheBound() throws Exception {
        InetSocketAddress at = start(15286, b -> b.tcpMaxWriteBufferBytes(64 * 1024));
        Socket s = new Socket();
        sockets.add(s);
        s.setReceiveBufferSize(4096);
        s.bind(new InetSocketAddress("127.0.0.2", 0));
        s.connect(at, 2000);
        StringBuilder vias = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            vias.append("Via: SIP/2.0/TCP 127.0.0.2:5060;branch=z9hG4bK-")
                    .append("v".repeat(60))
                    .append(i)
                    .append("\r\n");
        }
        long sent = 0;
        try {
            for (int i = 0; i < 5000; i++) { // each answered by a 483 of ~5 kB that the client never reads
                send(s, options(s, 0, vias.toString(), "0"));
                sent++;
            }
        } catch (IOException e) {
            // the proxy reset the connection: the writes fail
        }
        await(proxy.tcpCounters()::closedSlowReader, 1, "closed as a slow reader after " + sent + " requests");
        assertTrue(closedWithin(s, 10_000), "the client sees the connection closed");
    }

    @Test
    void aMessageOverTheSizeLimitIsAnswered513AndTheConnectionClosed() throws Exception {
        InetSocketAddress at = start(15287, b -> b);
        Socket s = connect("127.0.0.2", at);
        send(s, options(s, 70, "", "70000")); // over the default 65 535: refused before its body is buffered
        String status = readHead(s, 3000);
        assertNotNull(status, "an answer before the close");
        assertEquals("SIP/2.0 513 Message Too Large", status);
        assertTrue(closedWithin(s, 3000));
        assertEquals(1, proxy.tcpCounters().closedTooLarge());
    }

    @Test
    void theTcpSizeLimitIsConfigurable() throws Exception {
        InetSocketAddress at = start(15288, b -> b.tcpMaxMessageBytes(4000));
        Socket s = connect("127.0.0.2", at);
        send(s, options(s, 70, "", "5000"));
        assertEquals("SIP/2.0 513 Message Too Large", readHead(s, 3000));
        assertTrue(closedWithin(s, 3000));
        Socket t = connect("127.0.0.2", at);
        send(t, options(t, 0, "X-Pad: " + "p".repeat(3000) + "\r\n", "0")); // a 483 under the limit still works
        assertEquals("SIP/2.0 483 Too Many Hops", readHead(t, 3000));
        send(
                t,
                "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nX-Pad: " + "p".repeat(3000) + "\r\nX-Pad: " + "p".repeat(3000)
                        + "\r\n");
        assertTrue(closedWithin(t, 3000), "a header block over the limit: no answer, closed");
        assertEquals(2, proxy.tcpCounters().closedTooLarge());
    }
}
