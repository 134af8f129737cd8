package org.sipha.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.sipha.dispatcher.Fixtures.equalDestinations;
import static org.sipha.dispatcher.Fixtures.owner;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.DestinationState;

class RoutingTableWriterTest {
    private static final long WAIT_MS = 10_000;

    @Test
    void healthChangesReportedToItsSinkReachTheTableWithNoOtherThreadCallingDoWork() throws InterruptedException {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        try (RoutingTableWriter writer = new RoutingTableWriter(owner, "test-writer-a").start()) {
            writer.healthSink().onStateChange("d0", DestinationState.INACTIVE);
            await(() -> owner.table().state("d0") == DestinationState.INACTIVE, "d0 INACTIVE");
            assertEquals(DestinationState.ACTIVE, owner.table().state("d1"));

            writer.healthSink().onStateChange("d0", DestinationState.ACTIVE);
            await(() -> owner.table().state("d0") == DestinationState.ACTIVE, "d0 ACTIVE again");
        }
    }

    @Test
    void changesReportedBeforeStartAreAppliedOnceItRuns() throws InterruptedException {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        final RoutingTableWriter writer = new RoutingTableWriter(owner, "test-writer-b");
        writer.healthSink().onStateChange("d1", DestinationState.PROBING);
        assertEquals(DestinationState.ACTIVE, owner.table().state("d1"), "nothing applies before start");
        try (writer) {
            writer.start();
            await(() -> owner.table().state("d1") == DestinationState.PROBING, "d1 PROBING");
        }
    }

    @Test
    void submittedCommandsRunOnTheWriterThreadWithTheOwner() throws Exception {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        try (RoutingTableWriter writer = new RoutingTableWriter(owner, "test-writer-e").start()) {
            final String thread = writer.submit(o -> {
                        o.setAdminDisabled("d1", true);
                        return Thread.currentThread().getName();
                    })
                    .get(WAIT_MS, TimeUnit.MILLISECONDS);
            assertEquals("test-writer-e", thread);
            assertEquals(DestinationState.DISABLED, owner.table().state("d1"));
            final var failed = writer.submit(o -> {
                throw new IllegalStateException("refused");
            });
            final var e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> failed.get(WAIT_MS, TimeUnit.MILLISECONDS));
            assertEquals("refused", e.getCause().getMessage());
        }
    }

    @Test
    void latencySamplesReachTheDestinationAtOnce() {
        final RoutingTableOwner owner = owner(Algorithm.LOWEST_LATENCY, equalDestinations(2));
        final RoutingTableWriter writer = new RoutingTableWriter(owner, "test-writer-c");
        writer.healthSink().onLatencySample("d0", 3_000_000);
        assertEquals(3_000_000, owner.table().entry("d0").runtime().latencyEwmaNs());
        writer.close();
    }

    @Test
    void closeEndsTheThreadAndHandsTheTableBackToTheCaller() throws InterruptedException {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        final RoutingTableWriter writer = new RoutingTableWriter(owner, "test-writer-d").start();
        await(() -> threadAlive("test-writer-d"), "writer thread running");

        writer.close();

        assertFalse(threadAlive("test-writer-d"), "writer thread still running after close");
        assertTrue(owner.setHealthState("d0", DestinationState.INACTIVE), "the caller owns the table again");
        assertEquals(DestinationState.INACTIVE, owner.table().state("d0"));
    }

    @Test
    void tellsWhetherItsThreadRunsAndWhenItLastCycled() throws InterruptedException {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        final RoutingTableWriter writer = new RoutingTableWriter(owner, "test-writer-e");
        assertFalse(writer.isAlive(), "not started");
        writer.start();
        assertTrue(writer.isAlive());
        final long started = writer.lastDutyCycleNanos();
        await(() -> writer.lastDutyCycleNanos() - started > 0, "duty cycles advance while idle");

        writer.close();

        assertFalse(writer.isAlive(), "closed");
    }

    @Test
    void aReloadRunsOnTheWriterThreadAndKeepsTheStateOfDestinationsThatStay() throws Exception {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        try (RoutingTableWriter writer = new RoutingTableWriter(owner, "test-writer-f").start()) {
            writer.healthSink().onStateChange("d0", DestinationState.INACTIVE);
            await(() -> owner.table().state("d0") == DestinationState.INACTIVE, "d0 INACTIVE");

            final RoutingDiff diff = writer.reload(Fixtures.config(Algorithm.ROUND_ROBIN, equalDestinations(3)))
                    .get(WAIT_MS, TimeUnit.MILLISECONDS);

            assertEquals(1, diff.destinationChanges(RoutingDiff.Kind.ADDED).size(), diff.toString());
            assertEquals(DestinationState.ACTIVE, owner.table().state("d2"), "the new destination");
            assertEquals(DestinationState.INACTIVE, owner.table().state("d0"), "kept across the reload");
        }
    }

    @Test
    void aReloadNotAppliedBeforeCloseFails() {
        final RoutingTableOwner owner = owner(Algorithm.ROUND_ROBIN, equalDestinations(2));
        final RoutingTableWriter writer = new RoutingTableWriter(owner, "test-writer-g");
        final java.util.concurrent.CompletableFuture<RoutingDiff> pending =
                writer.reload(Fixtures.config(Algorithm.ROUND_ROBIN, equalDestinations(3)));
        assertFalse(pending.isDone(), "waits for the writer to start");
        writer.close();
        assertTrue(pending.isCompletedExceptionally());
        assertTrue(writer.reload(Fixtures.config(Algorithm.ROUND_ROBIN, equalDestinations(1)))
                .isCompletedExceptionally());
    }

    private static boolean threadAlive(final String name) {
        for (final Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name) && t.isAlive()) {
                return true;
            }
        }
        return false;
    }

    /** Bounded wait for another thread's work (not a timing assertion). */
    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + ": not within " + WAIT_MS + " ms");
            }
            Thread.sleep(5);
        }
    }
}
