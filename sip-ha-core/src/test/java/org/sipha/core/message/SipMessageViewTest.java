package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipMessageViewTest {
    private static final String INVITE = "INVITE sip:bob@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-top;rport\r\n"
            + "Via: SIP/2.0/TCP [2001:db8::9]:5070;branch=z9hG4bK-mid;received=2001:db8::10, SIP/2.0/UDP h3.example.net;branch=z9hG4bK-low\r\n"
            + "Max-Forwards: 70\r\n"
            + "Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr;transport=tcp>\r\n"
            + "Route: <sip:[2001:db8::1]:5080;lr>\r\n"
            + "From: \"Alice \\\"A\\\" Smith\" <sip:alice@example.com>;tag=1928301774\r\n"
            + "To: Bob <sip:bob@example.com>\r\n"
            + "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
            + "CSeq: 314159 INVITE\r\n"
            + "Contact: <sip:alice@192.0.2.1>\r\n"
            + "X-Custom: one\r\n"
            + "x-custom: two\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 4\r\n"
            + "\r\n"
            + "v=0\n";

    private final SipMessageView msg = new SipMessageView();

    private SipParseResult wrap(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return msg.wrap(b, 0, b.length);
    }

    @Test
    void readsRequestLineAndProxyFields() {
        assertEquals(SipParseResult.OK, wrap(INVITE));
        assertTrue(msg.isRequest());
        assertEquals("INVITE", msg.method().toString());
        assertEquals(SipMethod.INVITE, msg.methodCode());
        assertEquals("sip:bob@example.com", msg.requestUri().toString());
        assertEquals("a84b4c76e66710@pc33.example.com", msg.callId().toString());
        assertEquals(314159, msg.cseqNumber());
        assertEquals(SipMethod.INVITE, msg.cseqMethodCode());
        assertEquals(70, msg.maxForwards());
        assertEquals(4, msg.contentLength());
        assertEquals("v=0\n", msg.body().toString());
        assertEquals(SipParseResult.OK, msg.validate());
    }

    @Test
    void readsEveryViaValueInOrderAcrossLinesAndCommas() {
        wrap(INVITE);
        assertEquals(3, msg.viaCount());
        ViaView top = msg.topVia();
        assertEquals("UDP", top.transport().toString());
        assertEquals("192.0.2.1", top.host().toString());
        assertEquals(5060, top.port());
        assertEquals("z9hG4bK-top", top.branch().toString());
        assertTrue(top.hasRport());
        assertEquals(-1, top.rport());
        assertTrue(top.hasRfc3261Branch());
        ViaView mid = msg.via(1);
        assertEquals("TCP", mid.transport().toString());
        assertEquals("[2001:db8::9]", mid.host().toString());
        assertEquals(5070, mid.port());
        assertEquals("2001:db8::10", mid.received().toString());
        ViaView low = msg.via(2);
        assertEquals("h3.example.net", low.host().toString());
        assertEquals(-1, low.port());
        assertEquals("z9hG4bK-low", low.branch().toString());
        assertThrows(IndexOutOfBoundsException.class, () -> msg.via(3));
    }

    @Test
    void readsRouteSetInOrderWithLooseRoutingAndIpv6() {
        wrap(INVITE);
        assertEquals(3, msg.routeCount());
        assertEquals("sip:p1.example.net;lr", msg.route(0).uriText().toString());
        assertTrue(msg.route(0).uri().isLooseRouting());
        assertEquals("tcp", msg.route(1).uri().transport().toString());
        SipUriView third = msg.route(2).uri();
        assertEquals("[2001:db8::1]", third.host().toString());
        assertEquals(5080, third.port());
    }

    @Test
    void readsQuotedDisplayNameWithEscapesAndTags() {
        wrap(INVITE);
        NameAddrView from = msg.from();
        assertEquals("Alice \\\"A\\\" Smith", from.displayName().toString());
        assertEquals("1928301774", from.tag().toString());
        assertEquals("alice", from.uri().user().toString());
        assertEquals("Bob", msg.to().displayName().toString());
        assertNull(msg.to().tag());
    }

    @Test
    void findsAnyHeaderByNameCaseInsensitivelyAcrossLines() {
        wrap(INVITE);
        assertEquals(2, msg.headerCount("X-CUSTOM"));
        assertEquals("one", msg.header("x-custom").toString());
        assertEquals("two", msg.header("X-Custom", 1).toString());
        assertNull(msg.header("X-Custom", 2));
        assertEquals("application/sdp", msg.header("c").toString());
        assertEquals("a84b4c76e66710@pc33.example.com", msg.header("call-id").toString());
        assertNull(msg.header("Subject"));
    }

    @Test
    void understandsCompactFormsAndFoldedLines() {
        String s = "BYE sip:b@example.com SIP/2.0\r\n"
                + "v: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bK-c\r\n"
                + "f: <sip:a@example.com>;tag=x\r\n"
                + "t: <sip:b@example.com>\r\n\t;tag=y\r\n"
                + "i: cid-1\r\n"
                + "CSeq:\r\n   7\r\n  BYE\r\n"
                + "l: 0\r\n\r\n";
        assertEquals(SipParseResult.OK, wrap(s));
        assertEquals("z9hG4bK-c", msg.topVia().branch().toString());
        assertEquals("y", msg.to().tag().toString());
        assertEquals("cid-1", msg.callId().toString());
        assertEquals(7, msg.cseqNumber());
        assertEquals("BYE", msg.cseqMethod().toString());
        assertEquals(0, msg.contentLength());
        assertEquals(SipParseResult.OK, msg.validate());
    }

    @Test
    void readsStatusLine() {
        String s = "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
                + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
                + "Content-Length: 0\r\n\r\n";
        assertEquals(SipParseResult.OK, wrap(s));
        assertFalse(msg.isRequest());
        assertEquals(486, msg.statusCode());
        assertEquals("Busy Here", msg.reasonPhrase().toString());
        assertNull(msg.method());
        assertEquals(SipParseResult.OK, msg.validate());
    }

    @Test
    void ignoresBytesAfterContentLengthInDatagram() {
        String s = "OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 2\r\n\r\nabEXTRA";
        assertEquals(SipParseResult.OK, wrap(s));
        assertEquals("ab", msg.body().toString());
        assertEquals(s.length() - 5, msg.frameLength());
    }

    @Test
    void takesRestOfDatagramAsBodyWithoutContentLength() {
        assertEquals(
                SipParseResult.OK, wrap("MESSAGE sip:a@example.com SIP/2.0\r\nTo: <sip:a@example.com>\r\n\r\nhello"));
        assertEquals("hello", msg.body().toString());
        assertEquals(-1, msg.contentLength());
    }

    @Test
    void rejectsBodyShorterThanContentLength() {
        assertEquals(
                SipParseResult.BODY_TRUNCATED,
                wrap("OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 10\r\n\r\nabc"));
        assertEquals(400, msg.parseResult().statusCode());
    }

    @Test
    void rejectsConflictingContentLengths() {
        assertEquals(
                SipParseResult.BAD_CONTENT_LENGTH,
                wrap("OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab"));
        assertEquals(
                SipParseResult.BAD_CONTENT_LENGTH,
                wrap("OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: -1\r\n\r\n"));
    }

    @Test
    void answersUnsupportedVersionWith505() {
        assertEquals(SipParseResult.UNSUPPORTED_VERSION, wrap("INVITE sip:a@example.com SIP/7.0\r\n\r\n"));
        assertEquals(505, SipParseResult.UNSUPPORTED_VERSION.statusCode());
    }

    @Test
    void rejectsMalformedStartLinesAndHeaderLines() {
        assertEquals(SipParseResult.BAD_REQUEST_URI, wrap("INVITE nocolon SIP/2.0\r\n\r\n"));
        assertEquals(SipParseResult.BAD_METHOD, wrap("INV@TE sip:a@example.com SIP/2.0\r\n\r\n"));
        assertEquals(SipParseResult.BAD_STATUS_CODE, wrap("SIP/2.0 99x Huh\r\n\r\n"));
        assertEquals(
                SipParseResult.BAD_HEADER_LINE, wrap("OPTIONS sip:a@example.com SIP/2.0\r\nNo colon here\r\n\r\n"));
        assertEquals(
                SipParseResult.BAD_HEADER_LINE, wrap("OPTIONS sip:a@example.com SIP/2.0\r\n folded-first: x\r\n\r\n"));
        assertEquals(SipParseResult.EMPTY, msg.wrap(new byte[0], 0, 0));
    }

    @Test
    void reportsKeepAliveForBareCrlf() {
        assertEquals(SipParseResult.KEEPALIVE, wrap("\r\n\r\n"));
        assertEquals(4, msg.frameLength());
    }

    @Test
    void lazilyReportsMalformedHeaderValuesWithTypedError() {
        String s = "INVITE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0 192.0.2.1\r\nCSeq: x INVITE\r\n"
                + "Max-Forwards: ten\r\nFrom: <sip:a@example.com\r\nCall-ID: c\r\nTo: <sip:b@example.com>\r\n\r\n";
        assertEquals(SipParseResult.OK, wrap(s));
        assertEquals(
                SipParseResult.BAD_VIA,
                assertThrows(SipSyntaxException.class, msg::topVia).result());
        assertEquals(
                SipParseResult.BAD_CSEQ,
                assertThrows(SipSyntaxException.class, msg::cseqNumber).result());
        assertEquals(
                SipParseResult.BAD_MAX_FORWARDS,
                assertThrows(SipSyntaxException.class, msg::maxForwards).result());
        assertEquals(
                SipParseResult.BAD_NAME_ADDR,
                assertThrows(SipSyntaxException.class, msg::from).result());
        assertTrue(msg.validate().isError());
    }

    @Test
    void validateNamesMissingMandatoryHeader() {
        assertEquals(
                SipParseResult.OK,
                wrap("OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n"));
        assertEquals(SipParseResult.MISSING_HEADER, msg.validate());
    }

    @Test
    void enforcesLimitsWithTypedResults() {
        SipMessageView small = new SipMessageView(SipParseLimits.builder()
                .maxMessageBytes(200)
                .maxHeaders(3)
                .maxLineBytes(40)
                .maxValuesPerHeader(2)
                .build());
        byte[] big = ("OPTIONS sip:a@example.com SIP/2.0\r\n" + "X: " + "y".repeat(300) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.MESSAGE_TOO_LARGE, small.wrap(big, 0, big.length));
        byte[] longLine = ("OPTIONS sip:a@example.com SIP/2.0\r\nX: " + "y".repeat(60) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.LINE_TOO_LONG, small.wrap(longLine, 0, longLine.length));
        byte[] many = "OPTIONS sip:a@example.com SIP/2.0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.TOO_MANY_HEADERS, small.wrap(many, 0, many.length));
        byte[] vias = "OPTIONS sip:a@example.com SIP/2.0\r\nv: SIP/2.0/UDP a, SIP/2.0/UDP b, SIP/2.0/UDP c\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        SipMessageView twoValues = new SipMessageView(
                SipParseLimits.builder().maxValuesPerHeader(2).build());
        assertEquals(SipParseResult.OK, twoValues.wrap(vias, 0, vias.length));
        assertEquals(
                SipParseResult.TOO_MANY_VALUES,
                assertThrows(SipSyntaxException.class, twoValues::viaCount).result());
    }

    @Test
    void framesStreamMessagesOneByOne() {
        String one = "OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 3\r\n\r\nabc";
        String two = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
        byte[] b = ("\r\n\r\n" + one + two).getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.OK, msg.wrapStream(b, 0, b.length));
        assertEquals(4 + one.length(), msg.frameLength());
        assertEquals("abc", msg.body().toString());
        int off = msg.frameLength();
        assertEquals(SipParseResult.INCOMPLETE, msg.wrapStream(b, off, 10));
        assertEquals(SipParseResult.OK, msg.wrapStream(b, off, b.length - off));
        assertEquals(200, msg.statusCode());
        assertEquals(two.length(), msg.frameLength());
    }

    @Test
    void continueStreamFramesAMessageDrippingInByteByByteLikeAFreshWrap() {
        String m = "INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK-d\r\n"
                + "Subject: folded\r\n continues\r\nCall-ID: drip\r\nContent-Length: 5\r\n\r\nhello";
        byte[] b = (m + "SIP/2.0 200 OK\r\n").getBytes(StandardCharsets.US_ASCII);
        int n = 1;
        for (; n < m.length(); n++) {
            assertEquals(SipParseResult.INCOMPLETE, msg.continueStream(b, 0, n), "prefix of " + n + " bytes");
        }
        assertEquals(SipParseResult.OK, msg.continueStream(b, 0, n));
        assertEquals(m.length(), msg.frameLength());
        assertEquals("folded\r\n continues", msg.header("Subject").toString());
        assertEquals("drip", msg.callId().toString());
        assertEquals("hello", msg.body().toString());
        assertEquals("z9hG4bK-d", msg.topVia().branch().toString());
    }

    @Test
    void continueStreamStartsAfreshOnAnotherBuffer() {
        byte[] partial = "OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: first\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.INCOMPLETE, msg.continueStream(partial, 0, partial.length));
        byte[] other = "OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: second\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.OK, msg.continueStream(other, 0, other.length));
        assertEquals("second", msg.callId().toString());
        assertEquals(1, msg.headerCount("Call-ID"));
    }

    @Test
    void requiresContentLengthOnStreams() {
        byte[] b = "OPTIONS sip:a@example.com SIP/2.0\r\nTo: <sip:a@example.com>\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.MISSING_CONTENT_LENGTH, msg.wrapStream(b, 0, b.length));
    }

    @Test
    void viewsHeapByteBufInPlaceAndCopiesDirectOnce() {
        byte[] b = INVITE.getBytes(StandardCharsets.UTF_8);
        ByteBuf heap = Unpooled.wrappedBuffer(b);
        assertEquals(SipParseResult.OK, msg.wrap(heap));
        assertSame(b, msg.buffer());
        ByteBuf direct = Unpooled.directBuffer(b.length).writeBytes(b);
        try {
            assertEquals(SipParseResult.OK, msg.wrap(direct));
            assertEquals("a84b4c76e66710@pc33.example.com", msg.callId().toString());
            assertEquals(0, direct.readerIndex());
        } finally {
            direct.release();
        }
    }

    @Test
    void accessorsRefuseToReadAfterFailedWrap() {
        wrap("garbage");
        assertThrows(IllegalStateException.class, msg::callId);
    }
}
