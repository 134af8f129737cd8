package org.sipha.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjDoubleConsumer;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.spi.DestinationsUpListener;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.core.spi.HealthProbeTransport;

/**
 * Health checking of one set of destinations, ready to embed: a {@link HealthMonitor} (OPTIONS probes plus passive
 * detection from the engine's outcomes) run by a {@link HealthMonitorRunner} on a daemon thread of its own, reporting
 * states into a {@link DestinationHealthSink} (e.g. a routing table's) and slow-start shares to a callback.
 *
 * <p>Two steps, because a proxy that probes from its own sockets has them only once it runs: {@link Builder#build}
 * before the proxy starts (its configuration takes {@link #outcomeListener()}), then {@link #start} with the
 * proxy's probe transport. Until then nothing is probed and outcomes wait in the monitor's bounded queue.
 *
 * <h2>Threading</h2>
 * {@link #outcomeListener()}, {@link #monitor()}, {@link #replaceDestinations} and {@link #snapshot()} any thread (the monitor's own contract);
 * {@link #start} and {@link #close} once each, from any one thread. The sink, the slow-start callback and the
 * listeners are called on the health thread. {@link #isAlive()} and {@link #lastDutyCycleNanos()} any thread, for
 * a supervisor: a health thread that died or hangs leaves every state as it was, so the proxy would keep sending
 * calls to backends that died since.
 */
public final class HealthChecking implements AutoCloseable {
    /** How long the health thread parks when a cycle did nothing: the resolution of probe timers and ejection. */
    public static final long DEFAULT_IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(20);

    private final HealthMonitor monitor;
    private final HealthMonitorRunner runner;
    private final LateBoundProbeTransport probes;
    private final String setName;

    private HealthChecking(
            final HealthMonitor monitor,
            final LateBoundProbeTransport probes,
            final long idleParkNs,
            final String threadName,
            final String setName) {
        this.monitor = monitor;
        this.probes = probes;
        this.setName = setName;
        this.runner = new HealthMonitorRunner(monitor, idleParkNs, threadName);
    }

    /** Starts a builder for health checking of {@code destinations} (their ids are what the sink is told about). */
    public static Builder builder(final List<Destination> destinations) {
        return new Builder(destinations);
    }

    /** What the forwarding engine reports real traffic's outcomes to. Any thread, concurrently. */
    public ForwardingOutcomeListener outcomeListener() {
        return monitor.outcomeListener();
    }

    /** The monitor, for operator commands ({@link HealthMonitor#setAdminState}) and snapshots. */
    public HealthMonitor monitor() {
        return monitor;
    }

    /**
     * Checks {@code destinations} from now on instead of the set's members so far ({@link HealthMonitor#replaceSet}):
     * those that stay keep their health; applied on the health thread's next cycle. Any thread.
     *
     * @return completes once applied; fails at once if too many changes are waiting (try again)
     * @throws IllegalArgumentException if the list is empty or repeats an id or an address
     */
    public CompletableFuture<Void> replaceDestinations(final List<Destination> destinations) {
        return monitor.replaceSet(setName, destinations);
    }

    /** The latest health of every destination. Any thread. */
    public HealthSnapshot snapshot() {
        return monitor.snapshot();
    }

    /**
     * Starts probing through {@code transport} (e.g. the proxy's own socket) and the health thread. Once. The
     * monitor owns the transport from now on and closes it in {@link #close}.
     *
     * @throws IllegalStateException if called twice
     */
    public HealthChecking start(final HealthProbeTransport transport) {
        probes.bind(transport);
        runner.start();
        return this;
    }

    /** True from {@link #start} until the health thread ends, by {@link #close} or by dying (an Error). Any thread. */
    public boolean isAlive() {
        return runner.isAlive();
    }

    /**
     * {@link System#nanoTime()} when the health thread last began a duty cycle; it does so at least every
     * {@link Builder#idleParkNs(long) idle park}, so a value that stops advancing means the thread died or hangs.
     * Any thread.
     */
    public long lastDutyCycleNanos() {
        return runner.lastDutyCycleNanos();
    }

