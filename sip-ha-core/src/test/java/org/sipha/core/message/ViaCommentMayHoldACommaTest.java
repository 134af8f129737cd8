package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * sip-ha skips an RFC 2543 trailing comment in a Via value. A comma inside that comment is comment text, not a
 * separator between Via values, so it must not split the value in two.
 */
class ViaCommentMayHoldACommaTest {
    private final SipMessageView view = new SipMessageView();

    @Test
    void commaInsideCommentDoesNotSplitTheVia() {
        wrap("Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa (gateway, rack 4), SIP/2.0/TCP 192.0.2.2;branch=z9hG4bKb\r\n");
        assertEquals(SipParseResult.OK, view.validate());
        assertEquals(2, view.viaCount());
        assertEquals("z9hG4bKa", view.via(0).branch().toString());
        assertEquals("192.0.2.2", view.via(1).host().toString());
    }

    @Test
    void unclosedCommentIsMalformed() {
        wrap("Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa (gateway, rack 4\r\n");
        assertEquals(SipParseResult.BAD_VIA, view.validate());
    }

    private void wrap(String via) {
        byte[] b = ("OPTIONS sip:b@example.com SIP/2.0\r\n" + via
                        + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c@192.0.2.1\r\n"
                        + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(SipParseResult.OK, view.wrap(b, 0, b.length));
    }
}
