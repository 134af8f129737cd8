package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.spi.ForwardingOutcomeListener;

/**
 * The proxy attacked from outside over real sockets, after a real call through it: relaying through a dialog's
 * token, reflecting forged responses to a third party (over UDP, and by TCP connections the proxy would open), and
 * forging a live call's final response. Proxy on UDP and TCP 127.0.0.1:15200, caller on 15201, PBX on 15202, the
 * attacker on 15205; third parties listen on UDP 15209 and TCP 15210, 15211 and 15201.
 */
class OutsideAttackTest {
    private static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 15200);
    private final Queue<String> outcomes = new ConcurrentLinkedQueue<>();
    private SipProxyServer proxy;
    private RawSipSocket caller;
    private RawSipSocket pbx;
    private RawSipSocket attacker;
    private RawSipSocket thirdParty;

    @BeforeEach
    void start() throws IOException {
        proxy = SipProxyServer.start(ProxyConfig.builder()
                .listenUdp(PROXY)
                .listenTcp(PROXY)
                .destinations(List.of(Destination.of("pbx15202", "sip:127.0.0.1:15202")))
                .recordRouteSecret("outside attack test secret")
                .eventLoops(2)
                .retransmitT1Ms(0)
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
                .build());
        caller = RawSipSocket.bind(15201);
        pbx = RawSipSocket.bind(15202);
        attacker = RawSipSocket.bind(15205);
        thirdParty = RawSipSocket.bind(15209);
    }

    @AfterEach
    void stop() {
        caller.close();
        pbx.close();
        attacker.close();
        thirdParty.close();
        proxy.close();
    }

    private static String invite(String callId) {
        return "INVITE sip:service@127.0.0.1:15200 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:15201;branch=z9hG4bK-" + callId + ";rport\n"
                + "From: <sip:a@127.0.0.1:15201>;tag=caller-" + callId + "\n"
                + "To: <sip:service@127.0.0.1:15200>\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 1 INVITE\n"
                + "Contact: <sip:a@127.0.0.1:15201>\n"
                + "Max-Forwards: 70\n"
                + "Content-Length: 0\n\n";
    }

    /** The PBX's answer to {@code request} as received: Vias, Record-Route, From, Call-ID, CSeq; a To tag. */
    private static String answer(String request, String status) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append('\n');
        for (String line : request.split("\r\n")) {
            if (line.startsWith("Via:")
                    || line.startsWith("Record-Route:")
                    || line.startsWith("From:")
                    || line.startsWith("Call-ID:")
                    || line.startsWith("CSeq:")) {
                b.append(line).append('\n');
            } else if (line.startsWith("To:")) {
                b.append(line).append(";tag=pbx\n");
            }
        }
        return b.append("Contact: <sip:b@127.0.0.1:15202>\nContent-Length: 0\n\n")
                .toString();
    }

    private static String header(String message, String name) {
        return message.lines()
                .filter(l -> l.startsWith(name + ": "))
                .findFirst()
                .orElseThrow()
                .substring(name.length() + 2);
    }

    /** The next message on {@code s} that is not a 100 Trying (null if none within {@code ms}). */
    private static String receiveSkipping100(RawSipSocket s, int ms) throws IOException {
        String m;
        do {
            m = s.receive(ms);
        } while (m != null && m.startsWith("SIP/2.0 100 "));
        return m;
    }

    /** One real call, answered and acknowledged; returns the proxy's Record-Route entry (with its token). */
    private String establishCall(String callId) throws IOException {
        caller.send(invite(callId), PROXY);
        String forwarded = pbx.receive(3000);
        assertNotNull(forwarded, "the INVITE did not reach the PBX");
        pbx.send(answer(forwarded, "200 OK"), PROXY);
        String ok = receiveSkipping100(caller, 3000);
        assertNotNull(ok, "the 200 did not reach the caller");
        assertTrue(ok.startsWith("SIP/2.0 200 OK"), ok);
        String rr = header(forwarded, "Record-Route");
        caller.send(inDialog("ACK", callId, true, "sip:b@127.0.0.1:15202", rr, 1), PROXY);
        String ack = pbx.receive(3000);
        assertNotNull(ack, "the ACK did not reach the PBX");
        assertTrue(ack.startsWith("ACK sip:b@127.0.0.1:15202 "), ack);
        return rr;
    }

    private static String inDialog(
            String method, String callId, boolean fromCaller, String requestUri, String routes, int cseq) {
        String callerTag = "caller-" + callId;
        return method + " " + requestUri + " SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + (fromCaller ? 15201 : 15202) + ";branch=z9hG4bK-" + method + cseq
                + callId + "\n"
                + "Route: " + routes + "\n"
                + (fromCaller
                        ? "From: <sip:a@127.0.0.1>;tag=" + callerTag + "\nTo: <sip:service@127.0.0.1>;tag=pbx\n"
                        : "From: <sip:service@127.0.0.1>;tag=pbx\nTo: <sip:a@127.0.0.1>;tag=" + callerTag + "\n")
                + "Call-ID: " + callId + "\n"
                + "CSeq: " + cseq + " " + method + "\n"
                + "Max-Forwards: 70\n"
                + "Content-Length: 0\n\n";
    }

    private static String forged200(String topBranch, String secondVia) {
        return "SIP/2.0 200 OK\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:15200;branch=" + topBranch + "\n"
                + "Via: " + secondVia + "\n"
                + "From: <sip:x@127.0.0.1>;tag=x\nTo: <sip:y@127.0.0.1>;tag=y\n"
                + "Call-ID: forged-1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n";
    }

    /** A TCP listener on 127.0.0.1:{@code port} that must see no connection. */
    private static ServerSocket tcpListener(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
        return s;
    }

    private static void assertNoConnection(ServerSocket s, int ms) throws IOException {
        s.setSoTimeout(ms);
        try (Socket accepted = s.accept()) {
            throw new AssertionError("the proxy connected to " + s.getLocalSocketAddress() + " from "
                    + accepted.getRemoteSocketAddress());
        } catch (SocketTimeoutException expected) {
            // nothing connected
        }
    }

    @Test
    void aByeWithAValidTokenAndAForeignRouteIsRefusedAndNothingReachesTheForeignAddress() throws Exception {
        String rr = establishCall("relay-1");
        caller.send(
                inDialog("BYE", "relay-1", true, "sip:b@127.0.0.1:15202", rr + ", <sip:127.0.0.1:15209;lr>", 2), PROXY);
        String answer = caller.receive(3000);
        assertNotNull(answer);
        assertTrue(answer.startsWith("SIP/2.0 403 "), answer);
        pbx.send(inDialog("INFO", "relay-1", false, "sip:a@127.0.0.1:15209", rr, 3), PROXY); // "from the callee"
        answer = pbx.receive(3000);
        assertNotNull(answer);
        assertTrue(answer.startsWith("SIP/2.0 403 "), answer);
        assertNull(thirdParty.receive(300), "relayed to the foreign listener");
        assertEquals(2, proxy.relayAttemptsRefused());

        caller.send(inDialog("BYE", "relay-1", true, "sip:b@127.0.0.1:15202", rr, 4), PROXY);
        String bye = pbx.receive(3000);
        assertNotNull(bye, "the dialog's own BYE still goes through");
        assertTrue(bye.startsWith("BYE "), bye);
    }

    @Test
    void forgedResponsesNamingAThirdPartyReachNobodyOverUdpOrTcp() throws Exception {
        establishCall("reflect-1");
        try (ServerSocket tcpVictim = tcpListener(15210)) {
            for (String branch : List.of(
                    "z9hG4bKshL1f2e3d4c5b6a7988",
                    "z9hG4bKshLAAAAAAAAAAAAAAAA",
                    "z9hG4bKshSAAAAAAAAAAAAAAAA;shs=0.0.0.1",
                    "z9hG4bKshSAAAAAAAAAAAAAAAA")) {
                attacker.send(forged200(branch, "SIP/2.0/UDP 127.0.0.1:15209;branch=z9hG4bK-v"), PROXY);
                attacker.send(forged200(branch, "SIP/2.0/TCP 127.0.0.1:15210;branch=z9hG4bK-v"), PROXY);
            }
            try (Socket overTcp = new Socket("127.0.0.1", 15200)) { // the same, over a TCP connection to the proxy
                OutputStream out = overTcp.getOutputStream();
                out.write(forged200("z9hG4bKshL1f2e3d4c5b6a7988", "SIP/2.0/TCP 127.0.0.1:15210;branch=z9hG4bK-v")
                        .replace("\n", "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(forged200("z9hG4bKshL1f2e3d4c5b6a7988", "SIP/2.0/UDP 127.0.0.1:15209;branch=z9hG4bK-v")
                        .replace("\n", "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertNull(thirdParty.receive(500), "reflected to the third party over UDP");
                assertNoConnection(tcpVictim, 300);
            }
        }
        assertEquals(10, proxy.forgedResponsesDropped());
    }

    @Test
    void aResponseByViaOverTcpTakesOnlyAnExistingConnection() throws Exception {
        try (ServerSocket viaNamed = tcpListener(15211)) {
            caller.send(
                    "OPTIONS sip:service@127.0.0.1:15200 SIP/2.0\n"
                            + "Via: SIP/2.0/TCP 127.0.0.1:15211;branch=z9hG4bK-opt-tcp\n"
                            + "From: <sip:a@127.0.0.1>;tag=o\nTo: <sip:service@127.0.0.1>\nCall-ID: options-tcp\n"
                            + "CSeq: 1 OPTIONS\nMax-Forwards: 70\nContent-Length: 0\n\n",
                    PROXY);
            String forwarded = pbx.receive(3000);
            assertNotNull(forwarded, "the OPTIONS did not reach the PBX");
            pbx.send(answer(forwarded, "200 OK"), PROXY);
            assertNoConnection(viaNamed, 500);
        }
        assertEquals(1, proxy.tcpSendsWithoutConnection());
        assertEquals(0, proxy.forgedResponsesDropped(), "the PBX's answer was genuine");
    }

    @Test
    void anInDialogHopOverTcpToAnAddressThatIsNoDestinationIsNotConnectedTo() throws Exception {
        String rr = establishCall("tcp-hop-1");
        try (ServerSocket callerTcp = tcpListener(15201)) { // the dialog's upstream, but no destination of ours
            pbx.send(inDialog("BYE", "tcp-hop-1", false, "sip:a@127.0.0.1:15201;transport=tcp", rr, 2), PROXY);
            assertNoConnection(callerTcp, 500);
        }
        assertEquals(1, proxy.tcpSendsWithoutConnection());
    }

    @Test
    void aForgedFinalResponseForALiveCallFromAnotherSourceLeavesTheCallUnaffected() throws Exception {
        caller.send(invite("live-1"), PROXY);
        String forwarded = pbx.receive(3000);
        assertNotNull(forwarded, "the INVITE did not reach the PBX");
        attacker.send(answer(forwarded, "486 Busy Here"), PROXY); // its real branch, sniffed
        attacker.send(answer(forwarded, "200 OK"), PROXY);
        assertNull(receiveSkipping100(caller, 500), "a forged answer reached the caller");
        assertNull(attacker.receive(100), "the proxy acknowledged a forged answer");
        assertNull(pbx.receive(100), "the proxy cancelled or acknowledged on a forged answer");

        pbx.send(answer(forwarded, "180 Ringing"), PROXY);
        pbx.send(answer(forwarded, "200 OK"), PROXY);
        String ringing = receiveSkipping100(caller, 3000);
        assertNotNull(ringing);
        assertTrue(ringing.startsWith("SIP/2.0 180 Ringing"), ringing);
        String ok = receiveSkipping100(caller, 3000);
        assertNotNull(ok);
        assertTrue(ok.startsWith("SIP/2.0 200 OK"), ok);
        assertEquals(
                "15202:180,15202:200",
                outcomes.stream().collect(Collectors.joining(",")),
                "only the PBX's answers reach health checking");
        assertEquals(2, proxy.forgedResponsesDropped());
    }
}
