package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * A destination's {@code socket=udp:IP:PORT} (Kamailio's dispatcher attribute), over real sockets: the proxy listens
 * on 0.0.0.0:15330 and 127.0.0.2:15330 (a site node's wildcard and anycast sockets) and calls come to 127.0.0.2;
 * requests to a PBX with {@code socket=udp:127.0.0.2:15330} leave from that address (INVITE and the ACK of its
 * failure), to one with {@code socket=udp:0.0.0.0:15330} from the host's own address, to one without from the socket
 * the call came on; answers to either address reach the call.
 */
class SendsFromSocketTest {
    private static final InetSocketAddress PUBLIC = new InetSocketAddress("127.0.0.1", 15330);
    private static final InetSocketAddress SITE = new InetSocketAddress("127.0.0.2", 15330);

    private static String invite(String callId) {
        return "INVITE sip:service@127.0.0.1:15330 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:15333;branch=z9hG4bK-" + callId + ";rport\r\n"
                + "From: <sip:a@127.0.0.1:15333>;tag=a\r\n"
                + "To: <sip:service@127.0.0.1:15330>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    }

    /** The PBX's answer to {@code request}: its Via, From, To (with a tag), Call-ID and CSeq copied. */
    private static String answer(String request, String status) {
        StringBuilder b = new StringBuilder("SIP/2.0 " + status + "\r\n");
        for (String line : request.split("\r\n")) {
            String l = line.toLowerCase(java.util.Locale.ROOT);
            if (l.startsWith("via:") || l.startsWith("from:") || l.startsWith("call-id:") || l.startsWith("cseq:")) {
                b.append(line).append("\r\n");
            } else if (l.startsWith("to:")) {
                b.append(line).append(";tag=pbx\r\n");
            }
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }

    private static DatagramPacket receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
        s.setSoTimeout(3000);
        s.receive(p);
        return p;
    }

    /** A packet within 1 s, or null. */
    private static DatagramPacket poll(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
        s.setSoTimeout(1000);
        try {
            s.receive(p);
            return p;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private static String text(DatagramPacket p) {
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    private static void send(DatagramSocket s, String m, InetSocketAddress to) throws Exception {
        byte[] b = m.getBytes(StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, to));
    }

    @Test
    void requestsToADestinationWithASocketLeaveFromThatListenAddress() throws Exception {
        // as a site node: a wildcard socket and the anycast one (here 127.0.0.2); calls come to the anycast address
        InetSocketAddress wildcard = new InetSocketAddress("0.0.0.0", 15330);
        Destination site = Destination.builder("sip:127.0.0.1:15331")
                .id("site")
                .attribute("socket", "udp:127.0.0.2:15330")
                .build();
        Destination other = Destination.builder("sip:127.0.0.1:15332")
                .id("other")
                .attribute("socket", "udp:0.0.0.0:15330")
                .build();
        Destination plain = Destination.of("plain", "sip:127.0.0.1:15334");
        try (DatagramSocket caller = new DatagramSocket(15333, InetAddress.getByName("127.0.0.1"));
                DatagramSocket sitePbx = new DatagramSocket(15331, InetAddress.getByName("127.0.0.1"));
                DatagramSocket otherPbx = new DatagramSocket(15332, InetAddress.getByName("127.0.0.1"));
                DatagramSocket plainPbx = new DatagramSocket(15334, InetAddress.getByName("127.0.0.1"));
                SipProxyServer proxy = SipProxyServer.start(ProxyConfig.builder()
                        .listenUdp(wildcard)
                        .listenUdp(SITE)
                        .advertised("127.0.0.2", 15330)
                        .eventLoops(1)
                        .destinations(List.of(site, other, plain))
                        .recordRouteSecret("sends from socket test secret")
                        .retransmitT1Ms(0)
                        .failoverTimeoutMs(30_000) // the test looks for each INVITE at one PBX after the other
                        .ringTimeoutMs(30_000)
                        .build())) {
            int[] calls = new int[3];
            for (int i = 0; i < 6; i++) {
                send(caller, invite("call-" + i), SITE);
                assertTrue(text(receive(caller)).startsWith("SIP/2.0 100 Trying"));
                DatagramSocket[] pbxs = {sitePbx, otherPbx, plainPbx};
                int which = -1;
                DatagramPacket in = null;
                for (int k = 0; k < 3 && in == null; k++) {
                    in = poll(pbxs[k]);
                    which = k;
                }
                assertTrue(in != null, "call " + i + " reached a PBX");
                calls[which]++;
                if (which == 0) {
                    assertEquals(SITE, in.getSocketAddress(), "the INVITE leaves from socket=");
                    send(sitePbx, answer(text(in), "486 Busy Here"), SITE); // answered to the address it came from
                    DatagramPacket ack = receive(sitePbx);
                    assertTrue(text(ack).startsWith("ACK "), text(ack));
                    assertEquals(SITE, ack.getSocketAddress(), "so does the ACK of its failure");
                    assertTrue(text(receive(caller)).startsWith("SIP/2.0 486"), "the answer reaches the caller");
                } else if (which == 1) {
                    assertEquals(PUBLIC, in.getSocketAddress(), "socket= the wildcard: the host's own address");
                    send(otherPbx, answer(text(in), "200 OK"), PUBLIC);
                    assertTrue(text(receive(caller)).startsWith("SIP/2.0 200 OK"));
                } else {
                    assertEquals(SITE, in.getSocketAddress(), "no socket=: the socket the call came on");
                    send(plainPbx, answer(text(in), "200 OK"), SITE);
                    assertTrue(text(receive(caller)).startsWith("SIP/2.0 200 OK"));
                }
            }
            assertArrayEquals(new int[] {2, 2, 2}, calls, "round robin");

            // health probes take the same way as the calls
            ProxyProbeTransport probes = proxy.probeTransport();
            java.nio.ByteBuffer options = java.nio.ByteBuffer.wrap(
                    "OPTIONS sip:127.0.0.1 SIP/2.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(probes.send(new InetSocketAddress("127.0.0.1", 15331), options.duplicate()));
            assertEquals(SITE, receive(sitePbx).getSocketAddress(), "a probe to the site PBX leaves from socket=");
            assertTrue(probes.send(new InetSocketAddress("127.0.0.1", 15332), options.duplicate()));
            assertEquals(PUBLIC, receive(otherPbx).getSocketAddress(), "to the other from the wildcard socket");
            sitePbx.setSoTimeout(200);
            DatagramPacket extra = new DatagramPacket(new byte[8192], 8192);
            try {
                sitePbx.receive(extra);
                throw new AssertionError("nothing more expected: " + text(extra));
            } catch (SocketTimeoutException expected) {
                // the 486 was ACKed once
            }
        }
    }

    @Test
    void aMalformedSocketIsRefusedNamingIt() {
        Destination tcp = Destination.builder("sip:127.0.0.1:15331;transport=tcp")
                .attribute("socket", "udp:127.0.0.2:15330")
                .build();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ProxyConfig.requireForwardable(tcp));
        assertTrue(e.getMessage().contains("only UDP destinations"), e.getMessage());
        for (String bad : List.of("127.0.0.2:15330", "udp:127.0.0.2", "udp:host.example:5060", "udp:127.0.0.2:0")) {
            Destination d = Destination.builder("sip:127.0.0.1:15331")
                    .attribute("socket", bad)
                    .build();
            IllegalArgumentException x =
                    assertThrows(IllegalArgumentException.class, () -> ProxyConfig.requireForwardable(d), bad);
            assertTrue(x.getMessage().startsWith("socket="), x.getMessage());
        }
        assertEquals(
                new InetSocketAddress("::1", 5060),
                ProxyConfig.sendsFrom(Destination.builder("sip:127.0.0.1:15331")
                        .attribute("socket", "udp:[::1]:5060")
                        .build()));
    }
}