    /** Stops the health thread (bounded wait) and closes the probe transport. */
    @Override
    public void close() {
        runner.close();
    }

    /** Mutable builder; one thread. */
    public static final class Builder {
        private static final ObjDoubleConsumer<String> NO_SLOW_START = (id, share) -> {};

        private final List<Destination> destinations;
        private HealthConfig config = HealthConfig.defaults();
        private OptionsProbeConfig probeConfig = OptionsProbeConfig.builder().build();
        private DestinationHealthSink sink;
        private ObjDoubleConsumer<String> slowStart = NO_SLOW_START;
        private DestinationsUpListener upListener;
        private final List<HealthListener> listeners = new ArrayList<>();
        private String setName = "1";
        private String threadName = "sipha-health";
        private long idleParkNs = DEFAULT_IDLE_PARK_NS;

        private Builder(final List<Destination> destinations) {
            this.destinations = List.copyOf(destinations);
        }

        /** Thresholds of active and passive detection (default {@link HealthConfig#defaults()}). */
        public Builder config(final HealthConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** OPTIONS probe timers and accepted replies (default: every 1 s, 500 ms timeout, any final reply). */
        public Builder probes(final OptionsProbeConfig probeConfig) {
            this.probeConfig = Objects.requireNonNull(probeConfig, "probeConfig");
            return this;
        }

        /** Where state changes and latency samples go, e.g. a routing table's health sink. Required. */
        public Builder sink(final DestinationHealthSink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Told (destination id, share in (0, 1]) as a recovered destination ramps up, 1 when the ramp ends: the
         * share of the calls it should take meanwhile (e.g. {@code DispatcherNextHopSelector::setTrafficShare}).
         */
        public Builder slowStart(final ObjDoubleConsumer<String> slowStart) {
            this.slowStart = Objects.requireNonNull(slowStart, "slowStart");
            return this;
        }

        /** Told how many destinations are up whenever that changes (e.g. to withdraw an anycast route). */
        public Builder destinationsUp(final DestinationsUpListener upListener) {
            this.upListener = Objects.requireNonNull(upListener, "upListener");
            return this;
        }

        /** Also told every health event (state changes, panic, ramps). */
        public Builder listener(final HealthListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The set's name in logs and events (default {@code "1"}, the dispatcher's usual first set id). */
        public Builder setName(final String setName) {
            this.setName = Objects.requireNonNull(setName, "setName");
            return this;
        }

        /** The health thread's name (default {@code sipha-health}). */
        public Builder threadName(final String threadName) {
            this.threadName = Objects.requireNonNull(threadName, "threadName");
            return this;
        }

        /** See {@link #DEFAULT_IDLE_PARK_NS}; shorter means finer timers and more wake-ups of an idle thread. */
        public Builder idleParkNs(final long idleParkNs) {
            this.idleParkNs = idleParkNs;
            return this;
        }

        /**
         * Builds the monitor; nothing runs until {@link HealthChecking#start}.
         *
         * @throws IllegalArgumentException if no sink was given, or the destinations are empty or repeat an id or
         *     an address
         */
        public HealthChecking build() {
            if (sink == null) {
                throw new IllegalArgumentException("sink: where health states go is required");
            }
            final LateBoundProbeTransport probes = new LateBoundProbeTransport();
            final ObjDoubleConsumer<String> ramp = slowStart;
            final HealthMonitor.Builder b = HealthMonitor.builder(config)
                    .addSet(setName, destinations, upListener)
                    .sink(sink)
                    .prober(probeConfig, probes)
                    .listener(new HealthListener() {
                        @Override
                        public void onHealthEvent(final HealthEvent event) {}

                        @Override
                        public void onRampFactor(final String destinationId, final double factor, final long timeNs) {
                            ramp.accept(destinationId, factor);
                        }
                    });
            listeners.forEach(b::listener);
            return new HealthChecking(b.build(), probes, idleParkNs, threadName, setName);
        }
    }
}
