package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Messages that another element could read differently from us (request smuggling) are refused with a 400-class
 * result instead of being passed on: control bytes outside the body, a request line split in more than one way,
 * and single-value header fields given twice.
 */
class AmbiguousMessagesAreRefusedTest {
    private static final String HEAD = "INVITE sip:bob@example.com SIP/2.0\r\n";
    private static final String HEADERS = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:alice@example.com>;tag=1\r\n"
            + "To: <sip:bob@example.com>\r\n"
            + "Call-ID: c1@example.com\r\n"
            + "CSeq: 1 INVITE\r\n";

    private final SipMessageView msg = new SipMessageView();

    private SipParseResult verdict(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        SipParseResult r = msg.wrap(b, 0, b.length);
        return r == SipParseResult.OK ? msg.validate() : r;
    }

    @Test
    void aPlainRequestPasses() {
        assertEquals(SipParseResult.OK, verdict(HEAD + HEADERS + "Content-Length: 0\r\n\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\r", "\u0001", "\u001b", "\u007f", "\u000b", "\u000c"})
    void aControlByteInAHeaderValueIsRefused(String ctl) {
        String m = HEAD + HEADERS + "Subject: a" + ctl + "b\r\nContent-Length: 0\r\n\r\n";
        assertEquals(SipParseResult.CONTROL_CHARACTER, verdict(m));
    }

    @Test
    void aNulInTheRequestLineIsRefused() {
        assertEquals(
                SipParseResult.CONTROL_CHARACTER,
                verdict("INVITE sip:bob@example.com SIP/2.0\u0000\r\n" + HEADERS + "\r\n"));
    }

    @Test
    void aBareCrSplittingTwoHeaderLinesIsRefused() {
        String m = HEAD + HEADERS + "Subject: x\rContent-Length: 0\r\n\r\n";
        assertEquals(SipParseResult.CONTROL_CHARACTER, verdict(m));
    }

    @Test
    void controlBytesInTheBodyAndQuotedPairsAndTabsPass() {
        String m = HEAD + HEADERS
                + "Subject: \"nul:\\\u0000 bel:\\\u0007\"\tend\r\nContent-Length: 3\r\n\r\n\u0000\r\u0001";
        assertEquals(SipParseResult.OK, verdict(m));
    }

    @Test
    void aStreamLineEndingInCrWaitsForItsLf() {
        byte[] b = (HEAD + HEADERS + "Content-Length: 0\r").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(SipParseResult.INCOMPLETE, msg.wrapStream(b, 0, b.length));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "INVITE  sip:bob@example.com SIP/2.0\r\n",
                "INVITE sip:bob@example.com  SIP/2.0\r\n",
                "INVITE\tsip:bob@example.com SIP/2.0\r\n",
                "INVITE sip:bob@example.com\tSIP/2.0\r\n",
                "INVITE sip:bob@example.com SIP/2.0 \r\n",
                "INVITE sip:bob@example.com SIP/2.0\t\r\n",
                "INVITE <sip:bob@example.com> SIP/2.0\r\n",
                "INVITE 1sip:bob@example.com SIP/2.0\r\n",
                "INVITE :bob@example.com SIP/2.0\r\n",
            })
    void aRequestLineNotSplitByExactlyOneSpaceOrWithoutASchemeIsRefused(String line) {
        SipParseResult r = verdict(line + HEADERS + "Content-Length: 0\r\n\r\n");
        assertEquals(400, r.statusCode(), r.toString());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Call-ID: c1@example.com",
                "Call-ID: c2@example.com",
                "From: <sip:x@example.com>;tag=2",
                "To: <sip:y@example.com>",
                "CSeq: 1 INVITE",
                "Max-Forwards: 70",
                "Content-Length: 0"
            })
    void aSingleValueHeaderGivenTwiceIsRefusedEvenWithTheSameValue(String second) {
        String m = HEAD + HEADERS + "Content-Length: 0\r\n" + second + "\r\n\r\n";
        if (second.startsWith("Content-Length")) {
            m = HEAD + HEADERS + "Content-Length: 0\r\n" + second + "\r\n\r\n";
        }
        assertEquals(SipParseResult.DUPLICATE_HEADER, verdict(m));
    }
}
