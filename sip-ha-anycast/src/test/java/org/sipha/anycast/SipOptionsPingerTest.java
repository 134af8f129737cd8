package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Real UDP on 127.0.0.65 (ports 25061-25063 and 25066), outside the 5060-5099 and 15060-15099 ranges of other
 * modules.
 */
class SipOptionsPingerTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.65", 0);

    @Test
    void anyFinalResponseCountsAsAlive() throws Exception {
        InetSocketAddress addr = new InetSocketAddress("127.0.0.65", 25061);
        try (SipOptionsResponder r = new SipOptionsResponder(addr);
                SipOptionsPinger p = new SipOptionsPinger(LOCAL, addr)) {
            r.start();
            SipOptionsPinger.Result res = p.ping(2_000);
            assertTrue(res.pass(), res.detail());
            assertEquals(200, res.statusCode());
        }
    }

    @Test
    void answer503CountsAsDownByDefaultAndTheDetailCarriesReasonAndWarning() throws Exception {
        InetSocketAddress addr = new InetSocketAddress("127.0.0.65", 25066);
        try (SipOptionsResponder r = new SipOptionsResponder(addr);
                SipOptionsPinger p = new SipOptionsPinger(LOCAL, addr)) {
            r.start();
            r.answer(
                    503,
                    "Service Unavailable",
                    "Reason: SIP;cause=503;text=\"no dispatcher destination\"",
                    "Warning: 399 kamailio \"draining\"");
            SipOptionsPinger.Result down = p.ping(2_000);
            assertFalse(down.pass(), down.detail());
            assertEquals(503, down.statusCode());
            assertTrue(
                    down.detail().startsWith("503 Service Unavailable to OPTIONS from 127.0.0.65:25066"),
                    down.detail());
            assertTrue(
                    down.detail().contains("Reason: SIP;cause=503;text=\"no dispatcher destination\""), down.detail());
            assertTrue(down.detail().contains("Warning: 399 kamailio \"draining\""), down.detail());

            r.answer(404, "Not Here"); // a Kamailio without an OPTIONS handler is alive
            SipOptionsPinger.Result alive = p.ping(2_000);
            assertTrue(alive.pass(), alive.detail());
            assertEquals(404, alive.statusCode());
            assertTrue(alive.detail().startsWith("404 Not Here to OPTIONS"), alive.detail());
        }
    }

    @Test
    void downCodesAreConfigurableAndAnEmptySetLeavesOnlySilenceAsDown() throws Exception {
        InetSocketAddress addr = new InetSocketAddress("127.0.0.65", 25066);
        try (SipOptionsResponder r = new SipOptionsResponder(addr);
                SipOptionsPinger range = new SipOptionsPinger(LOCAL, addr, SipStatusCodeSet.parse("500-599"));
                SipOptionsPinger none = new SipOptionsPinger(LOCAL, addr, SipStatusCodeSet.NONE)) {
            r.start();
            r.answer(500, "Server Internal Error");
            assertFalse(range.ping(2_000).pass());
            assertTrue(none.ping(2_000).pass());
            r.answer(503, "Service Unavailable");
            assertFalse(range.ping(2_000).pass());
            assertTrue(none.ping(2_000).pass());
            r.answer(600, "Busy Everywhere");
            assertTrue(range.ping(2_000).pass());
        }
    }

    @Test
    void skipsProvisionalAndForeignResponsesAndAccepts486() throws Exception {
        InetSocketAddress addr = new InetSocketAddress("127.0.0.65", 25062);
        try (DatagramSocket server = new DatagramSocket(addr);
                SipOptionsPinger p = new SipOptionsPinger(LOCAL, addr)) {
            Thread t = new Thread(() -> {
                try {
                    byte[] buf = new byte[4096];
                    DatagramPacket req = new DatagramPacket(buf, buf.length);
                    server.receive(req);
                    String text = new String(buf, 0, req.getLength(), StandardCharsets.US_ASCII);
                    String callId = text.lines()
                            .filter(l -> l.startsWith("Call-ID:"))
                            .findFirst()
                            .orElseThrow();
                    String via = text.lines()
                            .filter(l -> l.startsWith("Via:"))
                            .findFirst()
                            .orElseThrow();
                    send(
                            server,
                            req,
                            "SIP/2.0 200 OK\r\n" + via + "\r\nCall-ID: someone-else\r\nCSeq: 1 OPTIONS\r\n"
                                    + "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nContent-Length: 0\r\n\r\n");
                    send(server, req, "garbage\r\n\r\n");
                    send(
                            server,
                            req,
                            "SIP/2.0 100 Trying\r\n" + via + "\r\n" + callId + "\r\nCSeq: 1 OPTIONS\r\n"
                                    + "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nContent-Length: 0\r\n\r\n");
                    send(
                            server,
                            req,
                            "SIP/2.0 486 Busy Here\r\n" + via + "\r\n" + callId + "\r\nCSeq: 1 OPTIONS\r\n"
                                    + "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nContent-Length: 0\r\n\r\n");
                } catch (Exception e) {
                    // the assertion on the ping result reports the failure
                }
            });
            t.start();
            SipOptionsPinger.Result res = p.ping(3_000);
            t.join(5_000);
            assertTrue(res.pass(), res.detail());
            assertEquals(486, res.statusCode());
        }
    }

    @Test
    void closedPortFailsFastWithIcmpAndSilenceFailsAtTimeout() throws Exception {
        InetSocketAddress addr = new InetSocketAddress("127.0.0.65", 25063);
        try (SipOptionsPinger p = new SipOptionsPinger(LOCAL, addr)) {
            SipOptionsPinger.Result first = p.ping(1_000);
            SipOptionsPinger.Result second = p.ping(1_000);
            assertFalse(first.pass());
            assertFalse(second.pass());
            assertTrue(
                    (first.detail() + second.detail()).contains("unreachable"),
                    first.detail() + " / " + second.detail());
        }
        try (DatagramSocket silent = new DatagramSocket(addr);
                SipOptionsPinger p = new SipOptionsPinger(LOCAL, addr)) {
            SipOptionsPinger.Result res = p.ping(200);
            assertFalse(res.pass());
            assertTrue(res.detail().contains("within 200 ms"), res.detail());
        }
    }

    private static void send(DatagramSocket s, DatagramPacket to, String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, to.getSocketAddress()));
    }
}
