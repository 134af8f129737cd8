package org.sipha.dispatcher;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.model.DestinationState;

/**
 * The single writer of the {@link RoutingTable}: owns the configuration, every destination's state and the
 * carried-over runtime objects, and publishes a new immutable table after each change.
 *
 * <h2>Threading</h2>
 * <ul>
 *   <li>{@link #table()} and {@link #healthSink()}: any thread. Readers load the table once per request.</li>
 *   <li>Everything else ({@link #reload}, {@link #diff}, {@link #setHealthState}, {@link #setAdminDisabled},
 *       {@link #doWork}): only the owner thread, the one that built this object or took over from it with a
 *       happens-before edge. Health threads do not call these: they report through {@link #healthSink()},
 *       which queues state changes for the owner to apply in its next {@link #doWork()} (the Aeron
 *       proxy/conductor pattern), so a burst of flaps costs one publication, not one each.</li>
 * </ul>
 *
 * <h2>State</h2>
 * A destination's effective state is DISABLED while an operator disables it, through {@link #setAdminDisabled} or
 * through the health sink (the health side reports its own operator's disable or drain as DISABLED, and lifts it by
 * reporting any other state; it cannot lift a {@link #setAdminDisabled}), otherwise whatever the health side last
 * reported (ACTIVE until it reports anything, or {@link DispatcherConfig#initialState}).
 * Reloads keep state, leases, latency and statistics for every destination id that stays configured.
 * Lease timing ({@link DispatcherConfig#leaseNs()}) applies to ids that appear after the reload that sets it.
 */
public final class RoutingTableOwner {
    private final LongSupplier nanoClock;
    private final int stripes;
    private final HealthSignalProxy healthSink;
    private final Map<String, DestinationRuntime> runtimes = new HashMap<>();
    private final Map<Integer, StripedCounter> cursors = new HashMap<>();
    private final Map<String, DestinationState> healthStates = new HashMap<>();
    private final Set<String> adminDisabled = new HashSet<>();
    /** Disabled by a DISABLED report through the health sink, until the sink reports another state. */
    private final Set<String> sinkDisabled = new HashSet<>();

    private final BiConsumer<String, DestinationState> applyQueued = this::applyQueued;
    private DispatcherConfig config;
    private boolean dirty;
    private volatile RoutingTable table;

    /** Owner with the system monotonic clock. */
    public RoutingTableOwner(final DispatcherConfig config) {
        this(config, System::nanoTime);
    }

    /**
     * @param config    initial configuration; published as version 1.
     * @param nanoClock monotonic nanosecond clock for lease expiry; inject a fake one in tests.
     */
    public RoutingTableOwner(final DispatcherConfig config, final LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.stripes = StripedCounter.defaultStripes();
        this.healthSink = new HealthSignalProxy(this);
        this.config = DispatcherConfig.builder().build();
        this.table = new RoutingTable(0, this.config, new DestinationSet[0], Map.of());
        reload(config);
    }

    /** @return the current snapshot. Any thread; load it once per request and use that for every choice. */
    public RoutingTable table() {
        return table;
    }

    /** @return the sink the health side reports into. Any thread, non-blocking. */
    public DestinationHealthSink healthSink() {
        return healthSink;
    }

    /** Dry run: what {@link #reload} would change, without changing anything. Owner thread. */
    public RoutingDiff diff(final DispatcherConfig next) {
        return RoutingDiff.between(table.version(), config, next);
    }

