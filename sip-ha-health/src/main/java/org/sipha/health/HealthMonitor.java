package org.sipha.health;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jctools.queues.MpscArrayQueue;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.model.DestinationState;
import org.sipha.core.spi.DestinationsUpListener;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.core.spi.HealthProbeTransport;

/**
 * Owner of all destination health state: a single-writer duty-cycle agent.
 *
 * <h2>Threading</h2>
 * <ul>
 *   <li>{@link #doWork(long)} is the duty cycle: call it from exactly one thread (the owner), e.g. through
 *       {@link HealthMonitorRunner}. All state changes, events, sink and listener calls happen there.</li>
 *   <li>{@link #outcomeListener()} is what the forwarding engine's I/O threads call, concurrently; outcomes are
 *       queued (bounded, lock-free, no allocation) and applied by the owner.</li>
 *   <li>{@link #setAdminState}, {@link #replaceSet}, {@link #snapshot()} and {@link #droppedOutcomes()} may be
 *       called from any thread.</li>
 * </ul>
 * Time is whatever clock the caller passes to {@code doWork} (nanoseconds, monotonic): tests drive it by hand.
 */
public final class HealthMonitor {
    private static final int DRAIN_LIMIT = 4096;

    private record AdminCommand(DestinationHealth target, AdminState state) {}

    private record SetReplacement(int set, List<Destination> destinations, CompletableFuture<Void> done) {}

    private final HealthConfig config;
    private DestinationHealth[] all;
    private final String[] setNames;
    private final DestinationHealth[][] sets;
    private final DestinationsUpListener[] upListeners;
    private final int[] lastUpCount;
    private final boolean[] panic;
    /** Replaced whole by the owner when a set is reconfigured; read by {@link #setAdminState} on any thread. */
    private volatile Map<String, DestinationHealth> byId;

    private Map<InetSocketAddress, DestinationHealth> byAddress;
    private final HealthEventPublisher publisher;
    private final PassiveOutcomeQueue outcomes;
    private final MpscArrayQueue<AdminCommand> adminCommands = new MpscArrayQueue<>(1024);
    private final MpscArrayQueue<SetReplacement> replacements = new MpscArrayQueue<>(64);
    private OptionsProber prober;
    private final PassiveOutcomeQueue.Handler outcomeHandler = this::applyOutcome;

    private volatile HealthSnapshot snapshot;
    private boolean started;
    private boolean snapshotDirty = true;
    private long lastSnapshotNs;
    private long unknownAddressOutcomes;
    /** Owner clock of the running duty cycle, for outcomes applied from the queue drain callback. */
    private long currentNs;

    private HealthMonitor(final Builder b) {
        config = b.config;
        publisher = new HealthEventPublisher(b.sink, b.listeners);
        outcomes = new PassiveOutcomeQueue(b.outcomeQueueCapacity);
        final int setCount = b.sets.size();
        setNames = new String[setCount];
        sets = new DestinationHealth[setCount][];
        upListeners = new DestinationsUpListener[setCount];
        lastUpCount = new int[setCount];
        panic = new boolean[setCount];
        final Map<String, DestinationHealth> ids = new LinkedHashMap<>();
        final Map<InetSocketAddress, DestinationHealth> addresses = new HashMap<>();
        final List<DestinationHealth> list = new ArrayList<>();
        int s = 0;
        for (final Map.Entry<String, SetSpec> e : b.sets.entrySet()) {
            setNames[s] = e.getKey();
            upListeners[s] = e.getValue().upListener;
            lastUpCount[s] = -1;
            final List<Destination> members = e.getValue().destinations;
            sets[s] = new DestinationHealth[members.size()];
            for (int i = 0; i < members.size(); i++) {
                final Destination d = members.get(i);
                final InetSocketAddress address = new InetSocketAddress(d.host(), d.port());
                final DestinationHealth h = new DestinationHealth(d, address, s, config);
                if (ids.putIfAbsent(d.id(), h) != null) {
                    throw new IllegalArgumentException("destination id '" + d.id() + "' appears twice");
                }
                if (addresses.putIfAbsent(address, h) != null) {
                    throw new IllegalArgumentException("destination '" + d.id() + "' has the same address " + address
                            + " as '" + addresses.get(address).id() + "': passive outcomes could not tell them apart");
                }
                sets[s][i] = h;
                list.add(h);
            }
            s++;
        }
        all = list.toArray(new DestinationHealth[0]);
        byId = Collections.unmodifiableMap(ids);
        byAddress = addresses;
        prober = b.probeConfig == null
                ? null
                : new OptionsProber(b.probeConfig, b.transport, all, b.randomSeed, new ProbeResults());
        snapshot = buildSnapshot(0);
    }

