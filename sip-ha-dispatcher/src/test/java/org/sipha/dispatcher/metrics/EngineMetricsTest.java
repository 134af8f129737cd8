package org.sipha.dispatcher.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.sipha.dispatcher.engine.SipProxyServer;

/**
 * The engine's meters follow its counters: an OPTIONS to the proxy itself over a real socket (127.0.0.1:15400)
 * moves the request and response counters, a drain the refusal gauge.
 */
class EngineMetricsTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 15400);

    @Test
    void metersReadTheLoopsCountersWhenRead() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SipProxyServer server = SipProxyServer.start(ProxyConfig.builder()
                        .listenUdp(PROXY)
                        .destinations(List.of(Destination.of("pbx", "sip:127.0.0.1:15401")))
                        .recordRouteSecret("engine metrics test secret, 32 bytes or more")
                        .build());
                DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 15402))) {
            new EngineMetrics(server).bindTo(registry);
            assertEquals(0, requests(registry, "OPTIONS"));

            byte[] options = ("OPTIONS sip:127.0.0.1:15400 SIP/2.0\r\n"
                            + "Via: SIP/2.0/UDP 127.0.0.1:15402;branch=z9hG4bK-metrics-1;rport\r\n"
                            + "From: <sip:probe@127.0.0.1:15402>;tag=m1\r\n"
                            + "To: <sip:127.0.0.1:15400>\r\n"
                            + "Call-ID: metrics-1\r\n"
                            + "CSeq: 1 OPTIONS\r\n"
                            + "Max-Forwards: 70\r\n"
                            + "Content-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(options, options.length, PROXY));
            client.setSoTimeout(5000);
            DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
            client.receive(reply);
            assertTrue(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII)
                    .startsWith("SIP/2.0 200"));

            assertEquals(1, requests(registry, "OPTIONS"));
            assertEquals(
                    1,
                    registry.get("sipha.responses.sent")
                            .tag("class", "2xx")
                            .functionCounter()
                            .count());
            assertEquals(
                    0,
                    registry.get("sipha.drops")
                            .tag("reason", "loop")
                            .functionCounter()
                            .count());
            assertEquals(0, registry.get("sipha.new.calls.refused").gauge().value());
            server.drain();
            assertEquals(1, registry.get("sipha.new.calls.refused").gauge().value());
        }
    }

    private static double requests(SimpleMeterRegistry registry, String method) {
        return registry.get("sipha.requests")
                .tag("method", method)
                .functionCounter()
                .count();
    }
}
