package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A control byte (bare CR, NUL) in a folded continuation line is refused like one anywhere else outside the
 * body, also when a colon follows it on the line: a continuation has no header name, so the bytes before that
 * colon are value bytes. Found by {@link SipMessageEditorFuzzTest}.
 */
class ControlByteInAContinuationLineIsRefusedTest {
    private static final String HEAD = "OPTIONS sip:bob@192.0.2.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1\r\nFrom: <sip:a@192.0.2.2>;tag=1\r\n"
            + "To: <sip:bob@192.0.2.1>\r\nCSeq: 1 OPTIONS\r\nCall-ID: c\r\n";

    @Test
    void bareCrBeforeAColonInAContinuationLineIsAControlCharacter() {
        assertRefused(HEAD + "Subject: a\r\n \r07From: <sip:c@192.0.2.3>\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void nulBeforeAColonInAContinuationLineIsAControlCharacter() {
        assertRefused(HEAD + "Subject: a\r\n\tb\u0000c: d\r\nContent-Length: 0\r\n\r\n");
    }

    private static void assertRefused(String text) {
        byte[] b = Latin1.bytes(text);
        assertEquals(SipParseResult.CONTROL_CHARACTER, new SipMessageView().wrap(b, 0, b.length), "datagram");
        assertEquals(SipParseResult.CONTROL_CHARACTER, new SipMessageView().wrapStream(b, 0, b.length), "stream");
    }
}
