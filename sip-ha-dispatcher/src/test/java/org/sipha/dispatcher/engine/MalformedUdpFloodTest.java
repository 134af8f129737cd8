package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * The flood that raised the reference proxy's memory for good, over real UDP sockets on 127.0.0.1 (ports
 * 15240-15259): 3.5 KB OPTIONS with a malformed To from a source outside the access list and from one inside it,
 * and final responses without To to a live call. Sent in batches, each ended by a request every proxy answers
 * (Max-Forwards 0: 483) from the same source, so the batch has been read before the next one starts. Netty's
 * pooled memory must end where it started.
 */
class MalformedUdpFloodTest {
    private static final InetSocketAddress OUTSIDE_PROXY = new InetSocketAddress("127.0.0.1", 15240);
    private static final InetSocketAddress INSIDE_PROXY = new InetSocketAddress("127.0.0.1", 15241);
    private static final int CLIENT_PORT = 15250;
    private static final int BACKEND_PORT = 15251;
    /** Small enough that a batch's replies fit the client's receive buffer, so the sentinel's is not dropped. */
    private static final int BATCH = 100;

    private static final int WARM_UP_BATCHES = 20;
    private static final int FLOOD_BATCHES = 500; // 50,000 datagrams per proxy or kind

    private static SipProxyServer proxy(InetSocketAddress listen, String allowed) {
        return SipProxyServer.start(ProxyConfig.builder()
                .listenUdp(listen)
                .destinations(List.of(Destination.of("pbx" + BACKEND_PORT, "sip:127.0.0.1:" + BACKEND_PORT)))
                .accessList(SourceAccessList.of(List.of(allowed)))
                .recordRouteSecret("malformed udp flood test secret")
                .failoverTimeoutMs(600_000)
                .ringTimeoutMs(600_000)
                .eventLoops(2)
                .build());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The request that ends a batch: Max-Forwards 0, answered 483 by any proxy, whatever the source. */
    private static byte[] sentinel(String callId) {
        return ascii("OPTIONS sip:service@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-" + callId + "\r\n"
                + "From: <sip:sentinel@127.0.0.1>;tag=s\r\n"
                + "To: <sip:service@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Max-Forwards: 0\r\n"
                + "Content-Length: 0\r\n\r\n");
    }

    /** Sends {@code batches} batches of {@code datagram} to {@code to}, each ended by a sentinel it waits for. */
    private static void flood(DatagramSocket s, byte[] datagram, InetSocketAddress to, int batches, String tag)
            throws IOException {
        DatagramPacket p = new DatagramPacket(datagram, datagram.length, to);
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < BATCH; i++) {
                s.send(p);
            }
            String callId = "sentinel-" + tag + "-" + b;
            byte[] end = sentinel(callId);
            s.send(new DatagramPacket(end, end.length, to));
            awaitReplyTo(s, callId);
        }
    }

    /** Reads (and drops) replies until the one to {@code callId}; bounded by count and a receive timeout. */
    private static void awaitReplyTo(DatagramSocket s, String callId) throws IOException {
        byte[] buf = new byte[65_535];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        s.setSoTimeout(2_000);
        for (int n = 0; n < 10 * BATCH; n++) {
            try {
                s.receive(in);
            } catch (SocketTimeoutException e) {
                return; // the sentinel itself was dropped by a full socket buffer: the next batch waits on its own
            }
            String text = new String(buf, 0, in.getLength(), StandardCharsets.US_ASCII);
            if (text.startsWith("SIP/2.0 483") && text.contains("Call-ID: " + callId + "\r\n")) {
                return;
            }
        }
    }

    @Test
    void aFloodOfOptionsWithAMalformedToFromOutsideAndInsideTheAccessListLeavesPooledMemoryFlat() throws Exception {
        SipProxyServer outside = proxy(OUTSIDE_PROXY, "10.0.0.0/8"); // 127.0.0.1 is outside
        SipProxyServer inside = proxy(INSIDE_PROXY, "127.0.0.0/8");
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", CLIENT_PORT))) {
            byte[] badTo = ascii(MalformedFloodTest.padded(ErrorPathBufferReleaseTest.optionsWithMalformedTo(1)));
            PooledMemory.untracked(() -> {
                flood(client, badTo, OUTSIDE_PROXY, WARM_UP_BATCHES, "warm-out");
                flood(client, badTo, INSIDE_PROXY, WARM_UP_BATCHES, "warm-in");
                PooledMemory before = PooledMemory.now();
                flood(client, badTo, OUTSIDE_PROXY, FLOOD_BATCHES, "out");
                flood(client, badTo, INSIDE_PROXY, FLOOD_BATCHES, "in");
                before.assertFlat(PooledMemory.now(), 2 * FLOOD_BATCHES * BATCH + " OPTIONS with a malformed To");
            });
        } finally {
            outside.close();
            inside.close();
        }
    }

    @Test
    void aFloodOfFinalResponsesWithoutToToALiveCallLeavesPooledMemoryFlat() throws Exception {
        SipProxyServer proxy = proxy(INSIDE_PROXY, "127.0.0.0/8");
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", CLIENT_PORT));
                DatagramSocket backend = new DatagramSocket(new InetSocketAddress("127.0.0.1", BACKEND_PORT))) {
            byte[] invite = ascii(ErrorPathBufferReleaseTest.invite("udp-flood-call")
                    .replace("127.0.0.1:5070", "127.0.0.1:" + CLIENT_PORT));
            client.send(new DatagramPacket(invite, invite.length, INSIDE_PROXY));
            String forwarded = receiveRequest(backend);
            assertNotNull(forwarded, "the INVITE reached the backend");
            byte[] withoutTo = ascii(MalformedFloodTest.padded(
                    ErrorPathBufferReleaseTest.finalResponse(forwarded, "486 Busy Here", null)));
            PooledMemory.untracked(() -> {
                flood(backend, withoutTo, INSIDE_PROXY, WARM_UP_BATCHES, "warm-resp");
                PooledMemory before = PooledMemory.now();
                flood(backend, withoutTo, INSIDE_PROXY, FLOOD_BATCHES, "resp");
                before.assertFlat(PooledMemory.now(), FLOOD_BATCHES * BATCH + " final responses without To");
            });
            assertTrue(proxy.activeCalls() <= 1, "no call but the one the responses named");
        } finally {
            proxy.close();
        }
    }

    /** The first request that reaches {@code s} within 5 s, as text; null if none. */
    private static String receiveRequest(DatagramSocket s) throws IOException {
        byte[] buf = new byte[65_535];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        s.setSoTimeout(5_000);
        for (int n = 0; n < 10; n++) {
            try {
                s.receive(in);
            } catch (SocketTimeoutException e) {
                return null;
            }
            String text = new String(buf, 0, in.getLength(), StandardCharsets.US_ASCII);
            if (!text.startsWith("SIP/2.0")) {
                return text;
            }
        }
        return null;
    }
}
