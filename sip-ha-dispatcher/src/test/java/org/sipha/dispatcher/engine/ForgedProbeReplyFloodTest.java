package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.spi.HealthProbeBranch;

/**
 * Over real sockets (proxy 127.0.0.1:15540, destination 127.0.0.1:15541, forger 127.0.0.2): while a probe is out, a
 * flood of forged replies with the probe's branch and Call-ID from another address, three times the reply queue's
 * capacity, is dropped before the queue; the destination's own reply then still reaches the health thread.
 */
class ForgedProbeReplyFloodTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 15540);
    private static final InetSocketAddress DESTINATION = new InetSocketAddress("127.0.0.1", 15541);
    private static final int FORGED = 3 * ProxyProbeTransport.QUEUE_CAPACITY;
    private static final String BRANCH = HealthProbeBranch.PREFIX + "0-1";

    private static String probe() {
        return "OPTIONS sip:127.0.0.1:15541 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:15540;branch=" + BRANCH + ";rport\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:hc@127.0.0.1>;tag=hc\r\nTo: <sip:127.0.0.1:15541>\r\n"
                + "Call-ID: sipha-hc-0-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    private static byte[] reply(String reason) {
        return ("SIP/2.0 200 " + reason + "\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:15540;branch=" + BRANCH + ";rport\r\n"
                        + "From: <sip:hc@127.0.0.1>;tag=hc\r\nTo: <sip:127.0.0.1:15541>;tag=uas\r\n"
                        + "Call-ID: sipha-hc-0-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void forgedRepliesFromAnotherAddressNeverReachTheQueueAndTheRealOneDoes() throws Exception {
        try (DatagramSocket destination = new DatagramSocket(DESTINATION);
                DatagramSocket forger = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                SipProxyServer proxy = SipProxyServer.start(ProxyConfig.builder()
                        .listenUdp(PROXY)
                        .eventLoops(2)
                        .destinations(List.of(Destination.of("pbx", "sip:127.0.0.1:15541")))
                        .recordRouteSecret("forged probe reply flood test")
                        .build())) {
            ProxyProbeTransport probes = proxy.probeTransport();
            assertTrue(probes.send(DESTINATION, ByteBuffer.wrap(probe().getBytes(StandardCharsets.US_ASCII))));
            destination.setSoTimeout(3000);
            DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
            destination.receive(in);

            byte[] forged = reply("Forged");
            for (int i = 0; i < FORGED; i++) {
                forger.send(new DatagramPacket(forged, forged.length, PROXY));
                if (i % 256 == 255) {
                    Thread.sleep(1); // paced, so the proxy's socket buffer holds the flood
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (probes.foreignReplies() < FORGED && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            byte[] real = reply("OK");
            destination.send(new DatagramPacket(real, real.length, PROXY));

            List<String> delivered = new ArrayList<>();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (delivered.stream().noneMatch(r -> r.contains(" 200 OK\r\n")) && System.nanoTime() < deadline) {
                probes.poll((from, b, off, len) -> delivered.add(from + " " + new String(b, off, len)), 100);
                Thread.sleep(5);
            }
            assertNotNull(
                    delivered.stream()
                            .filter(r -> r.contains(" 200 OK\r\n"))
                            .findFirst()
                            .orElse(null),
                    "the destination's reply never reached the health thread; delivered: " + delivered.size());
            for (String r : delivered) {
                assertTrue(r.startsWith(DESTINATION + " "), "a reply from elsewhere was delivered: " + r);
            }
            assertTrue(
                    probes.foreignReplies() > ProxyProbeTransport.QUEUE_CAPACITY,
                    "forged replies seen: " + probes.foreignReplies());
            assertEquals(0, probes.droppedReplies(), "replies dropped at a full queue");
        }
    }
}