    /**
     * Replaces the configuration and publishes a new table (version + 1), keeping state and runtime of every
     * destination id present in both; a kept destination whose configured initial state turns DISABLED is disabled,
     * and one whose configured DISABLED is lifted is enabled (an operator's runtime disable is kept otherwise).
     * Owner thread.
     *
     * @return what changed.
     */
    public RoutingDiff reload(final DispatcherConfig next) {
        final RoutingDiff diff = diff(next);
        final Set<String> ids = new HashSet<>();
        for (final DestinationSetConfig set : next.sets().values()) {
            for (final Destination d : set.destinations()) {
                ids.add(d.id());
                if (!runtimes.containsKey(d.id())) {
                    runtimes.put(d.id(), new DestinationRuntime(d.id(), nanoClock, next.leaseNs(), next.leaseSlots()));
                    final DestinationState initial = next.initialState(d.id());
                    if (initial == DestinationState.DISABLED) {
                        adminDisabled.add(d.id());
                    } else {
                        healthStates.put(d.id(), initial);
                    }
                }
            }
            cursors.computeIfAbsent(set.setId(), id -> new StripedCounter(stripes));
        }
        runtimes.keySet().retainAll(ids);
        healthStates.keySet().retainAll(ids);
        adminDisabled.retainAll(ids);
        for (final RoutingDiff.AdminChange c : diff.adminChanges()) {
            if (c.disabled()) {
                adminDisabled.add(c.id()); // the configuration now disables a kept destination (flag 4 set)
            } else {
                adminDisabled.remove(c.id());
            }
        }
        sinkDisabled.retainAll(ids);
        cursors.keySet().retainAll(next.sets().keySet());
        config = next;
        publish();
        return diff;
    }

    /**
     * Applies a health state (ACTIVE, INACTIVE or PROBING) and publishes if the effective state changed. Owner thread.
     *
     * @return false when the id is unknown or its effective state unchanged (nothing published).
     */
    public boolean setHealthState(final String destinationId, final DestinationState state) {
        if (applyHealthState(destinationId, state)) {
            publish();
            return true;
        }
        return false;
    }

    /** Disables (or re-enables) a destination by operator decision and publishes. Owner thread. */
    public boolean setAdminDisabled(final String destinationId, final boolean disabled) {
        if (runtimes.containsKey(destinationId)
                && (disabled ? adminDisabled.add(destinationId) : adminDisabled.remove(destinationId))) {
            publish();
            return true;
        }
        return false;
    }

    /**
     * Duty cycle: applies every state change queued by {@link #healthSink()} and publishes at most one table.
     * Owner thread.
     *
     * @return number of queued changes drained (0 when idle, for idle strategies).
     */
    public int doWork() {
        final int drained = healthSink.drain(applyQueued);
        if (dirty) {
            dirty = false;
            publish();
        }
        return drained;
    }

    private void applyQueued(final String destinationId, final DestinationState state) {
        if (!runtimes.containsKey(destinationId)) {
            return;
        }
        final DestinationState before = effectiveState(destinationId);
        if (state == DestinationState.DISABLED) {
            sinkDisabled.add(destinationId);
        } else {
            sinkDisabled.remove(destinationId);
            healthStates.put(destinationId, state);
        }
        dirty |= effectiveState(destinationId) != before;
    }

    private boolean applyHealthState(final String destinationId, final DestinationState state) {
        if (state == DestinationState.DISABLED) {
            throw new IllegalArgumentException("DISABLED is an operator decision: use setAdminDisabled");
        }
        if (!runtimes.containsKey(destinationId)) {
            return false;
        }
        final DestinationState before = effectiveState(destinationId);
        healthStates.put(destinationId, state); // recorded even while disabled: it applies again on re-enable
        return effectiveState(destinationId) != before;
    }

    private DestinationState effectiveState(final String destinationId) {
        return adminDisabled.contains(destinationId) || sinkDisabled.contains(destinationId)
                ? DestinationState.DISABLED
                : healthStates.getOrDefault(destinationId, DestinationState.ACTIVE);
    }

    private void publish() {
        final Map<String, DestinationEntry> byId = new HashMap<>();
        final DestinationSet[] sets = new DestinationSet[config.sets().size()];
        int k = 0;
        for (final DestinationSetConfig setConfig : config.sets().values()) {
            final DestinationEntry[] entries =
                    new DestinationEntry[setConfig.destinations().size()];
            for (int i = 0; i < entries.length; i++) {
                final Destination d = setConfig.destinations().get(i);
                entries[i] = new DestinationEntry(d, effectiveState(d.id()), runtimes.get(d.id()), i);
                byId.putIfAbsent(d.id(), entries[i]);
            }
            sets[k++] = new DestinationSet(setConfig, entries, cursors.get(setConfig.setId()), nanoClock);
        }
        table = new RoutingTable(table.version() + 1, config, sets, byId);
    }
}