    public static Builder builder(final HealthConfig config) {
        return new Builder(config);
    }

    /** The listener to give the forwarding engine. Any thread, concurrently. */
    public ForwardingOutcomeListener outcomeListener() {
        return outcomes;
    }

    /**
     * Operator command, applied on the owner's next duty cycle. Any thread.
     *
     * @return false if the command queue is full (try again).
     * @throws IllegalArgumentException for an unknown destination id.
     */
    public boolean setAdminState(final String destinationId, final AdminState state) {
        final DestinationHealth h = byId.get(destinationId);
        if (h == null) {
            throw new IllegalArgumentException("unknown destination id '" + destinationId + "'");
        }
        return adminCommands.offer(new AdminCommand(h, Objects.requireNonNull(state, "state")));
    }

    /**
     * Gives set {@code setName} new members, applied on the owner's next duty cycle: a destination whose id and
     * address stay keeps its health, ejection and latency (taking the new settings, e.g. its probe URI); one that
     * joins starts as a new one would ({@link HealthCause#CONFIGURED}); one that leaves is no longer probed. Any
     * thread.
     *
     * @return completes once the owner applied it; fails at once if too many replacements are waiting (try again)
     * @throws IllegalArgumentException for an unknown set, no destinations, or an id or address listed twice
     */
    public CompletableFuture<Void> replaceSet(final String setName, final List<Destination> destinations) {
        int s = -1;
        for (int i = 0; i < setNames.length; i++) {
            if (setNames[i].equals(setName)) {
                s = i;
            }
        }
        if (s < 0) {
            throw new IllegalArgumentException("unknown destination set '" + setName + "'");
        }
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("set '" + setName + "' has no destinations");
        }
        final Set<String> ids = new java.util.HashSet<>();
        final Set<InetSocketAddress> addresses = new java.util.HashSet<>();
        for (final Destination d : destinations) {
            if (!ids.add(d.id())) {
                throw new IllegalArgumentException("destination id '" + d.id() + "' appears twice");
            }
            if (!addresses.add(new InetSocketAddress(d.host(), d.port()))) {
                throw new IllegalArgumentException("destination '" + d.id() + "' has the address of another one:"
                        + " passive outcomes could not tell them apart");
            }
        }
        final CompletableFuture<Void> done = new CompletableFuture<>();
        if (!replacements.offer(new SetReplacement(s, List.copyOf(destinations), done))) {
            done.completeExceptionally(new IllegalStateException("too many set replacements waiting; try again"));
        }
        return done;
    }

    /** The latest published snapshot. Any thread. */
    public HealthSnapshot snapshot() {
        return snapshot;
    }

    /** Passive outcomes dropped because the owner fell behind (or had a null address). Any thread. */
    public long droppedOutcomes() {
        return outcomes.dropped();
    }

    /**
     * One duty cycle. Owner thread only.
     *
     * @return amount of work done (0 lets a runner idle).
     */
    public int doWork(final long nowNs) {
        int work = 0;
        if (!started) {
            started = true;
            for (int s = 0; s < sets.length; s++) {
                evaluateSet(s, null, HealthCause.INITIAL, nowNs);
            }
            work++;
        }
        SetReplacement r;
        while ((r = replacements.poll()) != null) {
            try {
                applyReplacement(r, nowNs);
                r.done.complete(null);
            } catch (final RuntimeException e) {
                r.done.completeExceptionally(e);
                throw e;
            }
            work++;
        }
        AdminCommand c;
        while ((c = adminCommands.poll()) != null) {
            applyAdmin(c.target, c.state, nowNs);
            work++;
        }
        currentNs = nowNs;
        work += outcomes.drain(outcomeHandler, DRAIN_LIMIT);
        if (prober != null) {
            work += prober.doWork(nowNs);
        }
        for (final DestinationHealth h : all) {
            final HealthCause cause = h.onTick(nowNs);
            if (cause != null) {
                evaluateSet(h.setIndex, h, cause, nowNs);
                work++;
            }
        }
        work += emitRampFactors(nowNs);
        if (snapshotDirty || nowNs - lastSnapshotNs >= config.snapshotRefreshNs) {
            snapshot = buildSnapshot(nowNs);
            snapshotDirty = false;
            lastSnapshotNs = nowNs;
        }
        return work;
    }

    /** Closes the prober's transport. Owner thread, after the last {@code doWork}. */
    public void close() {
        if (prober != null) {
            prober.close();
        }
    }

    /**
     * True if {@code h} has siblings in its set and none that is in use has answered real traffic since
     * {@code h} last did: the whole set went quiet at once, which points at the proxy, its host or the network
     * (an overloaded machine stalls every backend's answers together), not at one dead destination.
     */
    private boolean silentTogether(final DestinationHealth h) {
        final DestinationHealth[] members = sets[h.setIndex];
        boolean sibling = false;
        for (final DestinationHealth o : members) {
            if (o == h || o.ejected || o.lastResponseNs == Long.MIN_VALUE) {
                continue;
            }
            sibling = true;
            if (h.lastResponseNs == Long.MIN_VALUE || o.lastResponseNs - h.lastResponseNs > 0) {
                return false; // a sibling answered during h's silence: h's silence is its own
            }
        }
        return sibling;
    }

    /**
     * True if {@code h}'s silence may not be its own: the whole set went quiet ({@link #silentTogether}), or
     * outcomes were lost to a full queue since {@code h}'s last answer, so its answers may be among them (the
     * engine reported them; this thread fell behind).
     */
    private boolean silenceNotItsOwn(final DestinationHealth h) {
        return silentTogether(h)
                || (h.lastResponseNs != Long.MIN_VALUE && outcomes.overflows() != h.overflowsAtLastAnswer);
    }

    private void applyOutcome(final InetSocketAddress address, final int statusCode, final long latencyNs) {
        final DestinationHealth h = byAddress.get(address);
        if (h == null) {
            unknownAddressOutcomes++;
            return;
        }
        final long now = currentNs;
        final HealthCause cause;
        if (statusCode == PassiveOutcomeQueue.UNANSWERED) {
            cause = h.onUnanswered(now, silenceNotItsOwn(h));
        } else if (statusCode == PassiveOutcomeQueue.TIMEOUT) {
            cause = h.onTrafficTimeout(now, Math.max(0, latencyNs), silenceNotItsOwn(h));
        } else {
            h.overflowsAtLastAnswer = outcomes.overflows();
            if (config.isFailureStatus(statusCode)) {
                cause = h.onFailureResponse(now);
            } else if (statusCode < 200) {
                cause = h.onTrafficAlive(now, Math.max(0, latencyNs));
            } else {
                cause = h.onTrafficSuccess(now, Math.max(0, latencyNs));
            }
        }
        if (cause != null) {
            if (h.ejected
                    && (cause == HealthCause.CONSECUTIVE_FAILURES
                            || cause == HealthCause.FAILURE_RATE
                            || cause == HealthCause.UNANSWERED)) {
                publisher.ejected(
                        h.id(),
                        cause,
                        h.ejectedUntilNs - now,
                        h.lastResponseNs == Long.MIN_VALUE ? -1 : now - h.lastResponseNs,
                        h.timeoutsForgiven,
                        h.unansweredForgiven);
            }
            evaluateSet(h.setIndex, h, cause, now);
        }
    }

    private void applyAdmin(final DestinationHealth h, final AdminState state, final long nowNs) {
        if (h.admin == state) {
            return;
        }
        h.admin = state;
        final HealthCause cause = switch (state) {
            case ENABLED -> HealthCause.ADMIN_ENABLED;
            case DISABLED -> HealthCause.ADMIN_DISABLED;
            case DRAINING -> HealthCause.ADMIN_DRAINING;
        };
        publisher.adminChanged(h.id(), state);
        evaluateSet(h.setIndex, h, cause, nowNs);
    }

    private void applyReplacement(final SetReplacement r, final long nowNs) {
        final Map<String, DestinationHealth> before = new HashMap<>();
        for (final DestinationHealth h : sets[r.set]) {
            before.put(h.id(), h);
        }
        final DestinationHealth[] members = new DestinationHealth[r.destinations.size()];
        for (int i = 0; i < members.length; i++) {
            final Destination d = r.destinations.get(i);
            final InetSocketAddress address = new InetSocketAddress(d.host(), d.port());
            DestinationHealth h = before.remove(d.id());
            if (h == null || !h.address.equals(address)) {
                h = new DestinationHealth(d, address, r.set, config);
            } else {
                h.destination = d;
            }
            members[i] = h;
        }
        for (final DestinationHealth gone : before.values()) {
            if (gone.rampStartNs != Long.MIN_VALUE) {
                publisher.rampFactor(gone.id(), 1.0, nowNs); // no share limit left behind for an id that returns
            }
        }
        sets[r.set] = members;
        final List<DestinationHealth> list = new ArrayList<>();
        final Map<String, DestinationHealth> ids = new LinkedHashMap<>();
        final Map<InetSocketAddress, DestinationHealth> addresses = new HashMap<>();
        for (final DestinationHealth[] set : sets) {
            for (final DestinationHealth h : set) {
                list.add(h);
                ids.putIfAbsent(h.id(), h);
                addresses.putIfAbsent(h.address, h);
            }
        }
        all = list.toArray(new DestinationHealth[0]);
        byAddress = addresses;
        byId = Collections.unmodifiableMap(ids);
        if (prober != null) {
            prober = prober.retarget(all);
        }
        evaluateSet(r.set, null, HealthCause.CONFIGURED, nowNs);
    }

    /** Recomputes reported states of one set (panic is a set-level decision) and emits what changed. */
    private void evaluateSet(final int s, final DestinationHealth trigger, final HealthCause cause, final long nowNs) {
        final DestinationHealth[] members = sets[s];
        int enabled = 0;
        int out = 0;
        int up = 0;
        for (final DestinationHealth h : members) {
            if (h.admin == AdminState.ENABLED) {
                enabled++;
                if (!h.healthy()) {
                    out++;
                }
            }
            if (h.healthy()) {
                up++;
            }
        }
        final boolean inPanic = config.maxEjectedPercent < 100
                && enabled > 0
                && (long) out * 100 > (long) config.maxEjectedPercent * enabled;
        final boolean panicChanged = inPanic != panic[s];
        panic[s] = inPanic;
        if (panicChanged) {
            publisher.panic(setNames[s], inPanic, out, enabled, config.maxEjectedPercent, nowNs);
        }
        for (final DestinationHealth h : members) {
            final DestinationState own = h.ownState();
            final boolean healthy = own == DestinationState.ACTIVE;
            final DestinationState next = inPanic && h.admin == AdminState.ENABLED ? DestinationState.ACTIVE : own;
            final DestinationState previous = h.reported;
            if (next == previous && healthy == h.reportedHealthy && h.admin == h.reportedAdmin) {
                continue;
            }
            final HealthCause why = h == trigger || trigger == null
                    ? cause
                    : panicChanged ? (inPanic ? HealthCause.PANIC_FAIL_OPEN : HealthCause.PANIC_CLEARED) : cause;
            h.reported = next;
            h.reportedHealthy = healthy;
            h.reportedAdmin = h.admin;
            if (next == DestinationState.ACTIVE
                    && previous != null
                    && previous != DestinationState.ACTIVE
                    && !inPanic
                    && config.slowStartNs > 0) {
                h.rampStartNs = nowNs;
                h.lastRampTenth = -1;
            } else if (next != DestinationState.ACTIVE) {
                h.rampStartNs = Long.MIN_VALUE;
            }
            publisher.stateChanged(
                    new HealthEvent(h.id(), setNames[s], previous, next, healthy, inPanic, why, nowNs),
                    next != previous);
        }
        if (up != lastUpCount[s]) {
            lastUpCount[s] = up;
            // The true count, not the fail-open one: anycast must know the site is unhealthy.
            publisher.destinationsUp(upListeners[s], setNames[s], up, members.length);
        }
        snapshotDirty = true;
    }

    private int emitRampFactors(final long nowNs) {
        int work = 0;
        for (final DestinationHealth h : all) {
            if (h.rampStartNs == Long.MIN_VALUE) {
                continue;
            }
            final double f = h.rampFactor(nowNs);
            final int tenth = (int) Math.floor(f * 10);
            if (tenth != h.lastRampTenth) {
                h.lastRampTenth = tenth;
                work++;
                publisher.rampFactor(h.id(), f, nowNs);
            }
            if (f >= 1.0) {
                h.rampStartNs = Long.MIN_VALUE;
                snapshotDirty = true;
            }
        }
        return work;
    }

    private HealthSnapshot buildSnapshot(final long nowNs) {
        final Map<String, DestinationHealthView> views = new LinkedHashMap<>();
        for (final DestinationHealth h : all) {
            views.put(
                    h.id(),
                    new DestinationHealthView(
                            h.id(),
                            setNames[h.setIndex],
                            h.reported == null ? h.ownState() : h.reported,
                            h.healthy(),
                            h.admin,
                            h.rampStartNs,
                            config.slowStartNs,
                            config.slowStartMinFactor,
                            h.ejections,
                            h.probeLatency.summary(),
                            h.trafficLatency.summary()));
        }
        final Set<String> panics = new LinkedHashSet<>();
        for (int s = 0; s < sets.length; s++) {
            if (panic[s]) {
                panics.add(setNames[s]);
            }
        }
        return new HealthSnapshot(nowNs, Collections.unmodifiableMap(views), Collections.unmodifiableSet(panics));
    }

    // Owner thread: the prober runs inside doWork, so its results are applied directly.
    void onProbeSuccess(final DestinationHealth h, final long rttNs, final long nowNs) {
        publisher.latencySample(h.id(), rttNs);
        final HealthCause cause = h.onProbeSuccess(rttNs);
        if (cause != null) {
            evaluateSet(h.setIndex, h, cause, nowNs);
        }
    }

    void onProbeFailure(final DestinationHealth h, final HealthCause failure, final long nowNs) {
        final HealthCause cause = h.onProbeFailure(nowNs, failure);
        if (cause != null) {
            evaluateSet(h.setIndex, h, cause, nowNs);
        }
    }

    DestinationHealth destination(final String id) {
        return byId.get(id);
    }

    OptionsProber prober() {
        return prober;
    }

    long unknownAddressOutcomes() {
        return unknownAddressOutcomes;
    }

    private final class ProbeResults implements OptionsProber.Results {
        @Override
        public void onSuccess(final DestinationHealth h, final long rttNs, final long nowNs) {
            onProbeSuccess(h, rttNs, nowNs);
        }

        @Override
        public void onFailure(final DestinationHealth h, final HealthCause cause, final long nowNs) {
            onProbeFailure(h, cause, nowNs);
        }
    }

    private static final class SetSpec {
        final List<Destination> destinations;
        final DestinationsUpListener upListener;

        SetSpec(final List<Destination> destinations, final DestinationsUpListener upListener) {
            this.destinations = destinations;
            this.upListener = upListener;
        }
    }

    /** Builder, one thread. */
    public static final class Builder {
        private final HealthConfig config;
        private final Map<String, SetSpec> sets = new LinkedHashMap<>();
        private final List<HealthListener> listeners = new ArrayList<>();
        private DestinationHealthSink sink;
        private int outcomeQueueCapacity = 8192;
        private OptionsProbeConfig probeConfig;
        private HealthProbeTransport transport;
        private long randomSeed = System.nanoTime();

        private Builder(final HealthConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Adds a destination set; {@code upListener} (may be null) gets its "destinations up" aggregate. */
        public Builder addSet(
                final String name, final List<Destination> destinations, final DestinationsUpListener upListener) {
            Objects.requireNonNull(name, "name");
            if (destinations.isEmpty()) {
                throw new IllegalArgumentException("set '" + name + "' has no destinations");
            }
            if (sets.putIfAbsent(name, new SetSpec(List.copyOf(destinations), upListener)) != null) {
                throw new IllegalArgumentException("set '" + name + "' added twice");
            }
            return this;
        }

        public Builder sink(final DestinationHealthSink sink) {
            this.sink = sink;
            return this;
        }

        public Builder listener(final HealthListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Bound of the passive outcome queue (default 8192); outcomes beyond it are dropped and counted. */
        public Builder outcomeQueueCapacity(final int capacity) {
            if (capacity < 2) {
                throw new IllegalArgumentException("outcomeQueueCapacity must be >= 2: " + capacity);
            }
            outcomeQueueCapacity = capacity;
            return this;
        }

        /** Enables active OPTIONS probing through {@code transport}; the monitor owns and closes the transport. */
        public Builder prober(final OptionsProbeConfig probeConfig, final HealthProbeTransport transport) {
            this.probeConfig = Objects.requireNonNull(probeConfig, "probeConfig");
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Seed of the probe jitter (tests make it reproducible). */
        public Builder randomSeed(final long seed) {
            randomSeed = seed;
            return this;
        }

        public HealthMonitor build() {
            if (sets.isEmpty()) {
                throw new IllegalArgumentException("no destination sets");
            }
            return new HealthMonitor(this);
        }
    }
}
