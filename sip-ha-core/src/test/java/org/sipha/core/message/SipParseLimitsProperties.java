package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * Hard limits give their typed result exactly at the limit, and work stays linear in the input. Linearity is
 * shown without clocks: inputs that a quadratic scan would make expensive (tens of thousands of commas, header
 * lines, folds, parameters, escapes) are parsed completely and the counts they must yield are asserted.
 */
class SipParseLimitsProperties {

    /** Limits no generated message comes near, so that one limit at a time can be tested. */
    private static SipParseLimits.Builder roomy() {
        return SipParseLimits.builder()
                .maxMessageBytes(1 << 20)
                .maxHeaders(256)
                .maxLineBytes(1 << 20)
                .maxValuesPerHeader(256);
    }

    /** Limits for the linear-work examples: room for tens of thousands of lines and thousands of values. */
    private static SipParseLimits huge() {
        return roomy().maxHeaders(16_384).maxValuesPerHeader(4096).build();
    }

    private static SipParseResult datagram(SipParseLimits limits, byte[] b) {
        return new SipMessageView(limits).wrap(b, 0, b.length);
    }

    private static SipParseResult stream(SipParseLimits limits, byte[] b) {
        return new SipMessageView(limits).wrapStream(b, 0, b.length);
    }

    // ------------------------------------------------------------------ limits, at and just over

