package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.model.Destination;

/**
 * RFC 3261 section 18.3: a message relayed onto TCP carries a Content-Length that delimits its body, whether or not
 * it had one when it came over UDP (where the datagram ends the body). Over real sockets on 127.0.0.1:15580-15585:
 * a UDP caller's INVITE without Content-Length reaches a TCP destination framed with its whole body; a UDP
 * destination's 200 without Content-Length reaches a TCP caller framed with its whole body. Nothing else follows on
 * the stream, so the body cannot be read as a further message.
 */
class StreamContentLengthTest {
    private static final String SDP =
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + "m=audio 4000 RTP/AVP 0\r\n";
    /** What a smuggler would put in a body: a whole request, which must stay body. */
    private static final String SMUGGLED = "BYE sip:victim@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.9\r\n\r\n";

    @Test
    void aUdpInviteWithoutContentLengthReachesATcpDestinationWithItsBodyDelimited() throws Exception {
        try (ServerSocket pbx = new ServerSocket();
                DatagramSocket caller = new DatagramSocket(new InetSocketAddress("127.0.0.1", 15582));
                SipProxyServer proxy = proxy(15580, "sip:127.0.0.1:15581;transport=tcp")) {
            pbx.bind(new InetSocketAddress("127.0.0.1", 15581));
            pbx.setSoTimeout(5000);
            byte[] invite = ("INVITE sip:service@127.0.0.1:15580 SIP/2.0\r\n"
                            + "Via: SIP/2.0/UDP 127.0.0.1:15582;branch=z9hG4bK-nocl;rport\r\n"
                            + "From: <sip:a@127.0.0.1:15582>;tag=a\r\nTo: <sip:service@127.0.0.1:15580>\r\n"
                            + "Call-ID: no-content-length@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
                            + "Contact: <sip:a@127.0.0.1:15582>\r\nMax-Forwards: 70\r\n"
                            + "Content-Type: application/sdp\r\n\r\n" + SDP + SMUGGLED)
                    .getBytes(StandardCharsets.US_ASCII);
            caller.send(new DatagramPacket(invite, invite.length, new InetSocketAddress("127.0.0.1", 15580)));
            try (Socket in = pbx.accept()) {
                SipMessageView v = readOneMessage(in);
                assertTrue(v.isRequest(), v.toString());
                assertEquals(SDP + SMUGGLED, v.body().toString());
                assertEquals(v.body().length(), v.contentLength());
            }
        }
    }

    @Test
    void aUdpResponseWithoutContentLengthReachesATcpCallerWithItsBodyDelimited() throws Exception {
        try (DatagramSocket pbx = new DatagramSocket(new InetSocketAddress("127.0.0.1", 15584));
                SipProxyServer proxy = proxy(15583, "sip:127.0.0.1:15584");
                Socket caller = new Socket()) {
            pbx.setSoTimeout(5000);
            caller.bind(new InetSocketAddress("127.0.0.1", 15585));
            caller.connect(new InetSocketAddress("127.0.0.1", 15583), 5000);
            caller.getOutputStream()
                    .write(("INVITE sip:service@127.0.0.1:15583;transport=tcp SIP/2.0\r\n"
                                    + "Via: SIP/2.0/TCP 127.0.0.1:15585;branch=z9hG4bK-tcpcaller\r\n"
                                    + "From: <sip:a@127.0.0.1:15585>;tag=a\r\nTo: <sip:service@127.0.0.1:15583>\r\n"
                                    + "Call-ID: tcp-caller@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
                                    + "Contact: <sip:a@127.0.0.1:15585;transport=tcp>\r\nMax-Forwards: 70\r\n"
                                    + "Content-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
            pbx.receive(p);
            String forwarded = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
            byte[] ok = ok(forwarded).getBytes(StandardCharsets.US_ASCII);
            pbx.send(new DatagramPacket(ok, ok.length, p.getSocketAddress()));

            SipMessageView trying = readOneMessage(caller);
            assertEquals(100, trying.statusCode(), trying.toString());
            SipMessageView answer = readOneMessage(caller);
            assertEquals(200, answer.statusCode(), answer.toString());
            assertEquals(SDP + SMUGGLED, answer.body().toString());
            assertEquals(answer.body().length(), answer.contentLength());
        }
    }

    private static SipProxyServer proxy(int port, String destination) {
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", port);
        return SipProxyServer.start(ProxyConfig.builder()
                .listenUdp(listen)
                .listenTcp(listen)
                .eventLoops(1)
                .destinations(List.of(Destination.of("pbx", destination)))
                .recordRouteSecret("stream content length test")
                .build());
    }

    /** The PBX's 200 to {@code request}: its Vias, dialog headers and an SDP body, with no Content-Length. */
    private static String ok(String request) {
        StringBuilder b = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : request.split("\r\n")) {
            if (line.startsWith("Via:")
                    || line.startsWith("From:")
                    || line.startsWith("Call-ID:")
                    || line.startsWith("CSeq:")
                    || line.startsWith("Record-Route:")) {
                b.append(line).append("\r\n");
            } else if (line.startsWith("To:")) {
                b.append(line).append(";tag=pbx\r\n");
            }
        }
        return b.append("Contact: <sip:pbx@127.0.0.1:15584>\r\nContent-Type: application/sdp\r\n\r\n")
                .append(SDP)
                .append(SMUGGLED)
                .toString();
    }

    /**
     * Reads from {@code s} until one message frames as a stream does (Content-Length delimits the body); fails on a
     * framing error. Bytes after it are kept for the next call.
     */
    private SipMessageView readOneMessage(Socket s) throws IOException {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        byte[] chunk = new byte[4096];
        while (true) {
            SipMessageView v = new SipMessageView();
            SipParseResult r = v.wrapStream(pending.toByteArray(), 0, pending.size());
            if (r == SipParseResult.OK) {
                byte[] all = pending.toByteArray();
                pending.reset();
                pending.write(all, v.frameLength(), all.length - v.frameLength());
                SipMessageView m = new SipMessageView();
                byte[] frame = Arrays.copyOf(all, v.frameLength());
                assertEquals(SipParseResult.OK, m.wrapStream(frame, 0, frame.length));
                return m;
            }
            assertEquals(
                    SipParseResult.INCOMPLETE,
                    r,
                    () -> "the stream does not frame: " + pending.toString(StandardCharsets.US_ASCII));
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                throw new AssertionError(
                        "no complete message within 5 s; have: " + pending.toString(StandardCharsets.US_ASCII));
            }
            if (n < 0) {
                throw new AssertionError("connection closed; have: " + pending.toString(StandardCharsets.US_ASCII));
            }
            pending.write(chunk, 0, n);
        }
    }

    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
}
