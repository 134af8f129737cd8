package org.sipha.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.dispatcher.Fixtures.SET;
import static org.sipha.dispatcher.Fixtures.dest;
import static org.sipha.dispatcher.Fixtures.equalDestinations;
import static org.sipha.dispatcher.Fixtures.owner;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.RoutingDiff.Kind;

class RoutingTableOwnerTest {
    private static DispatcherConfig twoSets(final Algorithm set2Algorithm, final Destination... set1) {
        final DestinationSetConfig.Builder one = DestinationSetConfig.builder(1).algorithm(Algorithm.ROUND_ROBIN);
        List.of(set1).forEach(one::add);
        return DispatcherConfig.builder()
                .set(one.build())
                .set(DestinationSetConfig.builder(2)
                        .algorithm(set2Algorithm)
                        .add(dest("x", 1))
                        .build())
                .build();
    }

    @Test
    void reloadKeepsLeasesLatencyAndStateOfDestinationsWhoseIdStays() {
        final RoutingTableOwner owner =
                new RoutingTableOwner(twoSets(Algorithm.ROUND_ROBIN, dest("a", 1), dest("b", 1)));
        final DestinationRuntime a = owner.table().entry("a").runtime();
        final long token = owner.table().entry("a").tryAcquireLease();
        owner.healthSink().onLatencySample("a", 2_000_000);
        owner.setHealthState("a", DestinationState.PROBING);
        final long version = owner.table().version();

        owner.reload(twoSets(Algorithm.ROUND_ROBIN, dest("a", 7), dest("c", 1)));

        assertEquals(version + 1, owner.table().version());
        assertSame(a, owner.table().entry("a").runtime());
        assertEquals(7, owner.table().entry("a").destination().weight());
        assertEquals(1, a.activeLeases());
        assertEquals(2_000_000, a.latencyEwmaNs());
        assertEquals(DestinationState.PROBING, owner.table().state("a"));
        assertNull(owner.table().entry("b"));
        assertTrue(
                owner.table().entry("a").releaseLease(token), "a lease taken before the reload is released after it");
    }

    @Test
    void destinationRemovedAndAddedBackStartsFresh() {
        final RoutingTableOwner owner =
                new RoutingTableOwner(twoSets(Algorithm.ROUND_ROBIN, dest("a", 1), dest("b", 1)));
        final DestinationRuntime b = owner.table().entry("b").runtime();
        owner.setHealthState("b", DestinationState.INACTIVE);
        owner.reload(twoSets(Algorithm.ROUND_ROBIN, dest("a", 1)));
        owner.reload(twoSets(Algorithm.ROUND_ROBIN, dest("a", 1), dest("b", 1)));
        assertNotSame(b, owner.table().entry("b").runtime());
        assertEquals(DestinationState.ACTIVE, owner.table().state("b"));
    }

    @Test
    void diffDescribesAReloadWithoutApplyingIt() {
        final RoutingTableOwner owner =
                new RoutingTableOwner(twoSets(Algorithm.ROUND_ROBIN, dest("a", 1), dest("b", 1)));
        final RoutingTable before = owner.table();
        final DispatcherConfig next = DispatcherConfig.builder()
                .set(DestinationSetConfig.builder(1)
                        .algorithm(Algorithm.LEAST_CALLS)
                        .add(dest("a", 5))
                        .add(dest("c", 1))
                        .build())
                .set(DestinationSetConfig.builder(3).add(dest("y", 1)).build())
                .build();

        final RoutingDiff diff = owner.diff(next);

        assertSame(before, owner.table(), "dry run publishes nothing");
        assertEquals(before.version(), diff.baseVersion());
        assertEquals(
                List.of("CHANGED set 1 ROUND_ROBIN -> LEAST_CALLS", "REMOVED set 2", "ADDED set 3"),
                diff.setChanges().stream().map(Object::toString).toList());
        assertEquals(
                List.of("a"),
                diff.destinationChanges(Kind.CHANGED).stream()
                        .map(RoutingDiff.DestinationChange::id)
                        .toList());
        assertEquals(
                List.of("c", "y"),
                diff.destinationChanges(Kind.ADDED).stream()
                        .map(RoutingDiff.DestinationChange::id)
                        .toList());
        assertEquals(
                List.of("b", "x"),
                diff.destinationChanges(Kind.REMOVED).stream()
                        .map(RoutingDiff.DestinationChange::id)
                        .toList());
        assertEquals(diff.toString(), owner.reload(next).toString());
        assertTrue(owner.diff(next).isEmpty());
    }

