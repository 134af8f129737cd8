package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.RoutingTableOwner;

/**
 * {@link DispatcherNextHopSelector#isUsable} (may take new calls) against {@link DispatcherNextHopSelector#isDown}
 * (health found it down, so its ringing calls move): an operator's disable stops new calls but moves no ringing one.
 */
class SelectorUsableAndDownTest {
    private final RoutingTableOwner owner;
    private final DispatcherNextHopSelector selector;
    private final NextHop b = NextHop.of(Destination.of("b", "sip:127.0.0.1:5082"));

    SelectorUsableAndDownTest() {
        owner = TwoPbxTable.create();
        selector = new DispatcherNextHopSelector(owner, 1);
    }

    @Test
    void healthStatesAreDownAnAdminDisableIsNot() {
        assertTrue(selector.isUsable(b));
        assertFalse(selector.isDown(b), "active");

        long v = selector.version();
        owner.setHealthState("b", DestinationState.INACTIVE);
        assertTrue(selector.version() != v, "the engine notices the change through the version");
        assertFalse(selector.isUsable(b));
        assertTrue(selector.isDown(b), "ejected or failing its probes");

        owner.setHealthState("b", DestinationState.PROBING);
        assertTrue(selector.isDown(b), "probing again, not yet risen");

        owner.setHealthState("b", DestinationState.ACTIVE);
        owner.setAdminDisabled("b", true);
        assertFalse(selector.isUsable(b), "disabled: no new calls");
        assertFalse(selector.isDown(b), "but its ringing calls stay");

        assertFalse(selector.isDown(NextHop.of(Destination.of("x", "sip:127.0.0.1:5099"))), "not in the set");
    }
}
