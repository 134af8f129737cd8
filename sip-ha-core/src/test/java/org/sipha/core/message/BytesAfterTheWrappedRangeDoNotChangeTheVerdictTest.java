package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A message is framed from the bytes of its range alone: what lies after it in the array (a pooled buffer's stale
 * bytes, the next message of a stream) never changes the verdict. The framer reads a line's first sixteen bytes as
 * two words where the array has room; found by {@link SipMessageViewFuzzTest}.
 */
class BytesAfterTheWrappedRangeDoNotChangeTheVerdictTest {
    private static final String HEAD = "INVITE sip:bob@192.0.2.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1\r\nFrom: <sip:a@192.0.2.2>;tag=1\r\n"
            + "To: <sip:bob@192.0.2.1>\r\nCSeq: 1 INVITE\r\nCall-ID: c\r\n";

    @Test
    void headerNameEndingADatagramIsNotCompletedByAColonAfterIt() {
        assertSameVerdictAloneAndFollowedBy(HEAD + "Max-Forwards", ": 70\r\n\r\n", SipParseResult.BAD_HEADER_LINE);
    }

    @Test
    void bareCrOnTheLastLineIsAControlCharacterWhateverFollowsIt() {
        assertSameVerdictAloneAndFollowedBy(
                HEAD + "\r\u000b", ":\n: \r\n\n:x\r:\n\t:;,\n", SipParseResult.CONTROL_CHARACTER);
    }

    @Test
    void controlByteInAHeaderNameGetsOneVerdictNearTheArrayEndOrNot() {
        assertSameVerdictAloneAndFollowedBy(HEAD + "X\u0001Y: v\r\n", "", SipParseResult.BAD_HEADER_LINE);
        assertSameVerdictAloneAndFollowedBy(HEAD + "X\u0001Y: v\r\n", "\r\n".repeat(8), SipParseResult.BAD_HEADER_LINE);
    }

    /** The datagram {@code message} alone in its array, then with {@code after} behind it: the same verdict. */
    private static void assertSameVerdictAloneAndFollowedBy(String message, String after, SipParseResult expected) {
        byte[] alone = Latin1.bytes(message);
        byte[] followed = Latin1.bytes(message + after);
        assertEquals(expected, new SipMessageView().wrap(alone, 0, alone.length), "alone");
        assertEquals(expected, new SipMessageView().wrap(followed, 0, alone.length), "followed by other bytes");
    }
}
