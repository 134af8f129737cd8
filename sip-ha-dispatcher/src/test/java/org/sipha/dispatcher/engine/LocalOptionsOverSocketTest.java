package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * Over a real socket (127.0.0.1:15320-15322): the proxy answers an OPTIONS naming itself 200 while it takes calls
 * and 503 with Retry-After and a Warning while it refuses them (quorum) or drains; no PBX sees the OPTIONS.
 */
class LocalOptionsOverSocketTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 15320);

    private static String options(String callId) {
        return "OPTIONS sip:127.0.0.1:15320 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:15321;branch=z9hG4bK-" + callId + ";rport\n"
                + "From: <sip:probe@127.0.0.1:15321>;tag=probe\n"
                + "To: <sip:127.0.0.1:15320>\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 1 OPTIONS\nMax-Forwards: 70\nContent-Length: 0\n\n";
    }

    private static String ask(RawSipSocket probe, String callId) throws Exception {
        probe.send(options(callId), PROXY);
        String answer = probe.receive(3000);
        assertNotNull(answer, "no answer to " + callId);
        assertTrue(answer.contains("Call-ID: " + callId), answer);
        return answer;
    }

    @Test
    void answersWhetherItTakesCalls() throws Exception {
        try (RawSipSocket probe = RawSipSocket.bind(15321);
                RawSipSocket pbx = RawSipSocket.bind(15322);
                SipProxyServer proxy = SipProxyServer.start(ProxyConfig.builder()
                        .listenUdp(PROXY)
                        .eventLoops(1)
                        .destinations(List.of(Destination.of("pbx", "sip:127.0.0.1:15322")))
                        .recordRouteSecret("local options socket test")
                        .retryAfterSeconds(4)
                        .build())) {
            String up = ask(probe, "up");
            assertTrue(up.startsWith("SIP/2.0 200 OK\r\n"), up);

            proxy.refuseNewCalls(true, 11);
            String refusing = ask(probe, "quorum-lost");
            assertTrue(refusing.startsWith("SIP/2.0 503 Service Unavailable\r\n"), refusing);
            assertTrue(refusing.contains("Retry-After: 11\r\n"), refusing);
            assertTrue(refusing.contains("Warning: 399 127.0.0.1:15320 \"refusing new calls\"\r\n"), refusing);

            proxy.refuseNewCalls(false, 0);
            assertTrue(ask(probe, "back").startsWith("SIP/2.0 200 OK"));

            proxy.drain();
            String draining = ask(probe, "draining");
            assertTrue(draining.startsWith("SIP/2.0 503 Service Unavailable\r\n"), draining);
            assertTrue(draining.contains("Retry-After: 4\r\n"), draining);
            assertTrue(draining.contains("Warning: 399 127.0.0.1:15320 \"draining\"\r\n"), draining);

            assertNull(pbx.receive(200), "no OPTIONS reached the PBX");
        }
    }
}
