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
import org.sipha.core.spi.ForwardingOutcomeListener;

/**
 * Only responses to requests this proxy forwarded are relayed: a branch of ours carries a MAC over the request
 * and the address its response goes to, and a live call's response must come from where its branch went. A
 * forged response is dropped and counted, changes no call and reports nothing to health checking.
 */
class ResponseAuthenticationTest {
    private static final InetSocketAddress CARRIER = new InetSocketAddress("127.0.0.1", 5070);
    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 5081);
    private static final InetSocketAddress ATTACKER = new InetSocketAddress("127.0.0.1", 5066);
    private static final InetSocketAddress VICTIM = new InetSocketAddress("127.0.0.1", 5099);
    private static final String INVITE = "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport\r\n"
            + "From: <sip:a@127.0.0.1:5070>;tag=caller\r\n"
            + "To: <sip:service@127.0.0.1:5060>\r\n"
            + "Call-ID: r1@127.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:a@127.0.0.1:5070>\r\n"
            + "Max-Forwards: 70\r\n"
            + "Content-Length: 0\r\n\r\n";
    private static final String OPTIONS = INVITE.replace("INVITE sip", "OPTIONS sip")
            .replace("1 INVITE", "1 OPTIONS")
            .replace("r1@", "o1@")
            .replace("z9hG4bK-1", "z9hG4bK-o1");

    private record Sent(String text, InetSocketAddress to) {}

    private final List<Sent> sent = new ArrayList<>();
    private final List<InMemoryPipeline> opened = new ArrayList<>();

    @AfterEach
    void closePipelines() {
        opened.forEach(InMemoryPipeline::close); // their calls' stored INVITE copies go back to the pool
    }

    private final List<String> outcomes = new CopyOnWriteArrayList<>();
    private final ManualClock clock = new ManualClock();

    private InMemoryPipeline pipeline() {
        InMemoryPipeline p = new InMemoryPipeline(
                ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                        .destinations(List.of(Destination.of("pbx5081", "sip:127.0.0.1:5081")))
                        .recordRouteSecret("response authentication test secret")
                        .retransmitT1Ms(0)
                        .failoverTimeoutMs(60_000)
                        .ringTimeoutMs(60_000)
                        .lingerMs(0)
                        .clock(clock)
                        .outcomeListener(new ForwardingOutcomeListener() {
                            @Override
                            public void onResponse(InetSocketAddress destination, int statusCode, long latencyNs) {
                                outcomes.add(destination.getPort() + ":" + statusCode);
                            }

                            @Override
                            public void onTimeout(InetSocketAddress destination, long waitedNs) {
                                outcomes.add(destination.getPort() + ":timeout");
                            }
                        })
                        .build(),
                (out, to, tcp) -> {
                    sent.add(new Sent(out.toString(StandardCharsets.US_ASCII), to));
                    out.release();
                });
        opened.add(p);
        return p;
    }

    private List<String> sentTo(InetSocketAddress to) {
        return sent.stream().filter(s -> s.to().equals(to)).map(Sent::text).toList();
    }

    private static void receive(InMemoryPipeline p, String message, InetSocketAddress from) {
        ByteBuf b = Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII);
        try {
            p.receive(b, from);
        } finally {
            b.release();
        }
    }

    /** The PBX's answer to {@code forwarded}: its Vias, From, Call-ID and CSeq copied, a To tag added. */
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

    /** The proxy's branch on {@code forwarded} (its top Via). */
    private static String branchOf(String forwarded) {
        String via =
                forwarded.lines().filter(l -> l.startsWith("Via: ")).findFirst().orElseThrow();
        int b = via.indexOf("branch=") + "branch=".length();
        int end = via.indexOf(';', b);
        return via.substring(b, end < 0 ? via.length() : end);
    }

    private static String unsolicited200(String topBranch, String secondVia) {
        return "SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" + topBranch + "\r\n"
                + "Via: " + secondVia + "\r\n"
                + "From: <sip:a@127.0.0.1>;tag=x\r\nTo: <sip:b@127.0.0.1>;tag=y\r\n"
                + "Call-ID: forged@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    @Test
    void anUnsolicitedResponseWithAStatelessLookingBranchIsDropped() {
        InMemoryPipeline p = pipeline();
        receive(p, unsolicited200("z9hG4bKshL1a2b3c4d5e6f7", "SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-v"), ATTACKER);
        receive(
                p,
                unsolicited200("z9hG4bKshLAAAAAAAAAAAAAAAA", "SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-v"),
                ATTACKER);
        assertEquals(List.of(), sent, "nothing relayed");
        assertEquals(2, p.forgedResponses());
    }

    @Test
    void anUnsolicitedTwoHundredWithAStatefulLookingBranchIsDropped() {
        InMemoryPipeline p = pipeline();
        receive(
                p,
                unsolicited200("z9hG4bKshSAAAAAAAAAAAAAAAA;shs=0.0.5.1", "SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-v"),
                ATTACKER);
        assertEquals(List.of(), sent, "nothing relayed");
    }

    @Test
    void aStatelessResponseIsRelayedToItsRequester() {
        InMemoryPipeline p = pipeline();
        receive(p, OPTIONS, CARRIER);
        receive(p, answer(sentTo(PBX).get(0), "200 OK"), PBX);
        List<String> up = sentTo(CARRIER);
        assertEquals(1, up.size(), sent.toString());
        assertTrue(up.get(0).startsWith("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;"), up.get(0));
        assertEquals(0, p.forgedResponses());
    }

    @Test
    void aReceivedTheSenderWroteIsCorrectedSoTheResponseGoesToTheRealSource() {
        InMemoryPipeline p = pipeline();
        receive(p, OPTIONS.replace(";branch=z9hG4bK-o1;rport", ";received=127.0.0.9;branch=z9hG4bK-o1;rport"), CARRIER);
        String forwarded = sentTo(PBX).get(0);
        assertTrue(forwarded.contains("received=127.0.0.1"), forwarded);
        receive(p, answer(forwarded, "200 OK"), PBX);
        assertEquals(1, sentTo(CARRIER).size(), sent.toString());
        assertEquals(List.of(), sentTo(new InetSocketAddress("127.0.0.9", 5070)));
    }

    @Test
    void aStatelessBranchIsTheSameForARetransmission() {
        InMemoryPipeline p = pipeline();
        receive(p, OPTIONS, CARRIER);
        receive(p, OPTIONS, CARRIER);
        assertEquals(branchOf(sentTo(PBX).get(0)), branchOf(sentTo(PBX).get(1)));
    }

    @Test
    void aRealStatelessBranchCannotSendItsResponseElsewhere() {
        InMemoryPipeline p = pipeline();
        receive(p, OPTIONS, CARRIER);
        String forged = answer(sentTo(PBX).get(0), "200 OK")
                .replace(
                        "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-o1;rport=5070",
                        "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-o1;rport=5099");
        assertTrue(forged.contains("5099"), forged);
        receive(p, forged, ATTACKER);
        receive(p, forged.replace("SIP/2.0/UDP 127.0.0.1:5099", "SIP/2.0/TCP 127.0.0.1:5099"), ATTACKER);
        assertEquals(List.of(), sentTo(VICTIM));
        assertEquals(2, p.forgedResponses());
    }

    @Test
    void aForgedFinalResponseForALiveCallFromAnotherSourceChangesNothing() {
        InMemoryPipeline p = pipeline();
        receive(p, INVITE, CARRIER);
        String invite = sentTo(PBX).get(0);
        int sentBefore = sent.size();
        receive(p, answer(invite, "486 Busy Here"), ATTACKER); // the real branch, sniffed, from elsewhere
        receive(p, answer(invite, "200 OK"), ATTACKER);
        assertEquals(sentBefore, sent.size(), "no ACK, nothing upstream: " + sent.subList(sentBefore, sent.size()));
        assertEquals(List.of(), outcomes, "nothing reported to health checking");
        assertEquals(1, p.activeCalls());
        assertEquals(2, p.forgedResponses());

        receive(p, answer(invite, "200 OK"), PBX);
        List<String> up = sentTo(CARRIER);
        assertTrue(up.get(up.size() - 1).startsWith("SIP/2.0 200 OK"), up.toString());
        assertEquals(List.of("5081:200"), outcomes);
    }

    @Test
    void aStatefulBranchWithAnAlteredMacIsDroppedEvenFromTheDestination() {
        InMemoryPipeline p = pipeline();
        receive(p, INVITE, CARRIER);
        String invite = sentTo(PBX).get(0);
        String branch = branchOf(invite);
        char last = branch.charAt(branch.length() - 1);
        String altered = branch.substring(0, branch.length() - 1) + (last == 'A' ? 'B' : 'A');
        int sentBefore = sent.size();
        receive(p, answer(invite, "486 Busy Here").replace(branch, altered), PBX);
        receive(p, answer(invite, "486 Busy Here").replace(branch, branch + ".x"), PBX);
        assertEquals(
                sentBefore, sent.size(), sent.subList(sentBefore, sent.size()).toString());
        assertEquals(1, p.activeCalls());
        assertEquals(List.of(), outcomes);
    }

    @Test
    void aTwoHundredRetransmittedAfterTheCallStateExpiredStillReachesTheCaller() {
        InMemoryPipeline p = pipeline();
        receive(p, INVITE, CARRIER);
        String ok = answer(sentTo(PBX).get(0), "200 OK");
        receive(p, ok, PBX);
        p.tick(); // linger 0: the call state is freed
        assertEquals(0, p.activeCalls());
        receive(p, ok, PBX);
        List<String> up = sentTo(CARRIER).stream()
                .filter(s -> s.startsWith("SIP/2.0 200"))
                .toList();
        assertEquals(2, up.size(), sent.toString());
        receive(p, ok, ATTACKER);
        assertEquals(
                2,
                sentTo(CARRIER).stream()
                        .filter(s -> s.startsWith("SIP/2.0 200"))
                        .count(),
                "not from another source");
    }

    @Test
    void theAnswerToAnAbandonedBranchIsAcceptedOnlyFromWhereThatBranchWent() {
        InetSocketAddress second = new InetSocketAddress("127.0.0.1", 5082);
        InMemoryPipeline p = new InMemoryPipeline(
                ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                        .destinations(List.of(
                                Destination.of("pbx5081", "sip:127.0.0.1:5081"),
                                Destination.of("pbx5082", "sip:127.0.0.1:5082")))
                        .recordRouteSecret("response authentication test secret")
                        .retransmitT1Ms(0)
                        .failoverTimeoutMs(1_000)
                        .ringTimeoutMs(60_000)
                        .clock(clock)
                        .build(),
                (out, to, tcp) -> {
                    sent.add(new Sent(out.toString(StandardCharsets.US_ASCII), to));
                    out.release();
                });
        opened.add(p);
        receive(p, INVITE, CARRIER);
        Sent first = sent.get(sent.size() - 1);
        for (int i = 0; i < 100; i++) { // the failover timer: the other destination gets the INVITE
            clock.advanceMs(10);
            p.tick();
        }
        InetSocketAddress next = first.to().equals(PBX) ? second : PBX;
        assertEquals(1, sentTo(next).size(), sent.toString());
        receive(p, answer(first.text(), "200 OK"), next); // the abandoned branch's answer, from the wrong place
        assertFalse(sentTo(CARRIER).stream().anyMatch(s -> s.startsWith("SIP/2.0 200")), sent.toString());
        receive(p, answer(first.text(), "200 OK"), first.to()); // from where it went: the late answer wins
        assertTrue(sentTo(CARRIER).stream().anyMatch(s -> s.startsWith("SIP/2.0 200")), sent.toString());
    }
}