    @Test
    void adminDisableOverridesHealthUntilReEnabled() {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        assertTrue(owner.setAdminDisabled("d0", true));
        owner.setHealthState("d0", DestinationState.ACTIVE);
        assertEquals(DestinationState.DISABLED, owner.table().state("d0"));
        owner.setHealthState("d0", DestinationState.INACTIVE);
        owner.setAdminDisabled("d0", false);
        assertEquals(DestinationState.INACTIVE, owner.table().state("d0"), "health state applies again");
        assertThrows(IllegalArgumentException.class, () -> owner.setHealthState("d0", DestinationState.DISABLED));
        assertFalse(owner.setHealthState("nope", DestinationState.ACTIVE));
    }

    @Test
    void aDisableReportedThroughTheSinkIsLiftedByTheSinkButAnOperatorsIsNot() {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        owner.healthSink().onStateChange("d0", DestinationState.DISABLED); // the health side's operator
        owner.doWork();
        assertEquals(DestinationState.DISABLED, owner.table().state("d0"));
        owner.healthSink().onStateChange("d0", DestinationState.PROBING); // ... enabled it again
        owner.doWork();
        assertEquals(DestinationState.PROBING, owner.table().state("d0"));

        owner.setAdminDisabled("d1", true);
        owner.healthSink().onStateChange("d1", DestinationState.DISABLED);
        owner.healthSink().onStateChange("d1", DestinationState.ACTIVE);
        owner.doWork();
        assertEquals(DestinationState.DISABLED, owner.table().state("d1"), "only setAdminDisabled lifts its own");
        owner.setAdminDisabled("d1", false);
        assertEquals(DestinationState.ACTIVE, owner.table().state("d1"));
    }

    @Test
    void queuedHealthChangesAreAppliedByTheOwnerInOnePublication() {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(3));
        final long version = owner.table().version();
        owner.healthSink().onStateChange("d0", DestinationState.INACTIVE);
        owner.healthSink().onStateChange("d1", DestinationState.PROBING);
        owner.healthSink().onStateChange("unknown", DestinationState.INACTIVE);
        assertEquals(version, owner.table().version(), "nothing applied before the owner's duty cycle");
        assertEquals(3, owner.doWork());
        assertEquals(version + 1, owner.table().version());
        assertEquals(1, owner.table().set(SET).activeCount());
        assertEquals(0, owner.doWork());
    }

    @Test
    void aKeptDestinationFollowsItsDisabledFlagWhenTheFlagChangesAndOnlyThen() {
        final DestinationSetConfig set = DestinationSetConfig.builder(SET)
                .add(dest("a", 1))
                .add(dest("b", 1))
                .add(dest("c", 1))
                .build();
        final RoutingTableOwner owner = new RoutingTableOwner(DispatcherConfig.builder()
                .set(set)
                .initialState("b", DestinationState.DISABLED)
                .build());
        owner.setAdminDisabled("c", true); // an operator's, at runtime
        final DispatcherConfig next = DispatcherConfig.builder()
                .set(set)
                .initialState("a", DestinationState.DISABLED)
                .build();
        final RoutingDiff diff = owner.reload(next);
        assertEquals(
                List.of(new RoutingDiff.AdminChange("a", true), new RoutingDiff.AdminChange("b", false)),
                diff.adminChanges());
        assertFalse(diff.isEmpty());
        assertEquals(DestinationState.DISABLED, owner.table().state("a"), "flag 4 set on a kept destination");
        assertEquals(DestinationState.ACTIVE, owner.table().state("b"), "flag 4 cleared");
        assertEquals(DestinationState.DISABLED, owner.table().state("c"), "the operator's disable stays");
        assertTrue(owner.reload(next).isEmpty(), "the same flags again change nothing");
        assertEquals(DestinationState.DISABLED, owner.table().state("c"));
    }

    @Test
    void initialStatesApplyOnlyToNewIds() {
        final DispatcherConfig config = DispatcherConfig.builder()
                .set(DestinationSetConfig.builder(SET)
                        .add(dest("a", 1))
                        .add(dest("b", 1))
                        .build())
                .initialState("b", DestinationState.DISABLED)
                .build();
        final RoutingTableOwner owner = new RoutingTableOwner(config);
        assertEquals(DestinationState.DISABLED, owner.table().state("b"));
        owner.setHealthState("a", DestinationState.INACTIVE);
        owner.reload(DispatcherConfig.builder()
                .set(config.sets().get(SET))
                .initialState("a", DestinationState.ACTIVE)
                .build());
        assertEquals(DestinationState.INACTIVE, owner.table().state("a"), "kept id keeps its reported state");
    }

    @Test
    void invalidMaxLoadIsRejectedWhenTheConfigurationIsBuilt() {
        final Destination bad = Destination.builder("sip:h")
                .id("h")
                .attribute("maxload", "lots")
                .build();
        assertThrows(
                IllegalArgumentException.class,
                () -> DestinationSetConfig.builder(1).add(bad).build());
    }
}
