package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.model.Destination;
import org.sipha.testsupport.NettyLeaks;

/**
 * Every pooled buffer the engine takes for a message it writes goes back to the pool when the message cannot be
 * written: a reply to a request whose To is malformed, an ACK or CANCEL whose To source has none, an edit the
 * editor cannot apply; and the calls in flight release their stored INVITE when the pipeline closes. Each test
 * ends by collecting Netty's leak reports (the module runs with the detector at PARANOID).
 */
class ErrorPathBufferReleaseTest {
    private static final InetSocketAddress CARRIER = new InetSocketAddress("127.0.0.1", 5070);
    private static final InetSocketAddress SCANNER = new InetSocketAddress("203.0.113.9", 5060);
    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 5081);

    private final List<String> sent = new ArrayList<>();
    private final List<InMemoryPipeline> pipelines = new ArrayList<>();

    @AfterEach
    void closePipelinesAndCheckForLeaks() {
        pipelines.forEach(InMemoryPipeline::close);
        NettyLeaks.assertNoLeaks();
    }

    private ProxyConfig.Builder config() {
        return ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                .destinations(List.of(Destination.of("pbx5081", "sip:127.0.0.1:5081")))
                .accessList(SourceAccessList.of(List.of("127.0.0.0/8")))
                .recordRouteSecret("error path buffer release test secret")
                .clock(new ManualClock());
    }

    private InMemoryPipeline pipeline() {
        InMemoryPipeline p = new InMemoryPipeline(config().build(), (out, to, tcp) -> {
            sent.add(out.toString(StandardCharsets.US_ASCII));
            out.release();
        });
        pipelines.add(p);
        return p;
    }

    /** As the event loop delivers a datagram: what the engine throws is logged and dropped there. */
    private static RuntimeException receive(InMemoryPipeline p, String text, InetSocketAddress from) {
        try {
            p.receive(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII)), from);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    static String optionsWithMalformedTo(int n) {
        return "OPTIONS sip:service@127.0.0.1:5060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK-scan-" + n + "\r\n"
                + "From: <sip:scan@203.0.113.9>;tag=s" + n + "\r\n"
                + "To: <sip:a@b\r\n"
                + "Call-ID: scan-" + n + "@203.0.113.9\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    static String invite(String callId) {
        return "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-" + callId + ";rport\r\n"
                + "From: <sip:a@127.0.0.1:5070>;tag=caller\r\n"
                + "To: <sip:service@127.0.0.1:5060>\r\n"
                + "Call-ID: " + callId + "@127.0.0.1\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** A final response to {@code forwarded} with its Vias, From, Call-ID and CSeq, and To line {@code to}. */
    static String finalResponse(String forwarded, String status, String to) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        for (String line : forwarded.split("\r\n")) {
            if (line.startsWith("Via:")
                    || line.startsWith("From:")
                    || line.startsWith("Call-ID:")
                    || line.startsWith("CSeq:")) {
                b.append(line).append("\r\n");
            }
        }
        if (to != null) {
            b.append(to).append("\r\n");
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }

    @Test
    void answers400ToAMalformedToFromOutsideTheAccessListAndReleasesTheReply() {
        InMemoryPipeline p = pipeline();
        RuntimeException e = receive(p, optionsWithMalformedTo(1), SCANNER);
        assertEquals(null, e, "a malformed To is answered, not thrown");
        assertEquals(1, sent.size(), sent.toString());
        String reply = sent.get(0);
        assertTrue(reply.startsWith("SIP/2.0 400 Bad Request\r\n"), reply);
        assertTrue(reply.contains("\r\nTo: <sip:a@b\r\n"), "the To is copied as it came, no tag added: " + reply);
        assertTrue(reply.contains("\r\nCall-ID: scan-1@203.0.113.9\r\n"), reply);
    }

    @Test
    void anAckThatCannotBeWrittenForAResponseWithoutToTakesNoBuffer() {
        InMemoryPipeline p = pipeline();
        receive(p, invite("no-to"), CARRIER);
        String forwarded = sent.get(sent.size() - 1);
        assertTrue(forwarded.startsWith("INVITE "), forwarded);
        int before = sent.size();
        RuntimeException e = receive(p, finalResponse(forwarded, "486 Busy Here", null), PBX);
        assertTrue(e instanceof org.sipha.core.message.SipSyntaxException, "a typed error naming To: " + e);
        assertTrue(e.getMessage().contains("To"), e.getMessage());
        assertEquals(before, sent.size(), "no ACK without a To to copy: " + sent);
    }

    @Test
    void acksAResponseWithAMalformedToByCopyingIt() {
        InMemoryPipeline p = pipeline();
        receive(p, invite("bad-to"), CARRIER);
        String forwarded = sent.get(sent.size() - 1);
        receive(p, finalResponse(forwarded, "486 Busy Here", "To: <sip:service@127.0.0.1;tag=x"), PBX);
        String ack = sent.stream().filter(s -> s.startsWith("ACK ")).findFirst().orElseThrow();
        assertTrue(ack.contains("\r\nTo: <sip:service@127.0.0.1;tag=x\r\n"), ack);
    }

    @Test
    void aCancelOrAckWhoseToSourceHasNoToTakesNoBuffer() {
        LoopContext ctx = new LoopContext(0, config().build(), null);
        Egress egress = new Egress(ctx, (out, to, tcp) -> out.release());
        SipMessageView invite = view(invite("cancel"));
        SipMessageView noTo = view(finalResponse(invite("cancel"), "486 Busy Here", null));
        for (String method : List.of("CANCEL", "ACK")) {
            org.sipha.core.message.SipSyntaxException e = assertThrows(
                    org.sipha.core.message.SipSyntaxException.class,
                    () -> egress.ackOrCancel(
                            null,
                            method,
                            invite,
                            "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKshSAAAAAAAAAAAAAAAA;shs=0.0.0.1",
                            noTo,
                            PBX,
                            false));
            assertEquals(SipParseResult.MISSING_HEADER, e.result());
        }
    }

    @Test
    void anEditTheEditorCannotWriteReleasesItsBuffer() {
        LoopContext ctx = new LoopContext(0, config().build(), null);
        Egress egress = new Egress(ctx, (out, to, tcp) -> out.release());
        SipMessageView invite = view(invite("overlap"));
        ctx.editor.reset(invite).removeTopVia().removeTopVia(); // the same line removed twice: overlapping edits
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> egress.send(null, ctx.editor, PBX, false));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
    }

    @Test
    void closingThePipelineReleasesTheStoredInviteOfEveryCallInFlight() {
        InMemoryPipeline p = pipeline();
        for (int i = 0; i < 5; i++) {
            receive(p, invite("in-flight-" + i), CARRIER);
        }
        assertEquals(5, p.activeCalls());
        p.close();
        assertEquals(0, p.activeCalls());
    }

    @Test
    void aPacketArrivingAfterCloseIsIgnoredAndStartsNoCall() {
        InMemoryPipeline p = pipeline();
        p.close();
        receive(p, invite("after-close"), CARRIER);
        receive(p, optionsWithMalformedTo(2), SCANNER);
        assertEquals(0, p.activeCalls());
        assertTrue(sent.isEmpty(), "a closed engine sends nothing: " + sent);
    }

    private static SipMessageView view(String text) {
        SipMessageView v = new SipMessageView();
        ByteBuf b = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
        assertEquals(SipParseResult.OK, v.wrap(b));
        return v;
    }
}
