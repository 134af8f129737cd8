package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code tag}, {@code branch} and {@code received} identify a dialog, a transaction and a source address; RFC 3261
 * gives each a non-empty value. {@code ;tag} without a value was already malformed, and {@code ;tag=} with an empty
 * one must be too, rather than read as a present but empty tag.
 */
class EmptyTagBranchAndReceivedAreMalformedTest {
    private static final String TEMPLATE = "OPTIONS sip:b@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1;branch=%s\r\n"
            + "From: <sip:a@example.com>;tag=%s\r\n"
            + "To: <sip:b@example.com>\r\n"
            + "Call-ID: empty-values@192.0.2.1\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Content-Length: 0\r\n\r\n";

    private final SipMessageView view = new SipMessageView();

    @Test
    void fromWithEmptyTagIsMalformed() {
        wrap("z9hG4bK1", "");
        assertEquals(SipParseResult.BAD_NAME_ADDR, view.validate());
    }

    @Test
    void viaWithEmptyBranchIsMalformed() {
        wrap("", "t1");
        assertEquals(SipParseResult.BAD_VIA, view.validate());
    }

    @Test
    void viaWithEmptyReceivedIsMalformed() {
        wrap("z9hG4bK1;received=", "t1");
        assertEquals(SipParseResult.BAD_VIA, view.validate());
    }

    @Test
    void nonEmptyValuesStillParse() {
        wrap("z9hG4bK1;received=192.0.2.9", "t1");
        assertEquals(SipParseResult.OK, view.validate());
        assertEquals("z9hG4bK1", view.topVia().branch().toString());
        assertEquals("192.0.2.9", view.topVia().received().toString());
        assertEquals("t1", view.from().tag().toString());
        assertNull(view.to().tag());
    }

    private void wrap(String branch, String tag) {
        byte[] b = String.format(TEMPLATE, branch, tag).getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.OK, view.wrap(b, 0, b.length));
    }
}
