package org.sipha.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.Fixtures.SET;
import static org.sipha.dispatcher.Fixtures.callIds;
import static org.sipha.dispatcher.Fixtures.dest;
import static org.sipha.dispatcher.Fixtures.equalDestinations;
import static org.sipha.dispatcher.Fixtures.owner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

/**
 * What moves when a destination leaves or joins a {@link Algorithm#CONSISTENT_HASH} set, and how well bounded
 * load holds. The figures printed are the ones quoted in the change description.
 */
class ConsistentHashRemapTest {
    private static final int KEYS = 60_000;

    private static String[] assign(final RoutingTable table, final String[] keys) {
        final String[] to = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            to[i] = table.select(SET, KeyHash.of(keys[i])).destination().id();
        }
        return to;
    }

    @Test
    void destinationGoingDownMovesOnlyItsKeysAndSpreadsThemOverAllSurvivors() {
        final RoutingTableOwner owner = owner(Algorithm.CONSISTENT_HASH, equalDestinations(6));
        final String[] keys = callIds(KEYS, 42);
        final String[] before = assign(owner.table(), keys);
        owner.setHealthState("d5", DestinationState.INACTIVE);
        final String[] after = assign(owner.table(), keys);

        final Map<String, Integer> movedTo = new HashMap<>();
        int orphans = 0;
        for (int i = 0; i < KEYS; i++) {
            if (before[i].equals("d5")) {
                orphans++;
                movedTo.merge(after[i], 1, Integer::sum);
            } else {
                assertEquals(before[i], after[i], "a key not on d5 moved");
            }
        }
        System.out.printf("leave: %d of %d keys were on d5, now spread %s%n", orphans, KEYS, movedTo);
        assertEquals(5, movedTo.size());
        for (final int n : movedTo.values()) {
            assertEquals(orphans / 5.0, n, orphans / 5.0 * 0.1, movedTo.toString());
        }
    }

    @Test
    void destinationRemovedByReloadBehavesAsOneGoingDown() {
        final RoutingTableOwner owner = owner(Algorithm.CONSISTENT_HASH, equalDestinations(6));
        final String[] keys = callIds(KEYS, 43);
        owner.setHealthState("d2", DestinationState.INACTIVE);
        final String[] down = assign(owner.table(), keys);
        final List<Destination> five = new ArrayList<>(equalDestinations(6));
        five.remove(2);
        owner.reload(Fixtures.config(Algorithm.CONSISTENT_HASH, five));
        assertEquals(List.of(down), List.of(assign(owner.table(), keys)));
    }

    @Test
    void destinationJoiningTakesOnlyItsFairShareAndNothingElseMoves() {
        final RoutingTableOwner owner = owner(Algorithm.CONSISTENT_HASH, equalDestinations(6));
        final String[] keys = callIds(KEYS, 44);
        final String[] before = assign(owner.table(), keys);
        owner.reload(Fixtures.config(Algorithm.CONSISTENT_HASH, equalDestinations(7)));
        final String[] after = assign(owner.table(), keys);

        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            if (!before[i].equals(after[i])) {
                assertEquals("d6", after[i], "a key moved between old destinations");
                moved++;
            }
        }
        System.out.printf("join: %d of %d keys moved, all to the new d6 (fair share %d)%n", moved, KEYS, KEYS / 7);
        assertEquals(KEYS / 7.0, moved, KEYS / 7.0 * 0.05);
    }

    @Test
    void weightChangeMovesKeysOnlyToOrFromTheChangedDestination() {
        final List<Destination> dests = new ArrayList<>(equalDestinations(4));
        final RoutingTableOwner owner = owner(Algorithm.CONSISTENT_HASH, dests);
        final String[] keys = callIds(KEYS, 45);
        final String[] before = assign(owner.table(), keys);
        dests.set(0, dest("d0", 2));
        owner.reload(Fixtures.config(Algorithm.CONSISTENT_HASH, dests));
        final String[] after = assign(owner.table(), keys);
        for (int i = 0; i < KEYS; i++) {
            assertTrue(before[i].equals(after[i]) || after[i].equals("d0"), "key moved away from d0's peers");
        }
    }

    @Test
    void boundedLoadKeepsEverySurvivorWithinOneQuarterAboveFairShare() {
        // 6 equal destinations, one down, 60,000 Call-IDs, each call holding its lease: the target.
        final RoutingTableOwner owner = owner(Algorithm.CONSISTENT_HASH, equalDestinations(6));
        owner.setHealthState("d3", DestinationState.INACTIVE);
        final double ratio = maxOverFair(owner, callIds(KEYS, 46), true);
        final double plain = maxOverFair(down("d3"), callIds(KEYS, 46), false);
        System.out.printf(
                "bounded load, 6 destinations one down, %d Call-IDs: max/fair %.4f (plain rendezvous %.4f)%n",
                KEYS, ratio, plain);
        assertTrue(ratio <= 1.25, "max/fair " + ratio);
    }

    @Test
    void boundedLoadCapsAHotKeyWorkloadThatPlainHashingCannot() {
        // 60,000 calls over only 12 distinct keys (a few very busy trunks): hashing alone piles them up.
        final String[] hot = callIds(12, 47);
        final String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = hot[i % hot.length];
        }
        final RoutingTableOwner bounded = owner(Algorithm.CONSISTENT_HASH, equalDestinations(5));
        final double ratio = maxOverFair(bounded, keys, true);
        final double plain = maxOverFair(owner(Algorithm.CONSISTENT_HASH, equalDestinations(5)), keys, false);
        System.out.printf("hot keys (12 distinct): max/fair bounded %.4f, plain %.4f%n", ratio, plain);
        assertTrue(ratio <= 1.25, "bounded max/fair " + ratio);
        assertTrue(plain > 1.25, "plain hashing was expected to exceed the bound here: " + plain);
    }

    private static RoutingTableOwner down(final String id) {
        final RoutingTableOwner o = owner(Algorithm.CONSISTENT_HASH, equalDestinations(6));
        o.setHealthState(id, DestinationState.INACTIVE);
        return o;
    }

    /** Routes every key, holding a lease for each when {@code lease}; returns the busiest active count over the fair share. */
    private static double maxOverFair(final RoutingTableOwner owner, final String[] keys, final boolean lease) {
        final RoutingTable table = owner.table();
        final Map<String, Integer> counts = new HashMap<>();
        for (final String key : keys) {
            final DestinationEntry e = table.select(SET, KeyHash.of(key));
            if (lease) {
                assertTrue(e.tryAcquireLease() >= 0);
            }
            counts.merge(e.destination().id(), 1, Integer::sum);
        }
        final double fair = (double) keys.length / table.set(SET).activeCount();
        return counts.values().stream().mapToInt(Integer::intValue).max().orElseThrow() / fair;
    }
}
