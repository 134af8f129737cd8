package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RestartBudgetTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void delaysDoubleWithRecentRestartsAndTheBudgetRefusesOneTooMany() {
        RestartBudget b = new RestartBudget(3, 60_000);
        long t = 1_000 * SECOND;
        assertEquals(500, b.nextDelayMs(t));
        assertEquals(1_000, b.nextDelayMs(t + SECOND));
        assertEquals(2_000, b.nextDelayMs(t + 2 * SECOND));
        assertEquals(-1, b.nextDelayMs(t + 3 * SECOND), "a fourth restart within 60 s");
        assertEquals(500, b.nextDelayMs(t + 62 * SECOND), "once the window has passed, the first delay again");
    }

    @Test
    void theDelayIsCappedAndAnEmptyBudgetRefusesAtOnce() {
        RestartBudget b = new RestartBudget(10, 600_000);
        long last = 0;
        for (int i = 0; i < 10; i++) {
            last = b.nextDelayMs(i * SECOND);
        }
        assertEquals(8_000, last);
        assertEquals(-1, new RestartBudget(0, 1_000).nextDelayMs(0));
    }
}
