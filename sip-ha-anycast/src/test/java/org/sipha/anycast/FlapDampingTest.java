package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FlapDampingTest {
    private static final long S = 1_000_000_000L;

    @Test
    void penaltyHalvesEveryHalfLife() {
        FlapDamping d = new FlapDamping(1000, 2000, 750, 8000, 30 * S);
        d.charge(0);
        assertEquals(1000, d.penalty(0), 1e-9);
        assertEquals(500, d.penalty(30 * S), 1e-6);
        assertEquals(250, d.penalty(60 * S), 1e-6);
    }

    @Test
    void suppressesAtLimitAndReleasesBelowReuse() {
        FlapDamping d = new FlapDamping(1000, 2000, 750, 8000, 30 * S);
        d.charge(0);
        d.charge(0);
        assertTrue(d.suppressed(0));
        long delay = d.reuseDelayNs(0); // 2000 -> 750: log2(2000/750) = 1.415 half-lives
        assertEquals(1.415 * 30 * S, delay, 0.01 * S);
        assertTrue(d.suppressed(delay - S));
        assertFalse(d.suppressed(delay));
    }

    @Test
    void penaltyIsCappedAtMaximum() {
        FlapDamping d = new FlapDamping(1000, 2000, 750, 3000, 30 * S);
        for (int i = 0; i < 10; i++) {
            d.charge(0);
        }
        assertEquals(3000, d.penalty(0), 1e-9);
    }
}
