package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.accounting.CallEvent;
import org.sipha.core.accounting.CallEventRings;
import org.sipha.core.model.Destination;
import org.sipha.core.spi.CallEventKind;

/**
 * Call accounting from the engine: per forwarded INVITE one OUTCOME (the final answer the caller got and the
 * destination that gave it), per answered call a START at the 2xx and a STOP at the BYE, whichever side sends the
 * BYE and whichever proxy sharing the Record-Route key routes it.
 */
class CallAccountingTest {
    private static final InetSocketAddress CARRIER = PipelineHarness.source("192.0.2.7", 5070);
    private static final InetSocketAddress PBX = PipelineHarness.PBX;
    private static final InetSocketAddress PBX2 = PipelineHarness.source("127.0.0.1", 5082);

    /** What the engine recorded, copied out of the ring. */
    record Ev(
            CallEventKind kind,
            int code,
            long cseq,
            String callId,
            String callerTag,
            String calleeTag,
            String callerUri,
            String calleeUri,
            InetSocketAddress dest,
            InetSocketAddress src) {
        static Ev of(CallEvent e) {
            return new Ev(
                    e.kind(),
                    e.sipCode(),
                    e.cseq(),
                    e.callId(),
                    e.callerTag(),
                    e.calleeTag(),
                    e.callerUri(),
                    e.calleeUri(),
                    e.destination(),
                    e.source());
        }
    }

    private final List<PipelineHarness> harnesses = new ArrayList<>();

    @AfterEach
    void close() {
        harnesses.forEach(PipelineHarness::close);
    }

    private PipelineHarness proxy(CallEventRings rings, List<Destination> destinations) {
        PipelineHarness h = new PipelineHarness();
        harnesses.add(h);
        return h.start(h.config().destinations(destinations).callAccounting(rings));
    }

    private PipelineHarness proxy(CallEventRings rings) {
        return proxy(rings, List.of(Destination.of("pbx", "sip:127.0.0.1:5081")));
    }

    private static List<Ev> drain(CallEventRings rings) {
        List<Ev> l = new ArrayList<>();
        rings.drain(e -> l.add(Ev.of(e)), 1000);
        return l;
    }

    private static String lastTo(PipelineHarness h, InetSocketAddress to) {
        List<String> l = h.sentTo(to);
        return l.get(l.size() - 1);
    }

    private static String recordRoute(String forwardedInvite) {
        return forwardedInvite
                .lines()
                .filter(l -> l.startsWith("Record-Route: "))
                .findFirst()
                .orElseThrow()
                .substring("Record-Route: ".length());
    }

    private static String bye(boolean fromCaller, String routes, String branch) {
        String via = fromCaller ? "192.0.2.7:5070" : "127.0.0.1:5081";
        return (fromCaller ? "BYE sip:service@127.0.0.1:5081" : "BYE sip:a@192.0.2.7:5070") + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + via + ";branch=z9hG4bK-" + branch + "\r\n"
                + "Route: " + routes + "\r\n"
                + (fromCaller
                        ? "From: <sip:a@192.0.2.7:5070>;tag=caller\r\nTo: <sip:service@127.0.0.1:5060>;tag=pbx\r\n"
                        : "From: <sip:service@127.0.0.1:5060>;tag=pbx\r\nTo: <sip:a@192.0.2.7:5070>;tag=caller\r\n")
                + "Call-ID: acc1\r\n"
                + "CSeq: 2 BYE\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static Ev ev(CallEventKind kind, int code, long cseq, String calleeTag, InetSocketAddress dest) {
        return new Ev(
                kind,
                code,
                cseq,
                "acc1",
                "caller",
                calleeTag,
                "sip:a@192.0.2.7:5070",
                "sip:service@127.0.0.1:5060",
                dest,
                CARRIER);
    }

