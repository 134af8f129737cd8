package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link SipMessageEditor#setTopViaReceivedAndRport}: the source port is recorded whether or not rport was asked. */
class SipMessageEditorRportTest {
    private static String edit(String via, String host, int port) {
        String m = "BYE sip:b@example.com SIP/2.0\r\nVia: " + via + "\r\nCall-ID: c\r\nCSeq: 1 BYE\r\n"
                + "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nContent-Length: 0\r\n\r\n";
        byte[] b = m.getBytes(StandardCharsets.US_ASCII);
        SipMessageView v = new SipMessageView();
        assertEquals(SipParseResult.OK, v.wrap(b, 0, b.length));
        SipMessageEditor e = new SipMessageEditor().reset(v).setTopViaReceivedAndRport(host, port);
        byte[] out = new byte[e.outputLength()];
        e.writeTo(out, 0);
        String s = new String(out, StandardCharsets.US_ASCII);
        return s.substring(s.indexOf("Via: ") + 5, s.indexOf("\r\nCall-ID"));
    }

    @Test
    void appendsRportWhenAbsent() {
        assertEquals(
                "SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-a;rport=40001",
                edit("SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-a", null, 40001));
        assertEquals(
                "SIP/2.0/TCP h.example:5060;branch=z9hG4bK-a;received=192.0.2.9;rport=40001",
                edit("SIP/2.0/TCP h.example:5060;branch=z9hG4bK-a", "192.0.2.9", 40001));
    }

    @Test
    void fillsAnExistingRport() {
        assertEquals(
                "SIP/2.0/TCP 192.0.2.1:5060;rport=40002;branch=z9hG4bK-a",
                edit("SIP/2.0/TCP 192.0.2.1:5060;rport;branch=z9hG4bK-a", null, 40002));
    }
}
