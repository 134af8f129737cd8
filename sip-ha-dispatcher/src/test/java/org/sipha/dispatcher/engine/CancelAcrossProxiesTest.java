package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * A CANCEL that reaches another proxy of the deployment than its INVITE did: two in-memory proxies sharing the
 * Record-Route key, in front of the same two PBXs. Proxy B sends the CANCEL to each PBX on the branch the INVITE had
 * there; the PBX that has the INVITE matches it.
 */
class CancelAcrossProxiesTest {
    private static final InetSocketAddress CARRIER = new InetSocketAddress("127.0.0.1", 5070);
    private static final InetSocketAddress PBX1 = new InetSocketAddress("127.0.0.1", 5081);
    private static final InetSocketAddress PBX2 = new InetSocketAddress("127.0.0.1", 5082);
    private static final String KEY = "deployment key shared by every proxy";

    private record Sent(String text, InetSocketAddress to) {}

    private final ManualClock clock = new ManualClock();
    private final List<Sent> fromA = new ArrayList<>();
    private final List<Sent> fromB = new ArrayList<>();
    private final List<InMemoryPipeline> pipelines = new ArrayList<>();

    @AfterEach
    void close() {
        pipelines.forEach(InMemoryPipeline::close);
    }

    private ProxyConfig.Builder config(int port, String key) {
        return ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", port))
                .destinations(List.of(
                        Destination.of("pbx1", "sip:127.0.0.1:5081"), Destination.of("pbx2", "sip:127.0.0.1:5082")))
                .recordRouteSecret(key)
                .retransmitT1Ms(0)
                .failoverTimeoutMs(2_000)
                .ringTimeoutMs(60_000)
                .lingerMs(5_000)
                .clock(clock);
    }

    private InMemoryPipeline open(ProxyConfig cfg, List<Sent> out) {
        InMemoryPipeline p = new InMemoryPipeline(cfg, (b, to, tcp) -> {
            out.add(new Sent(b.toString(StandardCharsets.US_ASCII), to));
            b.release();
        });
        pipelines.add(p);
        return p;
    }

    private InMemoryPipeline proxyA() {
        return open(config(5060, KEY).build(), fromA);
    }

    private InMemoryPipeline proxyB() {
        return open(config(5061, KEY).build(), fromB);
    }

