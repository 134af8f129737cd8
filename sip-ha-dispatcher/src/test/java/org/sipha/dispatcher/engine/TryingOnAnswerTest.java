package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.engine.PipelineHarness.PBX;
import static org.sipha.dispatcher.engine.PipelineHarness.answer;
import static org.sipha.dispatcher.engine.PipelineHarness.invite;
import static org.sipha.dispatcher.engine.PipelineHarness.source;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * {@link ProxyConfig#tryingOnAnswer()}: the caller hears nothing from the proxy until a destination has the call, so
 * an INVITE lost with the proxy is retransmitted by the caller; once the destination answers, the caller is quenched
 * exactly as with the 100 at once.
 */
class TryingOnAnswerTest {
    private static final InetSocketAddress CARRIER = source("192.0.2.1", 5060);
    private static final String TRYING = "SIP/2.0 100 Trying";
    private final PipelineHarness h = new PipelineHarness();

    @AfterEach
    void closePipeline() {
        h.close();
    }

    @Test
    void theCallerGetsNothingUntilTheDestinationAnswersThenOne100ForItsTrying() {
        h.start(h.config().tryingOnAnswer(true));
        h.receive(invite("c1", CARRIER), CARRIER);
        String forwarded = h.sentTo(PBX).get(0);
        assertTrue(h.sentTo(CARRIER).isEmpty(), "nothing upstream before the PBX speaks: " + h.sentTo(CARRIER));
        h.receive(answer(forwarded, "100 Trying"), PBX);
        assertEquals(1, h.countTo(CARRIER, TRYING), "our 100 once the PBX has the call");
        h.receive(answer(forwarded, "100 Trying"), PBX); // a repeated 100 from the PBX: nothing more
        h.receive(answer(forwarded, "180 Ringing"), PBX);
        h.receive(answer(forwarded, "200 OK"), PBX);
        assertEquals(1, h.countTo(CARRIER, TRYING));
        assertEquals(1, h.countTo(CARRIER, "SIP/2.0 180 Ringing"));
        assertEquals(1, h.countTo(CARRIER, "SIP/2.0 200 OK"));
    }

    @Test
    void anAnswerWithoutA100GoesUpAloneAndARetransmissionIsAnswered100() {
        h.start(h.config().tryingOnAnswer(true));
        h.receive(invite("c2", CARRIER), CARRIER);
        String forwarded = h.sentTo(PBX).get(0);
        h.receive(answer(forwarded, "200 OK"), PBX);
        assertEquals(
                List.of("SIP/2.0 200 OK"),
                h.sentTo(CARRIER).stream()
                        .map(m -> m.lines().findFirst().orElse(""))
                        .toList(),
                "a PBX that answers at once: its 200 is all the caller gets");

        h.receive(invite("c3", CARRIER), CARRIER);
        h.receive(invite("c3", CARRIER), CARRIER); // the PBX is silent: the caller retransmits and is quenched
        assertEquals(1, h.countTo(CARRIER, TRYING));
    }

    @Test
    void afterAFailoverTheNextDestinationsTryingStillQuenchesTheCaller() {
        h.start(h.config()
                .tryingOnAnswer(true)
                .destinations(List.of(
                        Destination.of("pbx", "sip:127.0.0.1:5081"), Destination.of("pbx2", "sip:127.0.0.1:5082")))
                .failoverTimeoutMs(1000));
        h.receive(invite("c4", CARRIER), CARRIER);
        PipelineHarness.Sent first = h.sent.get(h.sent.size() - 1);
        h.receive(answer(first.text(), "503 Service Unavailable"), first.to());
        PipelineHarness.Sent second = h.sent.get(h.sent.size() - 1);
        assertTrue(!second.to().equals(first.to()), "failed over");
        assertEquals(0, h.countTo(CARRIER, TRYING));
        h.receive(answer(second.text(), "100 Trying"), second.to());
        assertEquals(1, h.countTo(CARRIER, TRYING));
    }

    @Test
    void offByDefaultThe100GoesAtOnce() {
        h.start(h.config());
        h.receive(invite("c5", CARRIER), CARRIER);
        assertEquals(1, h.countTo(CARRIER, TRYING));
    }
}
