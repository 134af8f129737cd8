package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Bugs found by {@link SipMessageProperties} and {@link SipParseLimitsProperties}, pinned as examples. */
class SipMessageRegressionTest {
    private static final String HEAD = "INVITE sip:bob@192.0.2.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1\r\nFrom: <sip:a@192.0.2.2>;tag=1\r\n"
            + "To: <sip:bob@192.0.2.1>\r\nCSeq: 1 INVITE\r\n";

    private static SipMessageView wrap(SipParseLimits limits, String text) {
        SipMessageView v = new SipMessageView(limits);
        byte[] b = Latin1.bytes(text);
        v.wrap(b, 0, b.length);
        return v;
    }

    @Test
    void trailingWhitespaceOnAFoldedLineIsNotPartOfTheValue() {
        SipMessageView v = wrap(
                SipParseLimits.defaults(),
                HEAD + "Call-ID:\r\n a84b4c76e66710 \r\nMax-Forwards:\r\n\t70\t\r\nContent-Length:\r\n 0 \r\n\r\n");
        assertEquals(SipParseResult.OK, v.parseResult());
        assertEquals("a84b4c76e66710", v.callId().toString());
        assertEquals(70, v.maxForwards());
        assertEquals(SipParseResult.OK, v.validate());
    }

    @Test
    void lineEndingInBareLfIsHeldToTheSameLimitAsOneEndingInCrLf() {
        String line = "X-Long: " + "a".repeat(92) + "\n";
        SipParseLimits limits = SipParseLimits.builder().maxLineBytes(99).build();
        assertEquals(
                SipParseResult.LINE_TOO_LONG,
                wrap(limits, HEAD + "Call-ID: c\r\n" + line + "Content-Length: 0\r\n\r\n")
                        .parseResult());
        assertEquals(
                SipParseResult.LINE_TOO_LONG,
                wrap(limits, HEAD + "Call-ID: c\r\n" + line.replace("\n", "\r\n") + "Content-Length: 0\r\n\r\n")
                        .parseResult());
        assertEquals(
                SipParseResult.OK,
                wrap(
                                SipParseLimits.builder().maxLineBytes(100).build(),
                                HEAD + "Call-ID: c\r\n" + line + "Content-Length: 0\r\n\r\n")
                        .parseResult());
    }

    @Test
    void streamSplitBetweenCrAndLfOfALineAtTheLimitIsIncomplete() {
        String line = "X-Long: " + "a".repeat(92) + "\r\n";
        byte[] b = Latin1.bytes(HEAD + line + "Call-ID: c\r\nContent-Length: 0\r\n\r\n");
        int crOfLongLine = HEAD.length() + line.length() - 1;
        SipMessageView v =
                new SipMessageView(SipParseLimits.builder().maxLineBytes(100).build());
        assertEquals(SipParseResult.INCOMPLETE, v.wrapStream(b, 0, crOfLongLine));
        assertEquals(SipParseResult.OK, v.wrapStream(b, 0, b.length));
    }

    @Test
    void lineLimitOfIntegerMaxValueMeansNoLimit() {
        SipParseLimits unlimited =
                SipParseLimits.builder().maxLineBytes(Integer.MAX_VALUE).build();
        byte[] b = Latin1.bytes(HEAD + "Call-ID: c\r\nContent-Length: 0\r\n\r\n");
        byte[] buf = new byte[b.length + 64];
        System.arraycopy(b, 0, buf, 64, b.length);
        SipMessageView v = new SipMessageView(unlimited);
        assertEquals(SipParseResult.OK, v.wrap(buf, 64, b.length));
        assertEquals(SipParseResult.OK, v.wrapStream(buf, 64, b.length));
    }

    @Test
    void hugeContentLengthNearIntegerMaxValueIsNeverFramedAsOk() {
        SipParseLimits unlimited =
                SipParseLimits.builder().maxMessageBytes(Integer.MAX_VALUE).build();
        String text = HEAD + "Call-ID: c\r\nContent-Length: 2147483000\r\n\r\nbody";
        byte[] b = Latin1.bytes(text);
        byte[] buf = new byte[4096];
        int offset = buf.length - b.length;
        System.arraycopy(b, 0, buf, offset, b.length);
        SipMessageView v = new SipMessageView(unlimited);
        assertNotEquals(SipParseResult.OK, v.wrap(buf, offset, b.length));
        assertEquals(SipParseResult.INCOMPLETE, v.wrapStream(buf, offset, b.length));
    }

    @Test
    void valueBeforeAMalformedLaterLineStaysReadableWhateverWasReadFirst() {
        String text = HEAD + "Call-ID: c\r\nRoute: <sip:p1@192.0.2.7;lr>\r\nRoute: <sip:p2@192.0.2.8;lr\r\n"
                + "Content-Length: 0\r\n\r\n";
        SipMessageView first = wrap(SipParseLimits.defaults(), text);
        assertEquals("sip:p1@192.0.2.7;lr", first.route(0).uriText().toString());
        SipMessageView later = wrap(SipParseLimits.defaults(), text);
        assertEquals(
                SipParseResult.BAD_NAME_ADDR,
                assertThrows(SipSyntaxException.class, later::routeCount).result());
        assertEquals("sip:p1@192.0.2.7;lr", later.route(0).uriText().toString());
    }

    @Test
    void validateGivesTheSameAnswerBeforeAndAfterCountingTooManyVias() {
        String text = HEAD.replace("CSeq", "Via: SIP/2.0/UDP a, SIP/2.0/UDP b, SIP/2.0/UDP c\r\nCSeq")
                + "Call-ID: c\r\nContent-Length: 0\r\n\r\n";
        SipParseLimits twoValues =
                SipParseLimits.builder().maxValuesPerHeader(2).build();
        SipParseResult fresh = wrap(twoValues, text).validate();
        SipMessageView counted = wrap(twoValues, text);
        assertThrows(SipSyntaxException.class, counted::viaCount);
        assertEquals(fresh, counted.validate());
    }
}