    @Test
    void anAnsweredCallRecordsOutcomeAndStartAtThe200AndStopAtTheBye() {
        CallEventRings rings = new CallEventRings(64, 512);
        PipelineHarness p = proxy(rings);
        p.receive(PipelineHarness.invite("acc1", CARRIER), CARRIER);
        String forwarded = lastTo(p, PBX);
        p.receive(PipelineHarness.answer(forwarded, "200 OK"), PBX);
        assertEquals(
                List.of(ev(CallEventKind.OUTCOME, 200, 1, "pbx", PBX), ev(CallEventKind.START, 200, 1, "pbx", PBX)),
                drain(rings));
        p.receive(bye(true, recordRoute(forwarded), "bye1"), CARRIER);
        assertTrue(lastTo(p, PBX).startsWith("BYE "));
        assertEquals(List.of(ev(CallEventKind.STOP, 0, 2, "pbx", PBX)), drain(rings));
    }

    @Test
    void aByeFromTheCalleeThroughAnotherProxyRecordsTheSameStop() {
        CallEventRings first = new CallEventRings(64, 512);
        CallEventRings second = new CallEventRings(64, 512);
        PipelineHarness p1 = proxy(first);
        PipelineHarness p2 = proxy(second); // shares the Record-Route secret
        p1.receive(PipelineHarness.invite("acc1", CARRIER), CARRIER);
        String forwarded = lastTo(p1, PBX);
        p1.receive(PipelineHarness.answer(forwarded, "200 OK"), PBX);
        p2.receive(bye(false, recordRoute(forwarded), "bye2"), PBX);
        assertTrue(lastTo(p2, CARRIER).startsWith("BYE "), p2.sent.toString());
        assertEquals(List.of(ev(CallEventKind.STOP, 0, 2, "pbx", PBX)), drain(second), "caller and callee as in START");
        assertEquals(2, drain(first).size());
    }

    @Test
    void theAnswerToACallAnotherProxyForwardedIsRelayedAndRecordedAsItsOwnWouldBe() {
        CallEventRings first = new CallEventRings(64, 512);
        CallEventRings second = new CallEventRings(64, 512);
        PipelineHarness p1 = proxy(first);
        PipelineHarness p2 = proxy(second); // shares the Record-Route secret
        p1.receive(PipelineHarness.invite("acc1", CARRIER), CARRIER);
        String ok = PipelineHarness.answer(lastTo(p1, PBX), "200 OK");
        p2.receive(ok, PBX); // p1 died before the PBX answered: its answer reaches p2 (the anycast address moved)
        assertTrue(lastTo(p2, CARRIER).startsWith("SIP/2.0 200 OK"), p2.sent.toString());
        assertEquals(
                List.of(ev(CallEventKind.OUTCOME, 200, 1, "pbx", PBX), ev(CallEventKind.START, 200, 1, "pbx", PBX)),
                drain(second),
                "the records p1 would have written, the caller being where the answer went");
        assertTrue(drain(first).isEmpty(), "p1 recorded nothing yet");
    }

    @Test
    void aRetransmitted200RepeatsTheSameStartAndNoOutcome() {
        CallEventRings rings = new CallEventRings(64, 512);
        PipelineHarness p = proxy(rings);
        p.receive(PipelineHarness.invite("acc1", CARRIER), CARRIER);
        String ok = PipelineHarness.answer(lastTo(p, PBX), "200 OK");
        p.receive(ok, PBX);
        p.receive(ok, PBX);
        List<Ev> events = drain(rings);
        assertEquals(
                List.of(
                        ev(CallEventKind.OUTCOME, 200, 1, "pbx", PBX),
                        ev(CallEventKind.START, 200, 1, "pbx", PBX),
                        ev(CallEventKind.START, 200, 1, "pbx", PBX)),
                events);
    }

    @Test
    void aRefusedCallRecordsOneOutcomeAndNoStart() {
        CallEventRings rings = new CallEventRings(64, 512);
        PipelineHarness p = proxy(rings);
        p.receive(PipelineHarness.invite("acc1", CARRIER), CARRIER);
        String busy = PipelineHarness.answer(lastTo(p, PBX), "486 Busy Here");
        p.receive(busy, PBX);
        p.receive(busy, PBX); // retransmitted: ACKed again, nothing recorded
        assertEquals(List.of(ev(CallEventKind.OUTCOME, 486, 1, "pbx", PBX)), drain(rings));
    }

