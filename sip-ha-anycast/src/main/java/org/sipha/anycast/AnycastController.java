package org.sipha.anycast;

import java.nio.file.Files;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.sipha.core.spi.DestinationsUpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the anycast decision: one decision thread runs the {@link AnycastStateMachine}, drives the
 * {@link RouteAnnouncer}, reconciles the daemon's actual state and beats the {@link DeadManSwitch}.
 *
 * <p>Single writer: inputs from other threads ({@link #onProxyProbe}, {@link #onDestinationsUp},
 * {@link #onSiteQuorum}, {@link #setAdminDisabled}) are enqueued as commands on a bounded queue and applied by
 * the decision thread at the start of its next cycle; no state is shared otherwise. A blocking queue (not a
 * lock-free one) because the thread has nothing to do between inputs and timers and should sleep; the input rate
 * is a few per second. {@link #status()} reads a volatile immutable snapshot.
 *
 * <p>The heartbeat is sent from the decision thread itself, so a deadlocked, stopped or GC-stormed decider stops
 * heartbeating and the relay withdraws.
 */
public final class AnycastController implements DestinationsUpListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnycastController.class);
    private static final int QUEUE_CAPACITY = 1024;
    private static final long MIN_RETRY_NS = 100_000_000L;
    private static final long MAX_RETRY_NS = 5_000_000_000L;

    @FunctionalInterface
    private interface Command {
        void run(AnycastStateMachine machine, long nowNs);
    }

    private final AnycastConfig config;
    private final RouteAnnouncer announcer;
    private final DeadManSwitch deadMan;
    private final LongSupplier clock;
    private final BlockingQueue<Command> inbox = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong droppedCommands = new AtomicLong();
    private final Thread thread;
    private volatile boolean running;
    private volatile AnycastStatus status;

    // decision-thread state
    private AnycastStateMachine machine;
    private RouteAnnouncement applied;
    private RouteAnnouncement lastLoggedApply;
    private long retryAtNs;
    private long retryDelayNs = MIN_RETRY_NS;
    private long nextReconcileNs;
    private long nextHeartbeatNs;
    private long nextRelayRestartNs;
    private String lastReconcileError;
    private long transitions;
    private AnycastState lastState;

    /** Uses {@link System#nanoTime()}. */
    public AnycastController(AnycastConfig config, RouteAnnouncer announcer, DeadManSwitch deadMan) {
        this(config, announcer, deadMan, System::nanoTime);
    }

    AnycastController(AnycastConfig config, RouteAnnouncer announcer, DeadManSwitch deadMan, LongSupplier clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.announcer = Objects.requireNonNull(announcer, "announcer");
        this.deadMan = Objects.requireNonNull(deadMan, "deadMan");
        this.clock = clock;
        this.thread = new Thread(this::run, "sipha-anycast-decider");
        this.status = new AnycastStatus(AnycastState.INIT, "not started", null, 0, 0);
    }

    /**
     * Arms the dead-man switch, then starts the decision thread. Call once, from the owner thread.
     *
     * @throws AnnouncerException if the dead-man switch cannot be armed (nothing is announced then)
     */
    public void start() throws AnnouncerException {
        deadMan.start();
        running = true;
        thread.start();
    }

    /** Any thread: one result of probing the local SIP proxy. */
    public void onProxyProbe(boolean pass, String detail) {
        enqueue((m, now) -> m.onProxyProbe(pass, detail, now));
    }

    /**
     * Any thread: from now on, a healthy local proxy from whom no probe result arrived for {@code silenceMs} counts
     * as failing, so a probe thread that died or hangs withdraws the prefix instead of leaving it announced.
     * {@link ProxyProbeLoop} sets this when it starts.
     */
    public void expectProxyProbesWithin(long silenceMs) {
        if (silenceMs < 1) {
            throw new IllegalArgumentException("silenceMs must be >= 1: " + silenceMs);
        }
        enqueue((m, now) -> m.expectProbesWithin(silenceMs * 1_000_000L, now));
    }

    /** Any thread: the aggregate "K destinations up" signal, from the health module. */
    @Override
    public void onDestinationsUp(int upCount, int totalCount) {
        enqueue((m, now) -> m.onDestinations(upCount, totalCount, now));
    }

    /** Any thread: the site's database quorum (wire a quorum publisher such as sip-ha-galera's here). */
    public void onSiteQuorum(boolean hasQuorum, String cause) {
        enqueue((m, now) -> m.onQuorum(hasQuorum, cause, now));
    }

    /** Any thread: administrative disable (drain, then withdraw) or enable. */
    public void setAdminDisabled(boolean disabled, String cause) {
        enqueue((m, now) -> m.onAdmin(disabled, cause, now));
    }

    /** Any thread: the latest snapshot. */
    public AnycastStatus status() {
        return status;
    }

    /** Any thread: inputs dropped because the inbox was full (should stay 0). */
    public long droppedCommands() {
        return droppedCommands.get();
    }

    private void enqueue(Command c) {
        if (!inbox.offer(c)) {
            if (droppedCommands.getAndIncrement() == 0) {
                LOG.warn(
                        "anycast decision inbox full ({}): dropping inputs; is the decision thread stuck?",
                        QUEUE_CAPACITY);
            }
        }
    }

    private void run() {
        deadMan.heartbeat(); // arms the relay's silence timer from this thread's first moment
        long now = clock.getAsLong();
        machine = new AnycastStateMachine(config, now);
        lastState = machine.state();
        nextReconcileNs = now + config.reconcileIntervalNs;
        try {
            while (running) {
                cycle();
            }
        } catch (InterruptedException e) {
            LOG.info("anycast decision thread interrupted; withdrawing");
        } catch (RuntimeException | Error e) {
            // Stop heartbeating by leaving the loop: the relay withdraws. Better no route than a route nobody owns.
            LOG.error("anycast decision thread failed; withdrawing", e);
        } finally {
            shutdownFromDecisionThread();
        }
    }

    private void cycle() throws InterruptedException {
        long now = clock.getAsLong();
        long waitNs = Math.min(config.tickNs, Math.max(0, nextHeartbeatNs - now));
        waitNs = Math.min(waitNs, machine.nextTimerDelayNs(now));
        Command c = inbox.poll(waitNs, TimeUnit.NANOSECONDS);
        int budget = QUEUE_CAPACITY;
        while (c != null && budget-- > 0) {
            c.run(machine, clock.getAsLong());
            c = inbox.poll();
        }
        now = clock.getAsLong();
        heartbeatIfDue(now); // before any daemon I/O, which may be slow in a cold JVM
        config.maintenanceFile().ifPresent(f -> machine.onMaintenanceFile(Files.exists(f), clock.getAsLong()));
        machine.tick(now);
        applyIfNeeded(now);
        reconcileIfDue(clock.getAsLong());
        heartbeatIfDue(clock.getAsLong());
        publishStatus(clock.getAsLong());
    }

    private void applyIfNeeded(long now) {
        RouteAnnouncement desired = machine.desired();
        if (desired == applied || (applied == null && now - retryAtNs < 0)) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            announcer.apply(desired);
            if (desired != lastLoggedApply) {
                LOG.info(
                        "{}: {} applied in {} us (state {}: {})",
                        announcer.name(),
                        desired,
                        (System.nanoTime() - t0) / 1_000,
                        machine.state(),
                        machine.cause());
                lastLoggedApply = desired;
            } else {
                // periodic re-apply for announcers that cannot read back: not news
                LOG.debug("{}: {} re-applied in {} us", announcer.name(), desired, (System.nanoTime() - t0) / 1_000);
            }
            applied = desired;
            retryDelayNs = MIN_RETRY_NS;
        } catch (AnnouncerException e) {
            LOG.warn(
                    "{}: could not apply {} (retry in {} ms): {}",
                    announcer.name(),
                    desired,
                    retryDelayNs / 1_000_000,
                    e.getMessage());
            applied = null;
            lastLoggedApply = null;
            retryAtNs = now + retryDelayNs;
            retryDelayNs = Math.min(MAX_RETRY_NS, retryDelayNs * 2);
        }
    }

    private void reconcileIfDue(long now) {
        if (now - nextReconcileNs < 0) {
            return;
        }
        nextReconcileNs = now + config.reconcileIntervalNs;
        RouteAnnouncement desired = machine.desired();
        try {
            Optional<RouteAnnouncement> seen = announcer.observe();
            lastReconcileError = null;
            if (seen.isEmpty()) {
                applied = null; // cannot read back: re-apply every period
                retryAtNs = now;
            } else if (seen.get() != desired) {
                LOG.warn(
                        "reconcile: {} shows {} but the decision is {} ({}); re-applying (daemon restarted, "
                                + "or the dead-man relay withdrew during a stall)",
                        announcer.name(),
                        seen.get(),
                        desired,
                        machine.state());
                applied = null;
                lastLoggedApply = null;
                retryAtNs = now;
            }
        } catch (AnnouncerException e) {
            if (!e.getMessage().equals(lastReconcileError)) {
                LOG.warn("reconcile: cannot read {}: {}", announcer.name(), e.getMessage());
                lastReconcileError = e.getMessage();
            }
            applied = null;
        }
        applyIfNeeded(now);
    }

    private void heartbeatIfDue(long now) {
        if (now - nextHeartbeatNs < 0) {
            return;
        }
        nextHeartbeatNs = now + config.heartbeatIntervalNs;
        if (deadMan.isAlive()) {
            deadMan.heartbeat();
        } else if (now - nextRelayRestartNs >= 0) {
            nextRelayRestartNs = now + MAX_RETRY_NS;
            LOG.error("dead-man switch died; restarting it (no protection until it is back)");
            try {
                deadMan.start();
            } catch (AnnouncerException e) {
                LOG.error("dead-man switch restart failed: {}", e.getMessage());
            }
        }
    }

    private void publishStatus(long now) {
        AnycastState s = machine.state();
        if (s != lastState) {
            transitions++;
            lastState = s;
        }
        AnycastStatus prev = status;
        if (prev.state() != s
                || prev.applied() != applied
                || !prev.cause().equals(machine.cause())
                || prev.transitions() != transitions) {
            status = new AnycastStatus(s, machine.cause(), applied, machine.dampingPenalty(now), transitions);
        }
    }

    private void shutdownFromDecisionThread() {
        try {
            announcer.apply(RouteAnnouncement.WITHDRAW);
            LOG.info("{}: WITHDRAW applied on shutdown", announcer.name());
            status = new AnycastStatus(AnycastState.WITHDRAWN, "shut down", RouteAnnouncement.WITHDRAW, 0, transitions);
        } catch (AnnouncerException e) {
            LOG.warn(
                    "{}: withdraw on shutdown failed (the dead-man relay withdraws when it sees EOF): {}",
                    announcer.name(),
                    e.getMessage());
        } finally {
            announcer.close();
            deadMan.close();
        }
    }

    /**
     * Owner thread: withdraws, disarms the dead-man switch and stops the decision thread (waits up to 10 s).
     */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        // wake the thread with a no-op rather than interrupting it: an interrupt during control-socket I/O
        // would close the channel and could lose the final WITHDRAW
        if (!inbox.offer((m, now) -> {})) {
            thread.interrupt();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
