package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SipStatusCodeSetTest {
    @Test
    void singleCodeContainsOnlyThatCode() {
        SipStatusCodeSet s = SipStatusCodeSet.parse("503");
        assertTrue(s.contains(503));
        assertFalse(s.contains(502));
        assertFalse(s.contains(504));
        assertFalse(s.contains(200));
        assertEquals("503", s.toString());
        assertEquals("503", SipStatusCodeSet.SERVICE_UNAVAILABLE.toString());
    }

    @Test
    void rangesAndListsCombineAndBlanksAreAllowed() {
        SipStatusCodeSet s = SipStatusCodeSet.parse(" 500-599 , 603,480 - 480");
        for (int c = 500; c <= 599; c++) {
            assertTrue(s.contains(c), Integer.toString(c));
        }
        assertTrue(s.contains(603));
        assertTrue(s.contains(480));
        assertFalse(s.contains(499));
        assertFalse(s.contains(600));
        assertFalse(s.contains(604));
        assertEquals("500-599,603,480", s.toString());
    }

    @Test
    void emptySpecIsTheEmptySet() {
        SipStatusCodeSet s = SipStatusCodeSet.parse("");
        assertTrue(s.isEmpty());
        assertTrue(SipStatusCodeSet.NONE.isEmpty());
        for (int c = 0; c < 1000; c++) {
            assertFalse(s.contains(c));
        }
        assertEquals("", s.toString());
    }

    @Test
    void codesOutsideFinalResponsesAndMalformedItemsAreRejected() {
        assertMessage("not a final response", "180");
        assertMessage("not a final response", "500-700");
        assertMessage("reversed", "599-500");
        assertMessage("not a status code", "5xx");
        assertMessage("not a status code", "503,");
        assertMessage("not a status code", "-503");
        assertMessage("not a status code", "500-");
    }

    @Test
    void codesOutOfRangeAreSimplyNotContained() {
        SipStatusCodeSet all = SipStatusCodeSet.parse("200-699");
        assertTrue(all.contains(200));
        assertTrue(all.contains(699));
        assertFalse(all.contains(-1));
        assertFalse(all.contains(100));
        assertFalse(all.contains(700));
        assertFalse(all.contains(Integer.MAX_VALUE));
    }

    private static void assertMessage(String expected, String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SipStatusCodeSet.parse(spec));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
