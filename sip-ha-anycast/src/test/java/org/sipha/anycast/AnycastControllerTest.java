package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's thread, inbox, reconciliation, retry and heartbeat with an in-memory daemon. Waits are bounded
 * polls for a condition, never timing assertions.
 */
class AnycastControllerTest {
    @TempDir
    Path dir;

    /** An in-memory "daemon" whose state the test can reset (as a daemon restart would) or make unreachable. */
    static final class InMemoryDaemon implements RouteAnnouncer {
        volatile RouteAnnouncement state = RouteAnnouncement.WITHDRAW;
        volatile boolean down;
        final List<RouteAnnouncement> applied = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "memory";
        }

        @Override
        public void apply(RouteAnnouncement target) throws AnnouncerException {
            if (down) {
                throw new AnnouncerException("memory daemon down");
            }
            applied.add(target);
            state = target;
        }

        @Override
        public Optional<RouteAnnouncement> observe() throws AnnouncerException {
            if (down) {
                throw new AnnouncerException("memory daemon down");
            }
            return Optional.of(state);
        }

        @Override
        public List<String> spec() {
            return List.of();
        }

        @Override
        public void close() {}
    }

    static final class CountingSwitch implements DeadManSwitch {
        final AtomicInteger beats = new AtomicInteger();
        volatile boolean closed;

        @Override
        public void start() {}

        @Override
        public void heartbeat() {
            beats.incrementAndGet();
        }

        @Override
        public boolean isAlive() {
            return true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 1_000 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    private static AnycastConfig.Builder fast() {
        return AnycastConfig.builder()
                .rise(1)
                .fall(1)
                .drainMs(0)
                .tickMs(5)
                .heartbeatIntervalMs(10)
                .reconcileIntervalMs(20);
    }

    @Test
    void reappliesTheDecisionWhenTheDaemonForgetsIt() throws Exception {
        InMemoryDaemon daemon = new InMemoryDaemon();
        CountingSwitch sw = new CountingSwitch();
        AnycastController c = new AnycastController(fast().build(), daemon, sw);
        c.start();
        try {
            c.onProxyProbe(true, "200");
            await(() -> daemon.state == RouteAnnouncement.ANNOUNCE, "announced");
            daemon.state = RouteAnnouncement.WITHDRAW; // daemon restarted with the prefix disabled
            await(() -> daemon.state == RouteAnnouncement.ANNOUNCE, "reconciled");
            await(() -> sw.beats.get() > 3, "heartbeats from the decision thread");
        } finally {
            c.close();
        }
        assertEquals(RouteAnnouncement.WITHDRAW, daemon.state, "close withdraws");
        assertTrue(sw.closed, "close disarms the dead-man switch");
    }

    @Test
    void retriesWhileTheDaemonIsUnreachable() throws Exception {
        InMemoryDaemon daemon = new InMemoryDaemon();
        daemon.down = true;
        AnycastController c = new AnycastController(fast().build(), daemon, DeadManSwitch.NONE);
        c.start();
        try {
            c.onProxyProbe(true, "200");
            await(() -> c.status().state() == AnycastState.UP, "decided UP");
            assertEquals(null, c.status().applied(), "nothing confirmed while the daemon is down");
            daemon.down = false;
            await(() -> daemon.state == RouteAnnouncement.ANNOUNCE, "applied once the daemon is back");
            await(() -> c.status().applied() == RouteAnnouncement.ANNOUNCE, "status confirms");
        } finally {
            c.close();
        }
    }

    @Test
    void maintenanceFileDrainsThenDisables() throws Exception {
        Path maint = dir.resolve("maintenance");
        InMemoryDaemon daemon = new InMemoryDaemon();
        AnycastController c =
                new AnycastController(fast().drainMs(100).maintenanceFile(maint).build(), daemon, DeadManSwitch.NONE);
        c.start();
        try {
            c.onProxyProbe(true, "200");
            await(() -> daemon.state == RouteAnnouncement.ANNOUNCE, "announced");
            Files.writeString(maint, "");
            await(() -> c.status().state() == AnycastState.DISABLED, "disabled by file");
            assertTrue(daemon.applied.contains(RouteAnnouncement.DRAIN), "drained first: " + daemon.applied);
            assertEquals(RouteAnnouncement.WITHDRAW, daemon.state);
            Files.delete(maint);
            await(() -> daemon.state == RouteAnnouncement.ANNOUNCE, "back after the file is removed");
        } finally {
            c.close();
        }
    }

    @Test
    void aggregateAndQuorumInputsArriveThroughTheInbox() throws Exception {
        InMemoryDaemon daemon = new InMemoryDaemon();
        AnycastController c = new AnycastController(
                fast().minDestinationsUp(2).requireQuorum(true).build(), daemon, DeadManSwitch.NONE);
        c.start();
        try {
            c.onProxyProbe(true, "200");
            c.onDestinationsUp(2, 4);
            await(() -> c.status().state() == AnycastState.WITHDRAWN, "no quorum yet");
            c.onSiteQuorum(true, "Primary");
            await(() -> daemon.state == RouteAnnouncement.ANNOUNCE, "announced with quorum and 2 of 4 up");
            c.onDestinationsUp(1, 4);
            await(() -> daemon.state == RouteAnnouncement.WITHDRAW, "withdrawn with 1 of 4 up");
            assertEquals(0, c.droppedCommands());
        } finally {
            c.close();
        }
    }
}
