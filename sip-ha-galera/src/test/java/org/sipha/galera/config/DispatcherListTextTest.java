package org.sipha.galera.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DispatcherListTextTest {
    private static final String LIST = """
            # setid destination [flags [priority [attrs]]]
            1 sip:10.0.0.11:5060 0 10 duid=pbx1;weight=50   # first PBX
            1 sip:10.0.0.12:5060;transport=tcp
              2	sip:10.0.1.1:5060 4
            """;

    @Test
    void readsEveryColumnAndKeepsATrailingCommentAsTheDescription() {
        List<DispatcherRow> rows = DispatcherListText.parse(LIST);
        assertEquals(
                List.of(
                        new DispatcherRow(1, "sip:10.0.0.11:5060", 0, 10, "duid=pbx1;weight=50", "first PBX"),
                        DispatcherRow.of(1, "sip:10.0.0.12:5060;transport=tcp", 0, 0, ""),
                        DispatcherRow.of(2, "sip:10.0.1.1:5060", 4, 0, "")),
                rows);
    }

    @Test
    void renderedRowsReadBackTheSame() {
        List<DispatcherRow> rows = DispatcherListText.parse(LIST);
        assertEquals(rows, DispatcherListText.parse(DispatcherListText.render(rows)));
        assertEquals(
                "1 sip:10.0.0.11:5060 0 10 duid=pbx1;weight=50 # first PBX",
                rows.get(0).toListLine());
    }

    @Test
    void aLineWithTooManyColumnsOrAWordForANumberNamesItsLine() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> DispatcherListText.parse("1 sip:a:5060\n1 sip:b:5060 0 0 w=1 extra\n"));
        assertTrue(e.getMessage().startsWith("line 2:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DispatcherListText.parse("\n\none sip:a:5060\n"));
        assertTrue(e.getMessage().startsWith("line 3: set id"), e.getMessage());
    }

    @Test
    void aRowThatWouldNotBeOneListLineIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DispatcherRow.of(1, "sip:a b", 0, 0, ""));
        assertThrows(IllegalArgumentException.class, () -> DispatcherRow.of(1, "sip:a#b", 0, 0, ""));
        assertThrows(IllegalArgumentException.class, () -> DispatcherRow.of(1, "", 0, 0, ""));
        assertThrows(IllegalArgumentException.class, () -> new DispatcherRow(1, "sip:a", 0, 0, "", "two\nlines"));
    }
}
