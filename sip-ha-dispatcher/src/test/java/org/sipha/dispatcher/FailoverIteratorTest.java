package org.sipha.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.Fixtures.SET;
import static org.sipha.dispatcher.Fixtures.callIds;
import static org.sipha.dispatcher.Fixtures.dest;
import static org.sipha.dispatcher.Fixtures.equalDestinations;
import static org.sipha.dispatcher.Fixtures.owner;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

class FailoverIteratorTest {
    /** 70 destinations (more than one bitset word), priorities 0..2, weights 1..3, every 4th one down. */
    private static RoutingTableOwner bigSetWithSomeDown(final Algorithm algorithm) {
        final List<Destination> dests = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            dests.add(dest("d" + i, 1 + i % 3, i % 3));
        }
        final RoutingTableOwner owner = owner(algorithm, dests);
        for (int i = 0; i < 70; i += 4) {
            owner.setHealthState("d" + i, i % 8 == 0 ? DestinationState.INACTIVE : DestinationState.PROBING);
        }
        return owner;
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void givesEveryActiveDestinationExactlyOnceThenNull(final Algorithm algorithm) {
        final RoutingTableOwner owner = bigSetWithSomeDown(algorithm);
        owner.healthSink().onLatencySample("d1", 5_000_000);
        final RoutingTable table = owner.table();
        final FailoverIterator it = new FailoverIterator();
        for (final String key : callIds(50, 3)) {
            it.reset(table, SET, KeyHash.of(key));
            final Set<String> seen = new HashSet<>();
            for (DestinationEntry e; (e = it.next()) != null; ) {
                assertEquals(DestinationState.ACTIVE, e.state());
                assertTrue(seen.add(e.destination().id()), "repeated " + e);
            }
            assertEquals(table.set(SET).activeCount(), seen.size());
            assertEquals(seen.size(), it.attempts());
            assertNull(it.next(), "stays exhausted");
        }
    }

    @Test
    void consistentHashFailsOverToWhereTheKeyGoesWhenItsFirstChoiceIsDown() {
        final RoutingTableOwner owner = owner(Algorithm.CONSISTENT_HASH, equalDestinations(6));
        final FailoverIterator it = new FailoverIterator();
        for (final String key : callIds(500, 4)) {
            final long hash = KeyHash.of(key);
            final DestinationEntry first = it.reset(owner.table(), SET, hash).next();
            final String second = it.next().destination().id();
            owner.setHealthState(first.destination().id(), DestinationState.INACTIVE);
            assertEquals(second, owner.table().select(SET, hash).destination().id());
            owner.setHealthState(first.destination().id(), DestinationState.ACTIVE);
        }
    }

    @Test
    void priorityGroupsTryEveryHigherPriorityDestinationBeforeALowerOne() {
        final RoutingTableOwner owner = owner(
                Algorithm.PRIORITY_GROUPS,
                List.of(dest("low", 1, 1), dest("high1", 1, 9), dest("mid", 1, 5), dest("high2", 5, 9)));
        final FailoverIterator it = new FailoverIterator().reset(owner.table(), SET, 0);
        final Set<String> firstTwo =
                Set.of(it.next().destination().id(), it.next().destination().id());
        assertEquals(Set.of("high1", "high2"), firstTwo);
        assertEquals("mid", it.next().destination().id());
        assertEquals("low", it.next().destination().id());
        assertNull(it.next());
    }

    @Test
    void unknownSetYieldsNothing() {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        assertNull(new FailoverIterator().reset(owner.table(), 99, 0).next());
        assertNull(owner.table().select(99, 0));
    }

    @Test
    void iteratorKeepsUsingTheSnapshotItWasResetWith() {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(3));
        final FailoverIterator it = new FailoverIterator().reset(owner.table(), SET, 0);
        final DestinationEntry first = it.next();
        owner.setAdminDisabled("d0", true);
        owner.setAdminDisabled("d1", true);
        owner.setAdminDisabled("d2", true);
        assertNull(owner.table().select(SET, 0), "the new snapshot has nothing active");
        // The request in flight finishes its failover on the snapshot it started with, where all were ACTIVE.
        final Set<String> seen = new HashSet<>(Set.of(first.destination().id()));
        for (DestinationEntry e; (e = it.next()) != null; ) {
            assertEquals(DestinationState.ACTIVE, e.state());
            seen.add(e.destination().id());
        }
        assertEquals(Set.of("d0", "d1", "d2"), seen);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void selectionAndFailoverAllocateNothing(final Algorithm algorithm) {
        final RoutingTableOwner owner = bigSetWithSomeDown(algorithm);
        final RoutingTable table = owner.table();
        final FailoverIterator it = new FailoverIterator();
        final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int round = 0; round < 2; round++) // round 0 warms up (class loading, bitset growth)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++) {
                sink += table.select(SET, i).index();
                it.reset(table, SET, i);
                sink += it.next().index() + it.next().index();
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                // Measurement noise only (the MXBean call itself); one allocation per selection would be >= 480 KB.
                assertTrue(allocated < 1_024, algorithm + " allocated " + allocated + " bytes for 60,000 selections");
            }
        }
        assertTrue(sink > 0);
    }
}
