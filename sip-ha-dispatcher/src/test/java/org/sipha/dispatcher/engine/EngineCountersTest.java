package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sipha.dispatcher.engine.PipelineHarness.PBX;
import static org.sipha.dispatcher.engine.PipelineHarness.answer;
import static org.sipha.dispatcher.engine.PipelineHarness.invite;
import static org.sipha.dispatcher.engine.PipelineHarness.options;
import static org.sipha.dispatcher.engine.PipelineHarness.source;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.SipMethod;
import org.sipha.core.model.Destination;

/**
 * The engine's per-loop counters, as {@link EngineCounters} sums them: requests by method, responses sent by
 * class, refusals and failovers by reason, and per destination the requests forwarded to it and its responses.
 */
class EngineCountersTest {
    private static final InetSocketAddress CARRIER = source("192.0.2.1", 5060);
    private static final InetSocketAddress PBX2 = source("127.0.0.1", 5082);
    private final PipelineHarness h = new PipelineHarness();

    @AfterEach
    void closePipeline() {
        h.close();
    }

    private EngineCounters counters() {
        return h.pipeline.counters();
    }

    @Test
    void aCallCountsItsRequestsResponsesAndDestination() {
        h.start(h.config());
        h.receive(invite("call-1", CARRIER), CARRIER);
        String forwarded = h.sentTo(PBX).get(0);
        h.receive(answer(forwarded, "180 Ringing"), PBX);
        h.receive(answer(forwarded, "200 OK"), PBX);
        h.receive(answer(forwarded, "200 OK"), PBX); // a retransmission: relayed, not counted as the PBX's again

        EngineCounters c = counters();
        assertEquals(1, c.requests(SipMethod.INVITE));
        assertEquals(0, c.requests(SipMethod.BYE));
        assertEquals(2, c.responsesSent(1), "our 100 Trying and the relayed 180");
        assertEquals(2, c.responsesSent(2), "both 200s go upstream");
        assertEquals(1, c.forwardedTo("pbx"));
        assertEquals(1, c.responsesFrom("pbx", 1));
        assertEquals(1, c.responsesFrom("pbx", 2));
        assertEquals(0, c.forwardedTo("no such destination"));
    }

    @Test
    void statelessRequestsAreCountedByMethodAndDestination() {
        h.start(h.config());
        h.receive(options("sip:someone@example.com", "opt-1", CARRIER), CARRIER);
        assertEquals(1, counters().requests(SipMethod.OPTIONS));
        assertEquals(1, counters().forwardedTo("pbx"));
    }

    @Test
    void failoversAreCountedByCodeAndByTimeout() {
        h.start(h.config()
                .destinations(List.of(
                        Destination.of("pbx", "sip:127.0.0.1:5081"), Destination.of("pbx2", "sip:127.0.0.1:5082")))
                .failoverTimeoutMs(1000));
        h.receive(invite("code", CARRIER), CARRIER);
        String first = h.sent.get(h.sent.size() - 1).text();
        InetSocketAddress to = h.sent.get(h.sent.size() - 1).to();
        h.receive(answer(first, "503 Service Unavailable"), to);
        assertEquals(1, counters().failovers(Failover.CODE));
        String firstId = to.equals(PBX) ? "pbx" : "pbx2";
        assertEquals(1, counters().responsesFrom(firstId, 5));
        PipelineHarness.Sent second = h.sent.get(h.sent.size() - 1);
        h.receive(answer(second.text(), "200 OK"), second.to());

        h.receive(invite("timeout", CARRIER), CARRIER);
        h.clock.advanceMs(1500);
        h.pipeline.tick();
        assertEquals(1, counters().failovers(Failover.TIMEOUT));
        assertEquals(4, counters().forwardedTo("pbx") + counters().forwardedTo("pbx2"), "two calls, each tried twice");
    }

    @Test
    void requestsAnsweredWithAnErrorAreCountedAsRefusals() {
        h.start(h.config());
        h.receive(invite("mf", CARRIER).replace("Max-Forwards: 70", "Max-Forwards: 0"), CARRIER);
        h.receive(
                invite("loop", CARRIER)
                        .replaceFirst("Via: ", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKshS-own\r\nVia: "),
                CARRIER);
        h.receive(invite("bad", CARRIER).replace("CSeq: 1 INVITE", "CSeq: one INVITE"), CARRIER);
        assertEquals(1, counters().refusals(Refusal.MAX_FORWARDS));
        assertEquals(1, counters().refusals(Refusal.LOOP));
        assertEquals(1, counters().refusals(Refusal.MALFORMED));
        assertEquals(3, counters().requests(SipMethod.INVITE));
        assertEquals(3, counters().responsesSent(4), "483, 482 and 400");
        assertEquals(0, counters().forwardedTo("pbx"));
    }
}
