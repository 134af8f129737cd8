package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.RoutingTableOwner;

/** Slow start through {@link DispatcherNextHopSelector#setTrafficShare}: a ramping destination takes only its share. */
class SlowStartSelectionTest {
    private final RoutingTableOwner owner;
    private final DispatcherNextHopSelector selector;

    SlowStartSelectionTest() {
        owner = TwoPbxTable.create();
        selector = new DispatcherNextHopSelector(owner, 1);
    }

    /** First choices of {@code calls} calls that went to port 5081 ("a"). */
    private int firstChoicesOfA(int calls) {
        DispatcherNextHopSelector.Cursor c = selector.newCursor();
        int a = 0;
        for (int i = 0; i < calls; i++) {
            c.reset(i);
            NextHop d = c.next();
            c.release();
            a += d.address().getPort() == 5081 ? 1 : 0;
        }
        return a;
    }

    @Test
    void aRampingDestinationTakesItsShareAndIsStillTheLastResort() {
        assertEquals(500, firstChoicesOfA(1000), "round robin: half each");

        selector.setTrafficShare("a", 0.0);
        assertEquals(0, firstChoicesOfA(1000), "share 0: only when nothing else is left");
        DispatcherNextHopSelector.Cursor c = selector.newCursor();
        c.reset(1);
        NextHop first = c.next();
        NextHop second = c.next();
        assertEquals(5082, first.address().getPort());
        assertEquals(5081, second.address().getPort(), "a deferred destination is still offered for failover");
        assertNull(c.next());

        owner.setHealthState("b", DestinationState.INACTIVE);
        assertEquals(1000, firstChoicesOfA(1000), "the only usable destination takes everything whatever its share");
        owner.setHealthState("b", DestinationState.ACTIVE);

        selector.setTrafficShare("a", 0.5);
        int a = firstChoicesOfA(10_000);
        // Half of its round-robin half: near a quarter.
        assertTrue(a > 2_000 && a < 3_000, "a reduced share of its round-robin half, was " + a);

        selector.setTrafficShare("a", 1.0);
        assertEquals(5_000, firstChoicesOfA(10_000), "ramp over: back to its full share");
    }
}
