package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * In-dialog requests are relayed only where the Record-Route token allows (see {@link DialogRouter}): its own
 * destination, the dialog's upstream, a configured destination, or an address the access list admits. The
 * token names the key that signed it; the previous key of a rotation is still accepted.
 */
class InDialogRelayPolicyTest {
    private static final InetSocketAddress CARRIER = new InetSocketAddress("127.0.0.1", 5070);
    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 5081);
    private static final InetSocketAddress OTHER_PBX = new InetSocketAddress("127.0.0.1", 5082);
    private static final InetSocketAddress FOREIGN = new InetSocketAddress("127.0.0.1", 5099);
    private static final String INVITE = "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport\r\n"
            + "From: <sip:a@127.0.0.1:5070>;tag=caller\r\n"
            + "To: <sip:service@127.0.0.1:5060>\r\n"
            + "Call-ID: d1@127.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:a@127.0.0.1:5070>\r\n"
            + "Max-Forwards: 70\r\n"
            + "Content-Length: 0\r\n\r\n";

    private record Sent(String text, InetSocketAddress to) {}

    private final List<Sent> sent = new ArrayList<>();
    private final List<InMemoryPipeline> opened = new ArrayList<>();

    @AfterEach
    void closePipelines() {
        opened.forEach(InMemoryPipeline::close); // their calls' stored INVITE copies go back to the pool
    }

    private ProxyConfig.Builder config(String secret) {
        return ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                .destinations(List.of(Destination.of("pbx5081", "sip:127.0.0.1:5081")))
                .recordRouteSecret(secret)
                .clock(new ManualClock());
    }

    private InMemoryPipeline pipeline(ProxyConfig.Builder b) {
        InMemoryPipeline p = new InMemoryPipeline(b.build(), (out, to, tcp) -> {
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

    /** Sends the INVITE through {@code p} to the PBX and returns the proxy's Record-Route entry (with the token). */
    private String recordRouteOfACall(InMemoryPipeline p) {
        receive(p, INVITE, CARRIER);
        String forwarded = sentTo(PBX).get(0);
        return forwarded
                .lines()
                .filter(l -> l.startsWith("Record-Route: "))
                .findFirst()
                .orElseThrow()
                .substring("Record-Route: ".length());
    }

    /** A BYE of dialog d1 from the caller (tags as in the INVITE) or from the callee (tags swapped). */
    private static String bye(boolean fromCaller, String requestUri, String routes) {
        String via = fromCaller ? "127.0.0.1:5070" : "127.0.0.1:5081";
        return "BYE " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + via + ";branch=z9hG4bK-bye\r\n"
                + "Route: " + routes + "\r\n"
                + (fromCaller
                        ? "From: <sip:a@127.0.0.1:5070>;tag=caller\r\nTo: <sip:service@127.0.0.1:5060>;tag=callee\r\n"
                        : "From: <sip:service@127.0.0.1:5060>;tag=callee\r\nTo: <sip:a@127.0.0.1:5070>;tag=caller\r\n")
                + "Call-ID: d1@127.0.0.1\r\n"
                + "CSeq: 2 BYE\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private void assertRefused(InetSocketAddress answeredTo, InetSocketAddress notReached) {
        List<String> answers = sentTo(answeredTo);
        assertTrue(
                !answers.isEmpty() && answers.get(answers.size() - 1).startsWith("SIP/2.0 403 "),
                "expected 403, sent: " + sent);
        assertEquals(
                List.of(),
                sentTo(notReached).stream().filter(s -> s.startsWith("BYE")).toList(),
                "relayed to " + notReached);
    }

    @Test
    void aCallerRequestWithAValidTokenAndAForeignRouteIsRefusedAndNotSent() {
        InMemoryPipeline p = pipeline(config("relay policy secret"));
        String rr = recordRouteOfACall(p);
        receive(p, bye(true, "sip:service@127.0.0.1:5081", rr + ", <sip:127.0.0.1:5099;lr>"), CARRIER);
        assertRefused(CARRIER, FOREIGN);
    }

    @Test
    void aCalleeRequestWhoseRequestUriPointsElsewhereIsRefusedAndNotSent() {
        InMemoryPipeline p = pipeline(config("relay policy secret"));
        String rr = recordRouteOfACall(p);
        receive(p, bye(false, "sip:a@127.0.0.1:5099", rr), PBX);
        assertRefused(PBX, FOREIGN);
    }

    @Test
    void aCalleeRequestReachesTheDialogsUpstream() {
        InMemoryPipeline p = pipeline(config("relay policy secret"));
        String rr = recordRouteOfACall(p);
        receive(p, bye(false, "sip:a@127.0.0.1:5070", rr), PBX);
        List<String> toCaller = sentTo(CARRIER);
        assertTrue(toCaller.get(toCaller.size() - 1).startsWith("BYE sip:a@127.0.0.1:5070 "), sent.toString());
    }

    @Test
    void aCallerRequestReachesTheTokensDestinationAndAForeignRouteToAConfiguredDestination() {
        InMemoryPipeline p = pipeline(config("relay policy secret")
                .destinations(List.of(
                        Destination.of("pbx5081", "sip:127.0.0.1:5081"),
                        Destination.of("pbx5082", "sip:127.0.0.1:5082"))));
        receive(p, INVITE, CARRIER);
        Sent invite = sent.get(sent.size() - 1);
        String rr = invite.text()
                .lines()
                .filter(l -> l.startsWith("Record-Route: "))
                .findFirst()
                .orElseThrow()
                .substring("Record-Route: ".length());
        receive(p, bye(true, "sip:service@127.0.0.1:5060", rr), CARRIER);
        assertEquals(invite.to(), sent.get(sent.size() - 1).to(), "to the token's destination");
        assertTrue(sent.get(sent.size() - 1).text().startsWith("BYE "), sent.toString());
        InetSocketAddress other = invite.to().equals(PBX) ? OTHER_PBX : PBX;
        receive(
                p,
                bye(
                        true,
                        "sip:service@127.0.0.1:5060",
                        rr + ", <sip:" + other.getHostString() + ':' + other.getPort() + ";lr>"),
                CARRIER);
        assertEquals(other, sent.get(sent.size() - 1).to(), "a configured destination may be named by a Route");
    }

    @Test
    void anAddressTheAccessListAdmitsMayBeTheTargetAndNoOther() {
        InMemoryPipeline p =
                pipeline(config("relay policy secret").accessList(SourceAccessList.of(List.of("127.0.0.1/32"))));
        String rr = recordRouteOfACall(p);
        receive(p, bye(false, "sip:a@127.0.0.1:5099", rr), PBX);
        assertTrue(sentTo(FOREIGN).get(0).startsWith("BYE "), "a carrier address the access list admits");
        receive(p, bye(false, "sip:a@127.0.0.2:5099", rr), PBX);
        assertRefused(PBX, new InetSocketAddress("127.0.0.2", 5099));
    }

    @Test
    void aTokenWhoseUpstreamWasChangedIsRefused() {
        InMemoryPipeline p = pipeline(config("relay policy secret"));
        String rr = recordRouteOfACall(p);
        assertTrue(rr.contains(";shu=127.0.0.1~5070;"), rr);
        receive(p, bye(false, "sip:a@127.0.0.1:5099", rr.replace(";shu=127.0.0.1~5070;", ";shu=127.0.0.1~5099;")), PBX);
        assertRefused(PBX, FOREIGN);
    }

    @Test
    void anAckThatWouldBeRelayedElsewhereIsDroppedWithoutAnswer() {
        InMemoryPipeline p = pipeline(config("relay policy secret"));
        String rr = recordRouteOfACall(p);
        int before = sent.size();
        receive(
                p,
                bye(true, "sip:service@127.0.0.1:5081", rr + ", <sip:127.0.0.1:5099;lr>")
                        .replace("BYE", "ACK")
                        .replace("2 ACK", "1 ACK"),
                CARRIER);
        assertEquals(before, sent.size(), "nothing relayed, nothing answered: " + sent);
    }

    @Test
    void aTokenSignedWithThePreviousKeyIsAcceptedAndOneWithAnUnknownKeyIsRefused() {
        String rr = recordRouteOfACall(pipeline(config("the first secret of the deployment")));
        sent.clear();
        InMemoryPipeline rotated = pipeline(config("the second secret of the deployment")
                .recordRoutePreviousSecret("the first secret of the deployment"));
        receive(rotated, bye(true, "sip:service@127.0.0.1:5081", rr), CARRIER);
        assertTrue(sentTo(PBX).get(0).startsWith("BYE "), "previous key accepted: " + sent);

        sent.clear();
        InMemoryPipeline rotatedTwice = pipeline(config("the third secret of the deployment")
                .recordRoutePreviousSecret("the second secret of the deployment"));
        receive(rotatedTwice, bye(true, "sip:service@127.0.0.1:5081", rr), CARRIER);
        assertRefused(CARRIER, PBX);
    }

    @Test
    void refusedRelaysAreCounted() {
        InMemoryPipeline p = pipeline(config("relay policy secret"));
        String rr = recordRouteOfACall(p);
        receive(p, bye(true, "sip:service@127.0.0.1:5081", rr + ", <sip:127.0.0.1:5099;lr>"), CARRIER);
        receive(p, bye(false, "sip:a@127.0.0.1:5099", rr), PBX);
        assertEquals(2, p.refusedRelays());
    }
}
