package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Removing the top Via or Route value cuts its line, or only the value when the line holds more; when the rest
 * of that line cannot be split, which of the two applies is unknown, so the removal throws the typed error
 * instead of dropping the line with the values after the top one. Found by {@link SipMessageEditorFuzzTest}.
 */
class RemovingATopValueNeedsItsWholeLineSplitTest {
    private static final String REST = "From: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\n"
            + "Call-ID: c\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";

    @Test
    void topViaOfALineWithAnUnclosedCommentAfterItIsNotRemoved() {
        SipMessageView v = wrap("BYE sip:a@example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.1, SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1 (unclosed\r\n" + REST);
        assertEquals(SipParseResult.OK, v.validate());
        assertEquals("SIP/2.0/UDP 192.0.2.1", v.topVia().toString());
        SipMessageEditor e = new SipMessageEditor().reset(v);
        assertEquals(
                SipParseResult.BAD_VIA,
                assertThrows(SipSyntaxException.class, e::removeTopVia).result());
    }

    @Test
    void topRouteOfALineWithAnUnclosedAngleAfterItIsNotRemoved() {
        SipMessageView v = wrap("BYE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
                + "Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr\r\n" + REST);
        assertEquals("sip:p1.example.net;lr", v.route(0).uriText().toString());
        SipMessageEditor e = new SipMessageEditor().reset(v);
        assertEquals(
                SipParseResult.BAD_NAME_ADDR,
                assertThrows(SipSyntaxException.class, e::removeTopRoute).result());
    }

    @Test
    void aMalformedLaterLineDoesNotStopTheRemoval() {
        SipMessageView v = wrap("BYE sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.2 (unclosed\r\n" + REST);
        SipMessageEditor e = new SipMessageEditor().reset(v).removeTopVia();
        byte[] out = new byte[e.outputLength()];
        e.writeTo(out, 0);
        assertEquals(SipParseResult.OK, new SipMessageView().wrap(out, 0, out.length));
        assertEquals(
                "Via: SIP/2.0/UDP 192.0.2.2 (unclosed",
                Latin1.of(out, 0, out.length).split("\r\n")[1]);
    }

    private static SipMessageView wrap(String text) {
        SipMessageView v = new SipMessageView();
        byte[] b = Latin1.bytes(text);
        assertEquals(SipParseResult.OK, v.wrap(b, 0, b.length));
        return v;
    }
}