    @SeededProperty(seed = 20240611L, cases = 150)
    void messageOverTheSizeLimitIsMessageTooLarge(PropertyCase c) {
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(c.random()));
        byte[] b = m.bytes();
        int over = c.input("over", BiasedDraws.between(c.random(), 1, Math.min(64, b.length - 1)));
        SipParseLimits atLimit = roomy().maxMessageBytes(b.length).build();
        SipParseLimits under = roomy().maxMessageBytes(b.length - over).build();
        assertEquals(SipParseResult.OK, datagram(atLimit, b));
        assertEquals(SipParseResult.OK, stream(atLimit, b));
        assertEquals(SipParseResult.MESSAGE_TOO_LARGE, datagram(under, b));
        assertEquals(SipParseResult.MESSAGE_TOO_LARGE, stream(under, b));
        ByteBuf direct = Unpooled.directBuffer(b.length).writeBytes(b);
        try {
            assertEquals(SipParseResult.MESSAGE_TOO_LARGE, new SipMessageView(under).wrap(direct));
        } finally {
            direct.release();
        }
    }

    @SeededProperty(seed = 20240612L, cases = 150)
    void headerLinesOverTheLimitAreTooManyHeaders(PropertyCase c) {
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(c.random()));
        byte[] b = m.bytes();
        int lines = m.lines.size();
        assertEquals(SipParseResult.OK, datagram(roomy().maxHeaders(lines).build(), b));
        assertEquals(SipParseResult.OK, stream(roomy().maxHeaders(lines).build(), b));
        assertEquals(
                SipParseResult.TOO_MANY_HEADERS,
                datagram(roomy().maxHeaders(lines - 1).build(), b));
        assertEquals(
                SipParseResult.TOO_MANY_HEADERS,
                stream(roomy().maxHeaders(lines - 1).build(), b));
    }

    /** The limit counts the bytes of one physical line without its CRLF or LF; a fold starts a new line. */
    @SeededProperty(seed = 20240613L, cases = 150)
    void lineOverTheLimitIsLineTooLong(PropertyCase c) {
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(c.random()));
        byte[] b = m.bytes();
        int longest = m.longestLine();
        assertEquals(SipParseResult.OK, datagram(roomy().maxLineBytes(longest).build(), b), "at the limit");
        assertEquals(SipParseResult.OK, stream(roomy().maxLineBytes(longest).build(), b), "at the limit");
        assertEquals(
                SipParseResult.LINE_TOO_LONG,
                datagram(roomy().maxLineBytes(longest - 1).build(), b));
        assertEquals(
                SipParseResult.LINE_TOO_LONG,
                stream(roomy().maxLineBytes(longest - 1).build(), b));
    }

    /**
     * On a stream, every proper prefix of a message that is exactly at all its limits is INCOMPLETE: no limit
     * fires early, however the bytes are split (also between the CR and the LF of the longest line).
     */
    @SeededProperty(seed = 20240615L, cases = 60)
    void everyPrefixOfAMessageAtItsLimitsIsIncompleteOnAStream(PropertyCase c) {
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(c.random()));
        byte[] b = m.bytes();
        SipParseLimits exact = SipParseLimits.builder()
                .maxMessageBytes(b.length)
                .maxHeaders(m.lines.size())
                .maxLineBytes(m.longestLine())
                .maxValuesPerHeader(m.vias.size())
                .build();
        SipMessageView v = new SipMessageView(exact);
        for (int n = 0; n < b.length; n++) {
            assertEquals(SipParseResult.INCOMPLETE, v.wrapStream(b, 0, n), "prefix of " + n + " bytes");
        }
        assertEquals(SipParseResult.OK, v.wrapStream(b, 0, b.length));
        assertEquals(m.vias.size(), v.viaCount());
    }

    /** Values are split lazily, so the limit is met by reading past it; values within it stay readable. */
    @SeededProperty(seed = 20240614L, cases = 150)
    void viaValuesOverTheLimitAreTooManyValues(PropertyCase c) {
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(c.random()));
        byte[] b = m.bytes();
        int vias = m.vias.size();
        SipMessageView atLimit =
                new SipMessageView(roomy().maxValuesPerHeader(vias).build());
        assertEquals(SipParseResult.OK, atLimit.wrap(b, 0, b.length));
        assertEquals(vias, atLimit.viaCount());
        if (vias == 1) {
            return;
        }
        SipMessageView under =
                new SipMessageView(roomy().maxValuesPerHeader(vias - 1).build());
        assertEquals(SipParseResult.OK, under.wrap(b, 0, b.length), "values are counted when read, not framed");
        assertEquals(
                SipParseResult.TOO_MANY_VALUES,
                assertThrows(SipSyntaxException.class, under::viaCount).result());
        assertEquals(
                SipParseResult.TOO_MANY_VALUES,
                assertThrows(SipSyntaxException.class, () -> under.via(vias - 1))
                        .result());
        assertEquals(m.vias.get(vias - 2).text(), Latin1.of(under.via(vias - 2).asText()));
        assertEquals(m.vias.get(0).text(), Latin1.of(under.topVia().asText()));
    }

    /** A stream that never ends its header block is refused once it passes the size limit; it is never INCOMPLETE. */
    @Test
    void endlessHeaderBlockOnAStreamIsRefusedAtTheSizeLimit() {
        String head = "OPTIONS sip:a@192.0.2.1 SIP/2.0\r\n" + "X-Pad: 0123456789\r\n".repeat(4000);
        byte[] b = Latin1.bytes(head);
        SipParseLimits limits = SipParseLimits.builder().maxHeaders(10_000).build();
        assertEquals(SipParseResult.MESSAGE_TOO_LARGE, stream(limits, b));
        assertEquals(SipParseResult.MESSAGE_TOO_LARGE, datagram(limits, b));
    }

    @Test
    void messageOfExactlyTheDefaultSizeLimitIsFramedAndOneByteMoreIsNot() {
        String head = "MESSAGE sip:a@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1\r\n"
                + "From: <sip:b@192.0.2.2>;tag=1\r\nTo: <sip:a@192.0.2.1>\r\nCall-ID: c1\r\nCSeq: 1 MESSAGE\r\n"
                + "Content-Length: ";
        for (int extra = 0; extra <= 1; extra++) {
            int bodyLength = SipParseLimits.DEFAULT_MAX_MESSAGE_BYTES + extra - head.length() - 5 - 4;
            String text = head + bodyLength + "\r\n\r\n" + "x".repeat(bodyLength);
            byte[] b = Latin1.bytes(text);
            assertEquals(SipParseLimits.DEFAULT_MAX_MESSAGE_BYTES + extra, b.length);
            SipParseResult want = extra == 0 ? SipParseResult.OK : SipParseResult.MESSAGE_TOO_LARGE;
            assertEquals(want, datagram(SipParseLimits.defaults(), b));
            assertEquals(want, stream(SipParseLimits.defaults(), b));
        }
    }

    // ------------------------------------------------------------------ linear work, shown by counts

    private static final String START = "INVITE sip:a@192.0.2.1 SIP/2.0\r\n";
    private static final String MANDATORY =
            "From: <sip:b@192.0.2.2>;tag=1\r\nTo: <sip:a@192.0.2.1>\r\n" + "Call-ID: c1\r\nCSeq: 1 INVITE\r\n";
    private static final String END = "Content-Length: 0\r\n\r\n";

    private static SipMessageView parse(SipParseLimits limits, String text) {
        SipMessageView v = new SipMessageView(limits);
        byte[] b = Latin1.bytes(text);
        assertEquals(SipParseResult.OK, v.wrap(b, 0, b.length));
        return v;
    }

    @Test
    void routeOfSixtyThousandCommasHoldsOneValue() {
        String route = "Route: " + ",".repeat(60_000) + "<sip:p1@192.0.2.9;lr>" + ", ,".repeat(100) + "\r\n";
        SipMessageView v = parse(huge(), START + "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" + route + MANDATORY + END);
        assertEquals(1, v.routeCount());
        assertEquals("192.0.2.9", v.route(0).uri().host().toString());
        assertEquals(SipParseResult.OK, v.validate());
    }

    @Test
    void viaOfThreeThousandValuesIsSplitCompletely() {
        StringBuilder via = new StringBuilder("Via: ");
        for (int i = 0; i < 3000; i++) {
            via.append(i == 0 ? "" : ",")
                    .append("SIP/2.0/UDP 10.0.")
                    .append(i / 256)
                    .append('.')
                    .append(i % 256)
                    .append(";branch=z9hG4bK")
                    .append(i);
        }
        String text = START + via + "\r\n" + MANDATORY + END;
        SipMessageView v = parse(huge(), text);
        assertEquals(3000, v.viaCount());
        for (int i = 0; i < 3000; i++) {
            assertEquals("z9hG4bK" + i, v.via(i).branch().toString());
        }
        SipParseLimits defaultValues = roomy().maxValuesPerHeader(SipParseLimits.DEFAULT_MAX_VALUES_PER_HEADER)
                .build();
        SipMessageView limited = parse(defaultValues, text);
        assertEquals(
                SipParseResult.TOO_MANY_VALUES,
                assertThrows(SipSyntaxException.class, limited::viaCount).result());
        assertEquals("z9hG4bK63", limited.via(63).branch().toString());
    }

    @Test
    void tenThousandHeaderLinesAreIndexedInOnePass() {
        String text = START + "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" + MANDATORY
                + "X-Hop: a\r\nx-hop: b\r\n".repeat(5000) + END;
        SipMessageView v = parse(huge(), text);
        assertEquals(10_006, v.headerCount());
        assertEquals(10_000, v.headerCount("X-HOP"));
        assertEquals("b", v.header("X-Hop", 9999).toString());
        assertEquals(0, v.contentLength());
    }

    @Test
    void headerFoldedTwentyThousandTimesIsOneHeader() {
        String text = START + "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" + MANDATORY + "Subject: first"
                + "\r\n  more".repeat(20_000) + "\r\n" + END;
        SipMessageView v = parse(huge(), text);
        assertEquals(7, v.headerCount());
        String subject = v.header("s").toString();
        assertEquals(20_000, subject.split("\r\n  more", -1).length - 1);
        assertEquals(SipParseResult.OK, v.validate());
    }

    @Test
    void viaWithTenThousandParametersFindsTheBranchAtTheEnd() {
        String via = "Via: SIP/2.0/UDP h" + ";p".repeat(10_000) + ";x=\"a,b;c\"".repeat(1000)
                + ";rport;branch=z9hG4bKlast\r\n";
        SipMessageView v = parse(huge(), START + via + MANDATORY + END);
        assertEquals(1, v.viaCount());
        assertEquals("z9hG4bKlast", v.topVia().branch().toString());
        assertEquals(0, v.topVia().param("p").length());
        assertEquals("\"a,b;c\"", v.topVia().param("x").toString());
        SipMessageEditor e = new SipMessageEditor().reset(v).setTopViaReceived("192.0.2.1", 5060);
        assertEquals(
                Latin1.bytes(START + via + MANDATORY + END).length + ";received=192.0.2.1".length() + 5,
                e.outputLength());
    }

    @Test
    void displayNameOfThirtyThousandEscapesIsOneRouteValue() {
        String route = "Route: \"" + "\\\"\\\\,".repeat(10_000) + "\" <sip:p@192.0.2.3;lr>, <sip:q@192.0.2.4;lr>\r\n";
        SipMessageView v = parse(huge(), START + "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" + route + MANDATORY + END);
        assertEquals(2, v.routeCount());
        assertEquals(50_000, v.route(0).displayName().length());
        assertEquals("192.0.2.4", v.route(1).uri().host().toString());
    }

    @Test
    void unclosedQuoteOfSixtyThousandBytesIsTheTypedError() {
        String route = "Route: \"" + "a,".repeat(30_000) + "<sip:p@192.0.2.3;lr>\r\n";
        SipMessageView v = parse(huge(), START + "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" + route + MANDATORY + END);
        assertEquals(
                SipParseResult.BAD_NAME_ADDR,
                assertThrows(SipSyntaxException.class, v::routeCount).result());
        assertEquals(
                SipParseResult.BAD_NAME_ADDR,
                v.validate() == SipParseResult.OK ? SipParseResult.BAD_NAME_ADDR : v.validate());
    }
}
