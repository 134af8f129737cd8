package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.AsciiView;
import org.sipha.core.model.Destination;

/**
 * Stateless in-dialog routing by the signed Record-Route token, over real sockets: a client on 15070, the proxy
 * on 15060, two plain UDP "backends" on 15081/15082 that record whatever reaches them.
 */
class RecordRouteTokenTest {
    private static final String SECRET = "token test secret";
    private static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 15060);
    private SipProxyServer proxy;
    private RawSipSocket client;
    private RawSipSocket backendA;
    private RawSipSocket backendB;

    @BeforeEach
    void start() throws Exception {
        proxy = SipProxyServer.start(ProxyConfig.builder()
                .listenUdp(PROXY)
                .destinations(List.of(
                        Destination.of("pbx15081", "sip:127.0.0.1:15081"),
                        Destination.of("pbx15082", "sip:127.0.0.1:15082")))
                .recordRouteSecret(SECRET)
                .eventLoops(2)
                .build());
        client = RawSipSocket.bind(15070);
        backendA = RawSipSocket.bind(15081);
        backendB = RawSipSocket.bind(15082);
    }

    @AfterEach
    void stop() {
        client.close();
        backendA.close();
        backendB.close();
        proxy.close();
    }

    /** Our Record-Route entry for dialog (Call-ID, caller's tag) to {@code dest}, its INVITE from {@code upstream}. */
    private static String route(String callId, String callerTag, String dest, String upstream) {
        RouteTokenSigner signer = new RouteTokenSigner(RouteTokenSigner.keyFromSecret(SECRET), null);
        StringBuilder sb = new StringBuilder("<sip:127.0.0.1:15060;lr;shd=");
        int destStart = sb.length();
        sb.append(dest);
        int destEnd = sb.length();
        sb.append(";shu=");
        int upStart = sb.length();
        sb.append(upstream);
        signer.appendSignature(view(callId), view(callerTag), sb, destStart, destEnd, upStart, sb.length());
        return sb.append('>').toString();
    }

    private static String forged(String route) {
        return route.replaceAll("shm=[^;>]*", "shm=AAAAAAAAAAAAAAAAAAAAAA");
    }

    private static AsciiView view(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return new AsciiView().wrap(b, 0, b.length);
    }

    private static String bye(String callId, String route, String fromTag, String toTag, String ruri, int viaPort) {
        return "BYE " + ruri + " SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + viaPort + ";branch=z9hG4bK-" + callId + "-" + viaPort + "\n"
                + (route == null ? "" : "Route: " + route + "\n")
                + "From: <sip:x@127.0.0.1>;tag=" + fromTag + "\n"
                + "To: <sip:y@127.0.0.1>;tag=" + toTag + "\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 2 BYE\nMax-Forwards: 70\nContent-Length: 0\n\n";
    }

    private void assertRejectedAndNotRelayed(String request) throws Exception {
        client.send(request, PROXY);
        String answer = client.receive(2000);
        assertNotNull(answer, "no answer to\n" + request);
        assertTrue(answer.startsWith("SIP/2.0 403 "), answer);
        assertNull(backendA.receive(200), "relayed to 15081");
        assertNull(backendB.receive(50), "relayed to 15082");
    }

    @Test
    void relaysACallerRequestWithAValidTokenToTheNamedDestination() throws Exception {
        client.send(
                bye(
                        "c1",
                        route("c1", "caller", "127.0.0.1~15081", "127.0.0.1~15070"),
                        "caller",
                        "callee",
                        "sip:y@10.9.9.9:5060",
                        15070),
                PROXY);
        String relayed = backendA.receive(2000);
        assertNotNull(relayed, "the BYE did not reach 15081");
        assertTrue(
                relayed.startsWith(
                        "BYE sip:y@10.9.9.9:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:15060;branch=z9hG4bKshL"),
                relayed);
        assertFalse(relayed.contains("Route:"), "our Route must be popped: " + relayed);
        assertTrue(relayed.contains("Max-Forwards: 69"), relayed);
        // the backend's 200 goes back by Via to the client
        String via = relayed.lines()
                .filter(l -> l.startsWith("Via: SIP/2.0/UDP 127.0.0.1:15060"))
                .findFirst()
                .orElseThrow();
        backendA.send(
                "SIP/2.0 200 OK\n" + via + "\nVia: SIP/2.0/UDP 127.0.0.1:15070;branch=z9hG4bK-c1-15070\n"
                        + "From: <sip:x@127.0.0.1>;tag=caller\nTo: <sip:y@127.0.0.1>;tag=callee\nCall-ID: c1\nCSeq: 2 BYE\n"
                        + "Content-Length: 0\n\n",
                PROXY);
        String ok = client.receive(2000);
        assertNotNull(ok, "the 200 did not come back");
        assertTrue(ok.startsWith("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:15070;"), ok);
    }

    @Test
    void relaysACalleeRequestTowardsTheCallersContact() throws Exception {
        // from the callee (the destination named in the token): From/To tags swapped, R-URI = caller's Contact
        backendA.send(
                bye(
                        "c2",
                        route("c2", "caller", "127.0.0.1~15081", "127.0.0.1~15070"),
                        "callee",
                        "caller",
                        "sip:x@127.0.0.1:15070",
                        15081),
                PROXY);
        String relayed = client.receive(2000);
        assertNotNull(relayed, "the callee's BYE did not reach the caller");
        assertTrue(relayed.startsWith("BYE sip:x@127.0.0.1:15070 SIP/2.0"), relayed);
    }

    @Test
    void rejectsAForgedToken() throws Exception {
        assertRejectedAndNotRelayed(bye(
                "c3",
                forged(route("c3", "caller", "127.0.0.1~15081", "127.0.0.1~15070")),
                "caller",
                "callee",
                "sip:y@127.0.0.1:15081",
                15070));
    }

    @Test
    void rejectsAMissingToken() throws Exception {
        assertRejectedAndNotRelayed(bye("c4", null, "caller", "callee", "sip:y@127.0.0.1:15081", 15070));
        assertRejectedAndNotRelayed(
                bye("c4b", "<sip:127.0.0.1:15060;lr>", "caller", "callee", "sip:y@127.0.0.1:15081", 15070));
    }

    @Test
    void rejectsATokenReplayedOnAnotherDialogOrRedirected() throws Exception {
        String r = route("c5", "caller", "127.0.0.1~15081", "127.0.0.1~15070");
        assertRejectedAndNotRelayed(bye("other-call", r, "caller", "callee", "sip:y@127.0.0.1:15081", 15070));
        assertRejectedAndNotRelayed(bye(
                "c5",
                r.replace("shd=127.0.0.1~15081", "shd=127.0.0.1~15082"),
                "caller",
                "callee",
                "sip:y@127.0.0.1:15081",
                15070));
    }

    @Test
    void dropsAnAckWithAForgedTokenSilently() throws Exception {
        String ack = bye(
                        "c6",
                        forged(route("c6", "caller", "127.0.0.1~15081", "127.0.0.1~15070")),
                        "caller",
                        "callee",
                        "sip:y@127.0.0.1:15081",
                        15070)
                .replace("BYE", "ACK");
        client.send(ack, PROXY);
        assertNull(backendA.receive(300), "relayed to 15081");
        assertNull(client.receive(50), "an ACK is never answered");
    }

    @Test
    void answers483WhenMaxForwardsIsZero() throws Exception {
        client.send(
                bye(
                                "c7",
                                route("c7", "caller", "127.0.0.1~15081", "127.0.0.1~15070"),
                                "caller",
                                "callee",
                                "sip:y@127.0.0.1:15081",
                                15070)
                        .replace("Max-Forwards: 70", "Max-Forwards: 0"),
                PROXY);
        String answer = client.receive(2000);
        assertNotNull(answer);
        assertEquals("SIP/2.0 483 Too Many Hops", answer.lines().findFirst().orElseThrow());
        assertNull(backendA.receive(200));
    }
}
