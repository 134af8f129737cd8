package org.sipha.dispatcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.Fixtures.SET;
import static org.sipha.dispatcher.Fixtures.callIds;
import static org.sipha.dispatcher.Fixtures.dest;
import static org.sipha.dispatcher.Fixtures.equalDestinations;
import static org.sipha.dispatcher.Fixtures.owner;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

class SelectionDistributionTest {
    private static Map<String, Integer> countRandomKeys(final RoutingTableOwner owner, final int n, final long seed) {
        final Map<String, Integer> counts = new HashMap<>();
        for (final String key : callIds(n, seed)) {
            final DestinationEntry e = owner.table().select(SET, KeyHash.of(key));
            assertNotNull(e);
            counts.merge(e.destination().id(), 1, Integer::sum);
        }
        return counts;
    }

    private static Map<String, Integer> countSelections(final RoutingTableOwner owner, final int n) {
        final Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(owner.table().select(SET, i).destination().id(), 1, Integer::sum);
        }
        return counts;
    }

    /** Asserts every id's count is within {@code relativeTolerance} of {@code total * weight / totalWeight}. */
    private static void assertShares(
            final Map<String, Integer> counts,
            final List<Destination> dests,
            final int total,
            final double relativeTolerance) {
        final int totalWeight = dests.stream().mapToInt(Destination::weight).sum();
        for (final Destination d : dests) {
            final double expected = (double) total * d.weight() / totalWeight;
            final int actual = counts.getOrDefault(d.id(), 0);
            assertTrue(
                    Math.abs(actual - expected) <= expected * relativeTolerance,
                    d.id() + ": expected " + expected + " +-" + relativeTolerance * 100 + "%, got " + actual + " in "
                            + counts);
        }
    }

    @Test
    void roundRobinGivesEachActiveDestinationTheSameCount() {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(4));
        final Map<String, Integer> counts = countSelections(owner, 40_000);
        counts.values().forEach(c -> assertTrue(Math.abs(c - 10_000) <= 1, counts.toString()));
    }

    @Test
    void roundRobinSkipsInactiveDestinations() {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(4));
        owner.setHealthState("d2", DestinationState.INACTIVE);
        final Map<String, Integer> counts = countSelections(owner, 30_000);
        assertEquals(3, counts.size());
        counts.values().forEach(c -> assertTrue(Math.abs(c - 10_000) <= 1, counts.toString()));
    }

    @Test
    void roundRobinStartsSuccessiveRequestsAtSuccessiveDestinationsWhenEveryOneFailsOver() {
        for (final Algorithm algorithm : List.of(Algorithm.ROUND_ROBIN, Algorithm.SMOOTH_WEIGHTED_ROUND_ROBIN)) {
            final RoutingTableOwner owner = owner(algorithm, equalDestinations(4));
            final FailoverIterator it = new FailoverIterator();
            final Map<String, Integer> firsts = new HashMap<>();
            for (int i = 0; i < 400; i++) {
                it.reset(owner.table(), SET, 0);
                final DestinationEntry first = it.next();
                firsts.merge(first.destination().id(), 1, Integer::sum);
                final DestinationEntry second = it.next(); // the first choice did not answer
                if (algorithm == Algorithm.ROUND_ROBIN) {
                    assertEquals((first.index() + 1) % 4, second.index(), "failover goes on around the set");
                }
            }
            assertEquals(Map.of("d0", 100, "d1", 100, "d2", 100, "d3", 100), firsts, algorithm.name());
        }
    }

    @Test
    void smoothWeightedRoundRobinInterleavesLikeNginx() {
        final RoutingTableOwner owner =
                owner(Algorithm.SMOOTH_WEIGHTED_ROUND_ROBIN, List.of(dest("a", 5), dest("b", 1), dest("c", 1)));
        final int[] schedule =
                SmoothWeightedRoundRobinSelector.buildSchedule(owner.table().set(SET));
        assertArrayEquals(new int[] {0, 0, 1, 0, 2, 0, 0}, schedule); // a a b a c a a
    }

    @Test
    void smoothWeightedRoundRobinGivesExactWeightedShares() {
        final List<Destination> dests = List.of(dest("a", 50), dest("b", 30), dest("c", 20), dest("z", 0));
        final Map<String, Integer> counts =
                countSelections(owner(Algorithm.SMOOTH_WEIGHTED_ROUND_ROBIN, dests), 10_000);
        assertEquals(5_000, counts.get("a"));
        assertEquals(3_000, counts.get("b"));
        assertEquals(2_000, counts.get("c"));
        assertEquals(null, counts.get("z"));
    }

    @Test
    void weightedRandomFollowsWeights() {
        final List<Destination> dests = List.of(dest("a", 1), dest("b", 2), dest("c", 3), dest("d", 4));
        assertShares(countSelections(owner(Algorithm.WEIGHTED_RANDOM, dests), 200_000), dests, 200_000, 0.03);
    }

    @Test
    void keyHashFollowsWeightsAndSendsTheSameKeyToTheSameDestination() {
        final List<Destination> dests = List.of(dest("a", 1), dest("b", 1), dest("c", 2));
        final RoutingTableOwner owner = owner(Algorithm.KEY_HASH, dests);
        assertShares(countRandomKeys(owner, 60_000, 42), dests, 60_000, 0.05);
        for (final String key : callIds(1_000, 7)) {
            assertSame(owner.table().select(SET, KeyHash.of(key)), owner.table().select(SET, KeyHash.of(key)));
        }
    }

    @Test
    void consistentHashSharesKeysEquallyBetweenEqualDestinations() {
        final List<Destination> dests = equalDestinations(6);
        assertShares(countRandomKeys(owner(Algorithm.CONSISTENT_HASH, dests), 60_000, 42), dests, 60_000, 0.05);
    }

    @Test
    void consistentHashSharesKeysInProportionToWeight() {
        final List<Destination> dests = List.of(dest("a", 1), dest("b", 2), dest("c", 3), dest("d", 4));
        assertShares(countRandomKeys(owner(Algorithm.CONSISTENT_HASH, dests), 100_000, 42), dests, 100_000, 0.04);
    }

    @Test
    void leastCallsKeepsLiveLeasesProportionalToWeight() {
        final List<Destination> dests = List.of(dest("a", 1), dest("b", 3));
        final RoutingTableOwner owner = owner(Algorithm.LEAST_CALLS, dests);
        for (int i = 0; i < 4_000; i++) {
            assertTrue(owner.table().select(SET, 0).tryAcquireLease() >= 0);
        }
        assertEquals(1_000, owner.table().entry("a").runtime().activeLeases(), 1);
        assertEquals(3_000, owner.table().entry("b").runtime().activeLeases(), 1);
    }

    @Test
    void leastCallsSkipsDestinationsAtTheirMaxLoad() {
        final Destination capped = Destination.builder("sip:127.0.9.9")
                .id("capped")
                .weight(100)
                .attribute("maxload", "10")
                .build();
        final RoutingTableOwner owner = owner(Algorithm.LEAST_CALLS, List.of(capped, dest("b", 1)));
        for (int i = 0; i < 1_000; i++) {
            assertTrue(owner.table().select(SET, 0).tryAcquireLease() >= 0);
        }
        assertEquals(10, owner.table().entry("capped").runtime().activeLeases());
        assertEquals(990, owner.table().entry("b").runtime().activeLeases());
    }

    @Test
    void lowestLatencySharesBetweenNearTiesAndExploresTheSlowOneRarely() {
        final RoutingTableOwner owner = owner(Algorithm.LOWEST_LATENCY, equalDestinations(3));
        owner.healthSink().onLatencySample("d0", 1_000_000);
        owner.healthSink().onLatencySample("d1", 1_100_000); // within the default 20 % tolerance
        owner.healthSink().onLatencySample("d2", 5_000_000);
        final int n = 128_000;
        final Map<String, Integer> counts = countSelections(owner, n);
        // Exploration: 1 in 64 uniformly over 3 -> d2 expected n / 192 = 667.
        assertEquals(667, counts.get("d2"), 667 * 0.25, counts.toString());
        assertEquals((n - 667) / 2.0, counts.get("d0"), n * 0.02, counts.toString());
        assertEquals((n - 667) / 2.0, counts.get("d1"), n * 0.02, counts.toString());
    }

    @Test
    void priorityGroupsUseTheHighestPriorityWithWeightsInsideIt() {
        final List<Destination> dests = List.of(dest("backup", 1, 5), dest("a", 1, 10), dest("b", 3, 10));
        final RoutingTableOwner owner = owner(Algorithm.PRIORITY_GROUPS, dests);
        final Map<String, Integer> counts = countSelections(owner, 100_000);
        assertEquals(null, counts.get("backup"));
        assertShares(counts, dests.subList(1, 3), 100_000, 0.03);

        owner.setHealthState("a", DestinationState.INACTIVE);
        owner.setAdminDisabled("b", true);
        assertEquals(Map.of("backup", 1_000), countSelections(owner, 1_000));
    }
}