    private static void receive(InMemoryPipeline p, String message, InetSocketAddress from) {
        ByteBuf b = Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII);
        try {
            p.receive(b, from);
        } finally {
            b.release();
        }
    }

    private static List<String> sentTo(List<Sent> out, InetSocketAddress to) {
        return out.stream().filter(s -> s.to().equals(to)).map(Sent::text).toList();
    }

    private static List<String> startingWith(List<Sent> out, InetSocketAddress to, String prefix) {
        return sentTo(out, to).stream().filter(t -> t.startsWith(prefix)).toList();
    }

    private static String request(String method, String callId) {
        return method + " sip:service@127.0.0.1:5060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-" + callId + ";rport\r\n"
                + "From: <sip:a@127.0.0.1:5070>;tag=caller\r\n"
                + "To: <sip:service@127.0.0.1:5060>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String branchOf(String message) {
        int b = message.indexOf("branch=") + "branch=".length();
        int end = b;
        while (end < message.length() && ";\r\n".indexOf(message.charAt(end)) < 0) {
            end++;
        }
        return message.substring(b, end);
    }

    /** The PBX that proxy A sent the INVITE of this test to, and what it sent. */
    private InetSocketAddress inviteTarget() {
        return startingWith(fromA, PBX1, "INVITE").isEmpty() ? PBX2 : PBX1;
    }

    private static InetSocketAddress other(InetSocketAddress pbx) {
        return pbx.equals(PBX1) ? PBX2 : PBX1;
    }

    @Test
    void aCancelThroughAnotherProxyReachesTheRingingPbxOnItsInvitesBranch() {
        InMemoryPipeline a = proxyA();
        InMemoryPipeline b = proxyB();
        receive(a, request("INVITE", "x1"), CARRIER);
        InetSocketAddress pbx = inviteTarget();
        String invite = startingWith(fromA, pbx, "INVITE").get(0);
        receive(a, PipelineHarness.answer(invite, "180 Ringing"), pbx);

        receive(b, request("CANCEL", "x1"), CARRIER);
        List<String> cancels = startingWith(fromB, pbx, "CANCEL");
        assertEquals(1, cancels.size(), fromB.toString());
        assertEquals(branchOf(invite), branchOf(cancels.get(0)), "RFC 3261 9.1: the CANCEL's branch is the INVITE's");
        List<String> toOther = startingWith(fromB, other(pbx), "CANCEL");
        assertEquals(1, toOther.size(), "the other PBX is asked too");
        assertNotEquals(branchOf(invite), branchOf(toOther.get(0)), "on the branch the INVITE would have had there");
        assertTrue(sentTo(fromB, CARRIER).isEmpty(), "the caller waits for a PBX's answer");

        receive(b, PipelineHarness.answer(toOther.get(0), "481 Call/Transaction Does Not Exist"), other(pbx));
        assertTrue(sentTo(fromB, CARRIER).isEmpty(), "one PBX does not know it: the other may");
        receive(b, PipelineHarness.answer(cancels.get(0), "200 OK"), pbx);
        List<String> up = sentTo(fromB, CARRIER);
        assertEquals(1, up.size(), up.toString());
        assertTrue(up.get(0).startsWith("SIP/2.0 200 OK\r\n") && up.get(0).contains("CSeq: 1 CANCEL"), up.get(0));

        receive(a, PipelineHarness.answer(invite, "487 Request Terminated"), pbx);
        assertEquals(1, startingWith(fromA, CARRIER, "SIP/2.0 487").size(), "the 487 reaches the caller through A");
        assertEquals(0, b.forgedResponses());
        assertEquals(0, a.forgedResponses());
    }

    @Test
    void afterFailoverTheCancelReachesTheSecondPbxOnItsBranch() {
        InMemoryPipeline a = proxyA();
        InMemoryPipeline b = proxyB();
        receive(a, request("INVITE", "x2"), CARRIER);
        InetSocketAddress first = inviteTarget();
        receive(a, PipelineHarness.answer(startingWith(fromA, first, "INVITE").get(0), "503 Busy"), first);
        List<String> second = startingWith(fromA, other(first), "INVITE");
        assertEquals(1, second.size(), "failed over: " + fromA);
        receive(a, PipelineHarness.answer(second.get(0), "180 Ringing"), other(first));

        receive(b, request("CANCEL", "x2"), CARRIER);
        String cancel = startingWith(fromB, other(first), "CANCEL").get(0);
        assertEquals(branchOf(second.get(0)), branchOf(cancel));
        receive(b, PipelineHarness.answer(cancel, "200 OK"), other(first));
        assertEquals(1, startingWith(fromB, CARRIER, "SIP/2.0 200 OK").size(), fromB.toString());
    }

    @Test
    void aCancelNoPbxKnowsGets481OnceEveryPbxRefusedIt() {
        InMemoryPipeline b = proxyB();
        receive(b, request("CANCEL", "nobody"), CARRIER);
        for (InetSocketAddress pbx : List.of(PBX1, PBX2)) {
            String cancel = startingWith(fromB, pbx, "CANCEL").get(0);
            receive(b, PipelineHarness.answer(cancel, "481 Call/Transaction Does Not Exist"), pbx);
        }
        List<String> up = sentTo(fromB, CARRIER);
        assertEquals(1, up.size(), up.toString());
        assertTrue(up.get(0).startsWith("SIP/2.0 481 "), up.get(0));

        receive(b, request("CANCEL", "nobody"), CARRIER); // retransmitted: the same answer, nothing sent on
        assertEquals(2, startingWith(fromB, CARRIER, "SIP/2.0 481 ").size());
        assertEquals(1, startingWith(fromB, PBX1, "CANCEL").size());
    }

    @Test
    void aCancelNoPbxAnswersGets481AtTheFailoverTimer() {
        InMemoryPipeline b = proxyB();
        receive(b, request("CANCEL", "silent"), CARRIER);
        receive(b, request("CANCEL", "silent"), CARRIER); // retransmitted: sent again to whoever did not answer
        assertEquals(2, startingWith(fromB, PBX1, "CANCEL").size());
        clock.advanceMs(1_990);
        b.tick();
        assertTrue(sentTo(fromB, CARRIER).isEmpty());
        clock.advanceMs(20);
        b.tick();
        assertEquals(1, startingWith(fromB, CARRIER, "SIP/2.0 481 ").size(), fromB.toString());
    }

    @Test
    void aForgedAnswerToTheForwardedCancelIsDroppedAndCounted() {
        InMemoryPipeline b = proxyB();
        receive(b, request("CANCEL", "forged"), CARRIER);
        String toPbx1 = startingWith(fromB, PBX1, "CANCEL").get(0);
        String toPbx2 = startingWith(fromB, PBX2, "CANCEL").get(0);
        receive(b, PipelineHarness.answer(toPbx1, "200 OK"), PBX2); // PBX1's branch answered from PBX2
        String mac = branchOf(toPbx2).substring(ViaCodec.MAC_OFFSET);
        String other = mac.charAt(0) == 'A' ? "B" + mac.substring(1) : "A" + mac.substring(1);
        receive(b, PipelineHarness.answer(toPbx2, "200 OK").replace(mac, other), PBX2); // a MAC changed
        assertTrue(sentTo(fromB, CARRIER).isEmpty(), fromB.toString());
        assertEquals(2, b.forgedResponses());
    }

    @Test
    void aCancelFromASourceTheAccessListRefusesGets481AndGoesNowhere() {
        InMemoryPipeline b = open(
                config(5061, KEY)
                        .accessList(SourceAccessList.of(List.of("192.0.2.0/24")))
                        .build(),
                fromB);
        receive(b, request("CANCEL", "stranger"), CARRIER);
        assertEquals(1, startingWith(fromB, CARRIER, "SIP/2.0 481 ").size(), fromB.toString());
        assertTrue(sentTo(fromB, PBX1).isEmpty() && sentTo(fromB, PBX2).isEmpty(), fromB.toString());
    }

    @Test
    void aCancelOverItsSourcesNewCallRateGets481AndGoesNowhere() {
        InMemoryPipeline b = open(
                config(5061, KEY)
                        .newCallsPerSecondPerSource(1)
                        .newCallBurstPerSource(1)
                        .build(),
                fromB);
        receive(b, request("CANCEL", "first"), CARRIER);
        assertEquals(1, startingWith(fromB, PBX1, "CANCEL").size(), "the first one is sent on");
        receive(b, request("CANCEL", "second"), CARRIER);
        assertEquals(1, startingWith(fromB, PBX1, "CANCEL").size(), "the second is over the rate: " + fromB);
        assertEquals(1, startingWith(fromB, CARRIER, "SIP/2.0 481 ").size(), fromB.toString());
        assertEquals(1, b.refusals(Refusal.NEW_CALL_RATE));
    }

    @Test
    void turnedOffAnUnknownCancelGets481AtOnce() {
        InMemoryPipeline b = open(config(5061, KEY).cancelAcrossProxies(false).build(), fromB);
        receive(b, request("CANCEL", "off"), CARRIER);
        assertEquals(List.of(CARRIER), fromB.stream().map(Sent::to).toList());
        assertTrue(fromB.get(0).text().startsWith("SIP/2.0 481 "), fromB.get(0).text());
    }

    @Test
    void aProxyWithAnotherKeyComputesAnotherBranch() {
        InMemoryPipeline a = proxyA();
        InMemoryPipeline b =
                open(config(5061, "a key this deployment does not share").build(), fromB);
        receive(a, request("INVITE", "x3"), CARRIER);
        InetSocketAddress pbx = inviteTarget();
        receive(b, request("CANCEL", "x3"), CARRIER);
        assertNotEquals(
                branchOf(startingWith(fromA, pbx, "INVITE").get(0)),
                branchOf(startingWith(fromB, pbx, "CANCEL").get(0)));
    }
}