    @Test
    void aCallThatFailedOverRecordsOnlyItsFinalOutcomeAndTheDestinationThatGaveIt() {
        CallEventRings rings = new CallEventRings(64, 512);
        PipelineHarness p = proxy(
                rings, List.of(Destination.of("a", "sip:127.0.0.1:5081"), Destination.of("b", "sip:127.0.0.1:5082")));
        p.receive(PipelineHarness.invite("acc1", CARRIER), CARRIER);
        InetSocketAddress first = p.sent.get(p.sent.size() - 1).to();
        InetSocketAddress second = first.equals(PBX) ? PBX2 : PBX;
        p.receive(PipelineHarness.answer(lastTo(p, first), "503 Service Unavailable"), first);
        assertEquals(List.of(), drain(rings), "503 fails over: no outcome yet");
        p.receive(PipelineHarness.answer(lastTo(p, second), "486 Busy Here"), second);
        assertEquals(List.of(ev(CallEventKind.OUTCOME, 486, 1, "pbx", second)), drain(rings));
    }

    /**
     * The drill's hung PBX: the call fails over on timeout, the second PBX answers, then the first one's late 200
     * makes a second dialog. Each dialog gets its own START, and each BYE a STOP of the dialog its To tag names.
     */
    @Test
    void aLate200FromTheDestinationFailedOverFromStartsASecondDialogAndEachByeStopsItsOwnDialog() {
        CallEventRings rings = new CallEventRings(64, 512);
        PipelineHarness p = new PipelineHarness();
        harnesses.add(p);
        p.start(p.config()
                .destinations(
                        List.of(Destination.of("a", "sip:127.0.0.1:5081"), Destination.of("b", "sip:127.0.0.1:5082")))
                .failoverTimeoutMs(1_000)
                .callAccounting(rings));
        p.receive(PipelineHarness.invite("acc1", CARRIER), CARRIER);
        InetSocketAddress hung = p.sent.get(p.sent.size() - 1).to();
        InetSocketAddress taker = hung.equals(PBX) ? PBX2 : PBX;
        String toHung = lastTo(p, hung);
        p.clock.advanceMs(1_500);
        p.pipeline.tick();
        String toTaker = lastTo(p, taker);
        assertTrue(toTaker.startsWith("INVITE "), "failed over: " + p.sent);
        p.receive(PipelineHarness.answer(toTaker, "200 OK").replace(";tag=pbx", ";tag=taker"), taker);
        p.receive(PipelineHarness.answer(toHung, "200 OK").replace(";tag=pbx", ";tag=late"), hung);
        assertEquals(2, p.countTo(CARRIER, "SIP/2.0 200 "), "both 200s relayed to the caller");
        p.receive(bye(true, recordRoute(toTaker), "bye1").replace(";tag=pbx", ";tag=taker"), CARRIER);
        p.receive(bye(true, recordRoute(toHung), "bye2").replace(";tag=pbx", ";tag=late"), CARRIER);
        assertEquals(
                List.of(
                        ev(CallEventKind.OUTCOME, 200, 1, "taker", taker),
                        ev(CallEventKind.START, 200, 1, "taker", taker),
                        ev(CallEventKind.START, 200, 1, "late", hung),
                        ev(CallEventKind.STOP, 0, 2, "taker", taker),
                        ev(CallEventKind.STOP, 0, 2, "late", hung)),
                drain(rings));
    }

    @Test
    void aCallEveryDestinationRefusedRecordsTheProxys503() {
        CallEventRings rings = new CallEventRings(64, 512);
        PipelineHarness p = proxy(rings);
        p.receive(PipelineHarness.invite("acc1", CARRIER), CARRIER);
        p.receive(PipelineHarness.answer(lastTo(p, PBX), "503 Service Unavailable"), PBX);
        assertTrue(lastTo(p, CARRIER).startsWith("SIP/2.0 503 "));
        assertEquals(List.of(ev(CallEventKind.OUTCOME, 503, 1, "", PBX)), drain(rings), "answered by the proxy");
    }

    @Test
    void withoutAccountingNothingIsRecordedAndCallsGoOn() {
        PipelineHarness h = new PipelineHarness();
        harnesses.add(h);
        h.start(h.config());
        h.receive(PipelineHarness.invite("acc1", CARRIER), CARRIER);
        h.receive(PipelineHarness.answer(lastTo(h, PBX), "200 OK"), PBX);
        assertTrue(lastTo(h, CARRIER).startsWith("SIP/2.0 200 "));
    }
}
