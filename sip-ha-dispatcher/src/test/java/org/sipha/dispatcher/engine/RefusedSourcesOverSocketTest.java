package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * Over real sockets (127.0.0.1:15323-15325): a source outside the access list, or over its rate, gets no answer
 * and reaches no PBX, and the server counts it; the 503 reply mode answers the rate-limited request instead.
 */
class RefusedSourcesOverSocketTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 15323);

    private static String invite(String callId) {
        return "INVITE sip:service@127.0.0.1:15323 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:15324;branch=z9hG4bK-" + callId + ";rport\n"
                + "From: <sip:a@127.0.0.1:15324>;tag=a\n"
                + "To: <sip:service@127.0.0.1:15323>\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 1 INVITE\nMax-Forwards: 70\nContent-Length: 0\n\n";
    }

    private static ProxyConfig.Builder config() {
        return ProxyConfig.builder()
                .listenUdp(PROXY)
                .eventLoops(1)
                .destinations(List.of(Destination.of("pbx", "sip:127.0.0.1:15325")))
                .recordRouteSecret("refused sources socket test")
                .retryAfterSeconds(3)
                .retransmitT1Ms(0);
    }

    @Test
    void aSourceOutsideTheAccessListGetsNoAnswer() throws Exception {
        try (RawSipSocket caller = RawSipSocket.bind(15324);
                RawSipSocket pbx = RawSipSocket.bind(15325);
                SipProxyServer proxy =
                        SipProxyServer.start(config().accessList(SourceAccessList.of(List.of("10.0.0.0/8")))
                                .build())) {
            caller.send(invite("outsider-1"), PROXY);
            caller.send(invite("outsider-2"), PROXY);
            assertNull(caller.receive(500), "no answer: a 403 would reflect at any claimed address");
            assertNull(pbx.receive(100), "nothing may reach a backend");
            assertEquals(2, proxy.refusals(Refusal.ACCESS_LIST));
        }
    }

    @Test
    void aSourceOverItsNewCallRateIsDroppedOrAnswered503AsConfigured() throws Exception {
        try (RawSipSocket caller = RawSipSocket.bind(15324);
                RawSipSocket pbx = RawSipSocket.bind(15325)) {
            try (SipProxyServer proxy = SipProxyServer.start(config().newCallsPerSecondPerSource(1)
                    .newCallBurstPerSource(1)
                    .build())) {
                caller.send(invite("first"), PROXY);
                assertTrue(caller.receive(3000).startsWith("SIP/2.0 100 Trying"));
                assertNotNull(pbx.receive(3000), "the first call is forwarded");
                caller.send(invite("second"), PROXY);
                assertNull(caller.receive(500), "over the rate: dropped without an answer");
                assertNull(pbx.receive(100));
                assertEquals(1, proxy.refusals(Refusal.NEW_CALL_RATE));
            }
            try (SipProxyServer proxy = SipProxyServer.start(config().newCallsPerSecondPerSource(1)
                    .newCallBurstPerSource(1)
                    .answerRateLimitedWith503(true)
                    .build())) {
                caller.send(invite("third"), PROXY);
                assertTrue(caller.receive(3000).startsWith("SIP/2.0 100 Trying"));
                caller.send(invite("fourth"), PROXY);
                String answer = caller.receive(3000);
                assertNotNull(answer);
                assertTrue(answer.startsWith("SIP/2.0 503 Service Unavailable"), answer);
                assertTrue(answer.contains("Retry-After: 3"), answer);
                assertEquals(1, proxy.refusals(Refusal.NEW_CALL_RATE));
            }
        }
    }
}
