package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingTableOwner;

/**
 * The engine's message path without sockets: forwarding, and the INVITE timers (retransmission, failover, timer
 * C, linger) on a clock the test moves by hand.
 */
class InMemoryPipelineTest {
    private static final InetSocketAddress CARRIER = new InetSocketAddress("127.0.0.1", 5070);
    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 5081);
    private static final String INVITE = "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport\r\n"
            + "From: <sip:a@127.0.0.1:5070>;tag=caller\r\n"
            + "To: <sip:service@127.0.0.1:5060>\r\n"
            + "Call-ID: c1@127.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:a@127.0.0.1:5070>\r\n"
            + "Max-Forwards: 70\r\n"
            + "Content-Length: 0\r\n\r\n";

    private record Sent(String text, InetSocketAddress to) {}

    private final List<Sent> sent = new ArrayList<>();
    private final List<InMemoryPipeline> pipelines = new ArrayList<>();
    private final List<String> unanswered = new CopyOnWriteArrayList<>();
    private final List<String> timeouts = new CopyOnWriteArrayList<>();
    private final ManualClock clock = new ManualClock();

    /** A pipeline writing to {@link #record}, closed after the test so its calls' buffers go back to the pool. */
    private InMemoryPipeline open(ProxyConfig cfg) {
        InMemoryPipeline p = new InMemoryPipeline(cfg, this::record);
        pipelines.add(p);
        return p;
    }

    @AfterEach
    void closePipelines() {
        pipelines.forEach(InMemoryPipeline::close);
    }

    private InMemoryPipeline pipeline(long t1Ms) {
        return open(config(List.of(Destination.of("pbx5081", "sip:127.0.0.1:5081")))
                .retransmitT1Ms(t1Ms)
                .failoverTimeoutMs(60_000)
                .ringTimeoutMs(60_000)
                .lingerMs(0)
                .build());
    }

    /** Forwarding to {@code destinations} on the test's clock, outcomes recorded. */
    private ProxyConfig.Builder config(List<Destination> destinations) {
        return ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                .destinations(destinations)
                .recordRouteSecret("in-memory pipeline test secret")
                .clock(clock)
                .outcomeListener(new ForwardingOutcomeListener() {
                    @Override
                    public void onResponse(InetSocketAddress destination, int statusCode, long latencyNs) {}

                    @Override
                    public void onTimeout(InetSocketAddress destination, long waitedNs) {
                        timeouts.add(destination + " after " + waitedNs / 1_000_000 + " ms");
                    }

                    @Override
                    public void onUnanswered(InetSocketAddress destination, long waitedNs) {
                        unanswered.add(destination + " after " + waitedNs / 1_000_000 + " ms");
                    }
                });
    }

    /** Moves the clock {@code ms} forward in steps of {@code stepMs}, ticking after each as the loop would. */
    private void runFor(InMemoryPipeline p, long ms, long stepMs) {
        for (long t = 0; t < ms; t += stepMs) {
            clock.advanceMs(stepMs);
            p.tick();
        }
    }

    private void record(ByteBuf out, InetSocketAddress to, boolean overTcp) {
        sent.add(new Sent(out.toString(StandardCharsets.US_ASCII), to));
        out.release();
    }

    /** A routing table with set 1 = {a: 5081, b: 5082} choosing by {@code algorithm}. */
    private static RoutingTableOwner twoPbxTable(Algorithm algorithm) {
        DestinationSetConfig.Builder set = DestinationSetConfig.builder(1).algorithm(algorithm);
        set.add(Destination.of("a", "sip:127.0.0.1:5081"));
        set.add(Destination.of("b", "sip:127.0.0.1:5082"));
        return new RoutingTableOwner(DispatcherConfig.builder().set(set.build()).build());
    }

    /** A pipeline choosing through {@code owner}'s set 1, as the reference proxy does; timers far away. */
    private InMemoryPipeline dispatcherPipeline(RoutingTableOwner owner) {
        return open(ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                .selector(new DispatcherNextHopSelector(owner, 1))
                .failoverTimeoutMs(60_000)
                .ringTimeoutMs(60_000)
                .recordRouteSecret("in-memory pipeline test secret")
                .build());
    }

    private List<String> sentTo(InetSocketAddress to) {
        return sent.stream().filter(s -> s.to().equals(to)).map(Sent::text).toList();
    }

    /** A datagram over the test's own array: not a counted buffer, so nothing to release. */
    private static ByteBuf bytes(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** The PBX's answer to {@code forwarded}: its Vias copied, a To tag added. */
    private static String answer(String forwarded, String status) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        for (String line : forwarded.split("\r\n")) {
            if (line.startsWith("Via:")
                    || line.startsWith("From:")
                    || line.startsWith("Call-ID:")
                    || line.startsWith("CSeq:")) {
                b.append(line).append("\r\n");
            } else if (line.startsWith("To:")) {
                b.append(line).append(";tag=pbx\r\n");
            }
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }

    @Test
    void forwardsTheInviteAndItsAnswerAndFreesTheCall() {
        InMemoryPipeline p = pipeline(500);
        p.receive(bytes(INVITE), CARRIER);
        assertTrue(sentTo(CARRIER).get(0).startsWith("SIP/2.0 100 Trying"), sent.toString());
        String forwarded = sentTo(PBX).get(0);
        assertTrue(forwarded.contains("Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKshS"), forwarded);
        assertTrue(forwarded.contains("Record-Route: <sip:127.0.0.1:5060;lr;shd="), forwarded);
        assertTrue(forwarded.contains("Max-Forwards: 69"), forwarded);
        assertEquals(1, p.activeCalls());

        p.receive(bytes(answer(forwarded, "200 OK")), PBX);
        String up = sentTo(CARRIER).get(1);
        assertTrue(up.startsWith("SIP/2.0 200 OK"), up);
        assertFalse(up.contains("z9hG4bKshS"), "our Via must be removed: " + up);
        p.tick();
        assertEquals(0, p.activeCalls());
    }

    @Test
    void retransmitsAnUnansweredInviteWithTheSameBytesAndReportsTheSilenceOnce() {
        InMemoryPipeline p = pipeline(10);
        p.receive(bytes(INVITE), CARRIER);
        clock.advanceMs(9);
        p.tick();
        assertEquals(1, sentTo(PBX).size(), "not before T1");
        clock.advanceMs(1);
        p.tick();
        assertEquals(2, sentTo(PBX).size(), "the first retransmission at T1");
        clock.advanceMs(19);
        p.tick();
        assertEquals(2, sentTo(PBX).size(), "the next one waits 2·T1");
        clock.advanceMs(1);
        p.tick();
        List<String> invites = sentTo(PBX);
        assertEquals(3, invites.size(), "the INVITE and two retransmissions");
        assertEquals(invites.get(0), invites.get(1), "a retransmission repeats the same bytes");
        assertEquals(invites.get(0), invites.get(2));
        assertEquals(List.of(PBX + " after 10 ms"), unanswered, "the silence is reported once per branch, at T1");

        p.receive(bytes(answer(invites.get(0), "100 Trying")), PBX); // any response ends retransmission
        runFor(p, 1_000, 10);
        assertEquals(3, sentTo(PBX).size(), "no retransmission after a response");
        assertEquals(1, p.activeCalls());
    }

    @Test
    void retransmitsEveryFourT1AfterTheSecondRetransmission() {
        InMemoryPipeline p = pipeline(10);
        p.receive(bytes(INVITE), CARRIER);
        runFor(p, 30, 10); // sent at 0, retransmitted at 10 and 30
        assertEquals(3, sentTo(PBX).size());
        runFor(p, 40, 10); // 70: 4·T1 after 30
        assertEquals(4, sentTo(PBX).size());
        runFor(p, 40, 10); // 110
        assertEquals(5, sentTo(PBX).size(), "the interval stays at 4·T1");
    }

    @Test
    void failsOverWhenTheFailoverTimerRunsOutAndAnswers503AfterTheLast() {
        InetSocketAddress other = new InetSocketAddress("127.0.0.1", 5082);
        InMemoryPipeline p = open(config(List.of(
                        Destination.of("pbx5081", "sip:127.0.0.1:5081"),
                        Destination.of("pbx5082", "sip:127.0.0.1:5082")))
                .retransmitT1Ms(0)
                .failoverTimeoutMs(2_000)
                .ringTimeoutMs(60_000)
                .retryAfterSeconds(7)
                .build());
        p.receive(bytes(INVITE), CARRIER);
        InetSocketAddress first = sent.get(sent.size() - 1).to();
        InetSocketAddress second = first.equals(PBX) ? other : PBX;
        runFor(p, 1_990, 10);
        assertEquals(0, sentTo(second).size(), "not before the failover timer");
        runFor(p, 10, 10);
        assertEquals(1, sentTo(second).size(), "the next destination at the failover timer");
        assertTrue(sentTo(second).get(0).startsWith("INVITE "), sentTo(second).get(0));
        assertEquals(List.of(first + " after 2000 ms"), timeouts);

        runFor(p, 2_000, 10);
        String last = sentTo(CARRIER).get(sentTo(CARRIER).size() - 1);
        assertTrue(last.startsWith("SIP/2.0 503 Service Unavailable"), last);
        assertTrue(last.contains("Retry-After: 7"), last);
        assertEquals(2, timeouts.size(), timeouts.toString());
        assertEquals(0, p.activeCalls());
    }

    @Test
    void cancelsARingingInviteAtTimerCAndAnswers487WhenTheCancelIsNotAnswered() {
        InMemoryPipeline p = open(config(List.of(Destination.of("pbx5081", "sip:127.0.0.1:5081")))
                .retransmitT1Ms(0)
                .failoverTimeoutMs(1_000)
                .ringTimeoutMs(5_000)
                .build());
        p.receive(bytes(INVITE), CARRIER);
        p.receive(bytes(answer(sentTo(PBX).get(0), "180 Ringing")), PBX);
        runFor(p, 4_990, 10);
        assertEquals(1, sentTo(PBX).size(), "ringing: no failover, no CANCEL before timer C");
        runFor(p, 10, 10);
        assertTrue(sentTo(PBX).get(1).startsWith("CANCEL "), sentTo(PBX).get(1));
        runFor(p, 1_000, 10);
        String last = sentTo(CARRIER).get(sentTo(CARRIER).size() - 1);
        assertTrue(last.startsWith("SIP/2.0 487 Request Terminated"), last);
        assertTrue(timeouts.isEmpty(), "a cancelled branch is no destination timeout: " + timeouts);
    }

    @Test
    void keepsAFinishedCallWhoseCallerRetransmitsForTheCallersTimerB() {
        InMemoryPipeline p = pipeline(500);
        p.receive(bytes(INVITE), CARRIER);
        p.receive(bytes(INVITE), CARRIER); // the caller missed our 100 Trying
        p.receive(bytes(answer(sentTo(PBX).get(0), "200 OK")), PBX);
        runFor(p, 31_990, 10); // just short of 64·T1
        p.receive(bytes(INVITE), CARRIER);
        assertEquals(1, sentTo(PBX).size(), "still absorbed: " + sentTo(PBX));
        runFor(p, 32_000, 10); // the copy just absorbed restarted the wait
        p.receive(bytes(INVITE), CARRIER);
        assertEquals(2, sentTo(PBX).size(), "after the caller's timer B a copy is a call of its own");
    }

    @Test
    void callsHoldALeaseOnTheirDestinationSoLeastCallsSeesThem() {
        RoutingTableOwner owner = twoPbxTable(Algorithm.LEAST_CALLS);
        InMemoryPipeline p = dispatcherPipeline(owner);
        java.util.function.ToIntFunction<String> live =
                id -> owner.table().entry(id).runtime().activeLeases();

        p.receive(bytes(INVITE), CARRIER);
        Sent first = sent.get(sent.size() - 1);
        p.receive(bytes(answer(first.text(), "200 OK")), first.to());
        assertEquals(1, live.applyAsInt("a") + live.applyAsInt("b"), "an answered call keeps its lease");

        p.receive(bytes(INVITE.replace("c1@", "c2@").replace("z9hG4bK-1", "z9hG4bK-2")), CARRIER);
        Sent second = sent.get(sent.size() - 1);
        assertFalse(second.to().equals(first.to()), "least calls: the idle destination gets the second call");
        p.receive(bytes(answer(second.text(), "486 Busy Here")), second.to());
        assertEquals(1, live.applyAsInt("a") + live.applyAsInt("b"), "a failed call gives its lease back");

        p.receive(bytes(INVITE.replace("c1@", "c3@").replace("z9hG4bK-1", "z9hG4bK-3")), CARRIER);
        assertEquals(second.to(), sent.get(sent.size() - 1).to(), "still the destination without a live call");

        p.receive(
                bytes(INVITE.replace("INVITE sip", "OPTIONS sip")
                        .replace("1 INVITE", "1 OPTIONS")
                        .replace("c1@", "o1@")
                        .replace("z9hG4bK-1", "z9hG4bK-o")),
                CARRIER);
        assertEquals(2, live.applyAsInt("a") + live.applyAsInt("b"), "an out-of-dialog OPTIONS is not a call");
    }

    @Test
    void anInviteWaitingOnADestinationThatGetsEjectedIsFailedOverAtOnce() {
        RoutingTableOwner owner = twoPbxTable(Algorithm.ROUND_ROBIN);
        InMemoryPipeline p = dispatcherPipeline(owner);
        p.receive(bytes(INVITE), CARRIER);
        Sent first = sent.get(sent.size() - 1);
        String firstId = first.to().getPort() == 5081 ? "a" : "b";
        p.tick();
        int before = sent.size();

        owner.setHealthState(firstId, DestinationState.INACTIVE); // health ejects it
        p.tick();
        Sent retry = sent.get(sent.size() - 1);
        assertEquals(before + 1, sent.size(), "re-sent at once, not after the 60 s failover timer");
        assertTrue(retry.text().startsWith("INVITE "), retry.text());
        assertFalse(retry.to().equals(first.to()), "to the other destination");

        p.tick(); // the table did not change again: nothing more
        assertEquals(before + 1, sent.size());
        p.receive(bytes(answer(retry.text(), "200 OK")), retry.to());
        assertTrue(sentTo(CARRIER).get(sentTo(CARRIER).size() - 1).startsWith("SIP/2.0 200 OK"));
    }

    @Test
    void absorbsALateInviteCopyFromACallerSeenRetransmittingBeforeTheAnswer() {
        InMemoryPipeline p = pipeline(500); // linger 0: a finished call is forgotten at the next tick...
        p.receive(bytes(INVITE), CARRIER);
        p.receive(bytes(INVITE), CARRIER); // ...unless its caller retransmits: it missed our 100 Trying
        p.receive(bytes(answer(sentTo(PBX).get(0), "200 OK")), PBX);
        p.tick();
        assertEquals(0, p.activeCalls());

        p.receive(bytes(INVITE), CARRIER); // it missed the 200 too, and goes on retransmitting
        p.tick();
        assertEquals(1, sentTo(PBX).size(), "the late copy is absorbed, not forwarded as a new call: " + sentTo(PBX));
        assertEquals(0, p.activeCalls());
        assertTrue(unanswered.isEmpty(), "no branch, so no silence to report: " + unanswered);
    }

    @Test
    void absorbsALateInviteCopyFromACallerFirstSeenRetransmittingAfterTheAnswer() {
        InMemoryPipeline p = pipeline(500);
        p.receive(bytes(INVITE), CARRIER);
        p.receive(bytes(answer(sentTo(PBX).get(0), "200 OK")), PBX);
        p.receive(bytes(INVITE), CARRIER); // a copy while the finished call lingers: absorbed, and...
        p.tick();
        p.receive(bytes(INVITE), CARRIER); // ...the call now lingers for the caller's whole timer B
        assertEquals(1, sentTo(PBX).size(), sentTo(PBX).toString());
        assertTrue(unanswered.isEmpty(), unanswered.toString());
    }

    @Test
    void forgetsAFinishedCallAfterTheLingerWhenItsCallerNeverRetransmitted() {
        InMemoryPipeline p = pipeline(500);
        p.receive(bytes(INVITE), CARRIER);
        p.receive(bytes(answer(sentTo(PBX).get(0), "200 OK")), PBX);
        p.tick();
        p.receive(bytes(INVITE), CARRIER); // the same bytes, after the (zero) linger: a call of its own
        assertEquals(2, sentTo(PBX).size(), "the table keeps states only as long as configured: " + sentTo(PBX));
    }

    @Test
    void doesNotRetransmitWhenTimerAIsOff() {
        InMemoryPipeline p = pipeline(0);
        p.receive(bytes(INVITE), CARRIER);
        runFor(p, 5_000, 10);
        assertEquals(1, sentTo(PBX).size());
        assertTrue(unanswered.isEmpty());
    }
}
