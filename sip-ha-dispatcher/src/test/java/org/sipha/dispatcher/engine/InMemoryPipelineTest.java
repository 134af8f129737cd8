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
import org.junit.jupiter.api.Test;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingTableOwner;

/** The engine's message path without sockets: forwarding, and INVITE retransmission over UDP (RFC 3261 timer A). */
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

    private record Sent(String text, InetSocketAddress to) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final List<String> unanswered = new CopyOnWriteArrayList<>();

    private InMemoryPipeline pipeline(long t1Ms) {
        ProxyConfig cfg = ProxyConfig.builder()
            .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
            .destinations(List.of(Destination.udp("127.0.0.1", 5081)))
            .recordRouteSecret("in-memory pipeline test secret")
            .retransmitT1Ms(t1Ms).failoverTimeoutMs(60_000).ringTimeoutMs(60_000).lingerMs(0)
            .outcomeListener(new ForwardingOutcomeListener() {
                @Override
                public void onResponse(InetSocketAddress destination, int statusCode, long latencyNs) {
                }

                @Override
                public void onTimeout(InetSocketAddress destination, long waitedNs) {
                }

                @Override
                public void onUnanswered(InetSocketAddress destination, long waitedNs) {
                    unanswered.add(destination + " after " + waitedNs / 1_000_000 + " ms");
                }
            })
            .build();
        return new InMemoryPipeline(cfg, this::record);
    }

    private void record(ByteBuf out, InetSocketAddress to, boolean overTcp) {
        sent.add(new Sent(out.toString(StandardCharsets.US_ASCII), to));
        out.release();
    }

    /** A routing table with set 1 = {a: 5081, b: 5082} choosing by {@code algorithm}. */
    private static RoutingTableOwner twoPbxTable(Algorithm algorithm) {
        DestinationSetConfig.Builder set = DestinationSetConfig.builder(1).algorithm(algorithm);
        set.add(org.sipha.core.model.Destination.of("a", "sip:127.0.0.1:5081"));
        set.add(org.sipha.core.model.Destination.of("b", "sip:127.0.0.1:5082"));
        return new RoutingTableOwner(DispatcherConfig.builder().set(set.build()).build());
    }

    /** A pipeline choosing through {@code owner}'s set 1, as the reference proxy does; timers far away. */
    private InMemoryPipeline dispatcherPipeline(RoutingTableOwner owner) {
        return new InMemoryPipeline(ProxyConfig.builder()
            .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
            .selector(new DispatcherNextHopSelector(owner, 1))
            .failoverTimeoutMs(60_000).ringTimeoutMs(60_000)
            .recordRouteSecret("in-memory pipeline test secret").build(), this::record);
    }

    private List<String> sentTo(InetSocketAddress to) {
        return sent.stream().filter(s -> s.to().equals(to)).map(Sent::text).toList();
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    /** The PBX's answer to {@code forwarded}: its Vias copied, a To tag added. */
    private static String answer(String forwarded, String status) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        for (String line : forwarded.split("\r\n")) {
            if (line.startsWith("Via:") || line.startsWith("From:") || line.startsWith("Call-ID:")
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
    void retransmitsAnUnansweredInviteWithTheSameBytesAndReportsTheSilenceOnce() throws InterruptedException {
        InMemoryPipeline p = pipeline(10);
        p.receive(bytes(INVITE), CARRIER);
        // bounded wait for timer A to fire twice (10 ms, then 20 ms later)
        for (int i = 0; i < 400 && sentTo(PBX).size() < 3; i++) {
            Thread.sleep(5);
            p.tick();
        }
        List<String> invites = sentTo(PBX);
        assertEquals(3, invites.size(), "the INVITE and two retransmissions");
        assertEquals(invites.get(0), invites.get(1), "a retransmission repeats the same bytes");
        assertEquals(invites.get(0), invites.get(2));
        assertEquals(1, unanswered.size(), "the silence is reported once per branch: " + unanswered);
        assertTrue(unanswered.get(0).startsWith(PBX.toString()), unanswered.toString());

        p.receive(bytes(answer(invites.get(0), "100 Trying")), PBX); // any response ends retransmission
        int before = sentTo(PBX).size();
        long until = System.nanoTime() + 100_000_000L; // 100 ms: timer A would have fired at least twice more
        while (System.nanoTime() < until) {
            Thread.sleep(5);
            p.tick();
        }
        assertEquals(before, sentTo(PBX).size(), "no retransmission after a response");
        assertEquals(1, p.activeCalls());
    }

    @Test
    void callsHoldALeaseOnTheirDestinationSoLeastCallsSeesThem() {
        RoutingTableOwner owner = twoPbxTable(Algorithm.LEAST_CALLS);
        InMemoryPipeline p = dispatcherPipeline(owner);
        java.util.function.ToIntFunction<String> live = id -> owner.table().entry(id).runtime().activeLeases();

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

        p.receive(bytes(INVITE.replace("INVITE sip", "OPTIONS sip").replace("1 INVITE", "1 OPTIONS")
            .replace("c1@", "o1@").replace("z9hG4bK-1", "z9hG4bK-o")), CARRIER);
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

        owner.setHealthState(firstId, org.sipha.core.model.DestinationState.INACTIVE); // health ejects it
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
    void doesNotRetransmitWhenTimerAIsOff() throws InterruptedException {
        InMemoryPipeline p = pipeline(0);
        p.receive(bytes(INVITE), CARRIER);
        long until = System.nanoTime() + 50_000_000L;
        while (System.nanoTime() < until) {
            Thread.sleep(5);
            p.tick();
        }
        assertEquals(1, sentTo(PBX).size());
        assertTrue(unanswered.isEmpty());
    }
}
