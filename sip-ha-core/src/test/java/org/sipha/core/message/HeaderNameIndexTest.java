package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The framer's word-compare classifier agrees with the name table, and its shortcuts never over-match. */
class HeaderNameIndexTest {
    private static SipHeaderName classify(String name) {
        // Trailing bytes as on the wire, so the three-word loads stay inside the array.
        byte[] b = Latin1.bytes(name + ": value that is long enough\r\n");
        SipHeaderName byBytes = SipHeaderName.ofOrdinal(HeaderNameIndex.classify(b, 0, name.length()));
        // The framer's entry, given the two words it loaded for the colon search, must agree.
        SipHeaderName byWords = SipHeaderName.ofOrdinal(
                HeaderNameIndex.classify(b, 0, name.length(), littleEndianWord(b, 0), littleEndianWord(b, 8)));
        assertEquals(byBytes, byWords, name);
        return byBytes;
    }

    private static long littleEndianWord(byte[] b, int off) {
        long w = 0;
        for (int i = 0; i < 8; i++) {
            w |= (b[off + i] & 0xffL) << (8 * i);
        }
        return w;
    }

    private static SipHeaderName classifyAtArrayEnd(String name) {
        byte[] b = Latin1.bytes(name);
        return SipHeaderName.ofOrdinal(HeaderNameIndex.classify(b, 0, name.length()));
    }

    @Test
    void everyKnownNameAndCompactFormIsFoundInAnyCase() {
        for (SipHeaderName h : SipHeaderName.values()) {
            if (h == SipHeaderName.OTHER) {
                continue;
            }
            String n = h.canonicalName();
            for (String spelled : new String[] {n, n.toLowerCase(Locale.ROOT), n.toUpperCase(Locale.ROOT)}) {
                assertEquals(h, classify(spelled), spelled);
                assertEquals(h, classifyAtArrayEnd(spelled), spelled);
            }
            if (h.compactForm() != 0) {
                String c = String.valueOf(h.compactForm());
                assertEquals(h, classify(c), c);
                assertEquals(h, classify(c.toUpperCase(Locale.ROOT)), c);
                assertEquals(h, classifyAtArrayEnd(c), c);
            }
        }
    }

    @Test
    void aNameSharingACandidatesSlotButNotItsLengthIsOther() {
        // Same slot as the compact form "x" (Session-Expires): found by the property tests.
        assertEquals(SipHeaderName.OTHER, classify("X-aaaaaaaaw"));
        assertEquals(SipHeaderName.OTHER, classifyAtArrayEnd("X-aaaaaaaaw"));
    }

    @Test
    void bytesThatCaseFoldingWouldAliasDoNotMatch() {
        // OR-ing 0x20 turns '\r' into '-' and 0x04 into '$'; the compare ORs only at letter positions, so
        // neither may pass for a name's '-' or letter. Near misses in length, letters and slot must not match.
        assertEquals(SipHeaderName.OTHER, classify("Call\rID"));
        assertEquals(SipHeaderName.OTHER, classify("Call-I\u0004"));
        assertEquals(SipHeaderName.OTHER, classify("Vi@"));
        assertEquals(SipHeaderName.OTHER, classify("Fro"));
        assertEquals(SipHeaderName.OTHER, classify("Froms"));
        assertEquals(SipHeaderName.OTHER, classify("Request-Dispositio_"));
        assertEquals(SipHeaderName.OTHER, classify("Xia"));
        assertEquals(SipHeaderName.OTHER, classify("6"));
    }
}
