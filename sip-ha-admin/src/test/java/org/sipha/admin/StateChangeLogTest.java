package org.sipha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring of recent changes keeps the newest, newest first, and the last change of each subject. */
class StateChangeLogTest {
    @Test
    void keepsTheNewestChangesAndTheLastOfEachSubject() {
        StateChangeLog log = new StateChangeLog(3);
        for (int i = 1; i <= 5; i++) {
            log.record(new StateChange(i, i % 2 == 0 ? "even" : "odd", "", "s" + i, "c"));
        }
        assertEquals(
                List.of("s5", "s4", "s3"),
                log.recent(10).stream().map(StateChange::to).toList());
        assertEquals(List.of("s5"), log.recent(1).stream().map(StateChange::to).toList());
        assertEquals("s4", log.last("even").to());
        log.forget("even");
        assertNull(log.last("even"));
    }
}
