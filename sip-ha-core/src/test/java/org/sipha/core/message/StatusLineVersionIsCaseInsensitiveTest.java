package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * RFC 3261 7.1: the SIP-Version string is case-insensitive. A request line already accepted {@code sip/2.0}; a
 * status line that starts with it must be framed as a response, not taken for a request with a bad method.
 */
class StatusLineVersionIsCaseInsensitiveTest {
    private final SipMessageView view = new SipMessageView();

    @Test
    void lowerCaseVersionStartsAResponse() {
        assertEquals(SipParseResult.OK, wrap("sip/2.0 180 Ringing"));
        assertTrue(view.isResponse());
        assertEquals(180, view.statusCode());
        assertEquals("Ringing", view.reasonPhrase().toString());
    }

    @Test
    void lowerCaseUnknownVersionIsUnsupportedNotABadMethod() {
        assertEquals(SipParseResult.UNSUPPORTED_VERSION, wrap("sip/3.0 200 OK"));
    }

    private SipParseResult wrap(String statusLine) {
        byte[] b = (statusLine + "\r\nCall-ID: v@192.0.2.1\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        return view.wrap(b, 0, b.length);
    }
}
