package org.sipha.health;

import java.net.InetSocketAddress;

import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

/**
 * Health state machine of one destination: active-probe rise/fall, passive ejection with back-off, admin state,
 * slow start. Owner thread only; methods return the cause of a change of its own state, or null for none. The
 * set-level view (panic) is applied by {@link HealthMonitor}.
 */
final class DestinationHealth {
    final Destination destination;
    final InetSocketAddress address;
    final int setIndex;
    private final HealthConfig config;

    AdminState admin = AdminState.ENABLED;
    boolean probeUp;
    int probeSuccesses;
    int probeFailures;
    long probeTimeoutsForgiven;

    int consecutiveFailures;
    final FailureRateWindow window;
    long ejectedUntilNs;
    boolean ejected;
    int ejectionStreak;
    long lastEjectionEndNs = Long.MIN_VALUE;
    long ejections;

    long lastTrafficSuccessNs = Long.MIN_VALUE;

    /** State last reported to the dispatcher, null before the first report. */
    DestinationState reported;
    boolean reportedHealthy;
    AdminState reportedAdmin = AdminState.ENABLED;
    /** Start of the current slow start ramp, or Long.MIN_VALUE when none runs. */
    long rampStartNs = Long.MIN_VALUE;
    int lastRampTenth;

    final LatencyTracker probeLatency;
    final LatencyTracker trafficLatency;

    DestinationHealth(final Destination destination, final InetSocketAddress address, final int setIndex,
        final HealthConfig config) {
        this.destination = destination;
        this.address = address;
        this.setIndex = setIndex;
        this.config = config;
        this.probeUp = config.startActive;
        this.window = new FailureRateWindow(config.failureRateWindowNs);
        this.probeLatency = new LatencyTracker(config.latencyEwmaAlpha, config.latencyHighestTrackableNs);
        this.trafficLatency = new LatencyTracker(config.latencyEwmaAlpha, config.latencyHighestTrackableNs);
    }

    String id() {
        return destination.id();
    }

    /** What the checks alone say, ignoring panic. */
    DestinationState ownState() {
        if (admin != AdminState.ENABLED) {
            return DestinationState.DISABLED;
        }
        if (ejected) {
            return DestinationState.INACTIVE;
        }
        if (!probeUp) {
            return probeSuccesses > 0 ? DestinationState.PROBING : DestinationState.INACTIVE;
        }
        return DestinationState.ACTIVE;
    }

    boolean healthy() {
        return ownState() == DestinationState.ACTIVE;
    }

    HealthCause onProbeSuccess(final long rttNs) {
        probeLatency.record(rttNs);
        probeFailures = 0;
        if (probeUp) {
            return null;
        }
        probeSuccesses++;
        if (probeSuccesses >= config.rise) {
            probeUp = true;
            probeSuccesses = 0;
        }
        return HealthCause.PROBE_RECOVERED;
    }

    HealthCause onProbeFailure(final long nowNs, final HealthCause cause) {
        if (cause == HealthCause.PROBE_TIMEOUT && lastTrafficSuccessNs != Long.MIN_VALUE &&
            nowNs - lastTrafficSuccessNs <= config.trafficAliveGraceNs) {
            // It answers real calls: a lost OPTIONS means the destination (or the path) is busy, not dead.
            probeTimeoutsForgiven++;
            return null;
        }
        probeSuccesses = 0;
        if (!probeUp) {
            return null;
        }
        if (++probeFailures >= config.fall) {
            probeUp = false;
            probeFailures = 0;
            return cause;
        }
        return null;
    }

    /**
     * A final response that is not a failure: counts as a success in the passive statistics, and as a sign of
     * life.
     */
    HealthCause onTrafficSuccess(final long nowNs, final long latencyNs) {
        trafficLatency.record(latencyNs);
        consecutiveFailures = 0;
        window.record(nowNs, false);
        return onTrafficAlive(nowNs);
    }

    /**
     * Any response from the destination, including a provisional one: it is alive. A provisional response does
     * not end the transaction, so it neither resets the consecutive-failure count nor enters the failure-rate
     * window (the engine reports the first 1xx and the final response of the same INVITE; a 100 Trying must not
     * hide the 503 that follows it).
     */
    HealthCause onTrafficAlive(final long nowNs) {
        lastTrafficSuccessNs = nowNs;
        probeFailures = 0;
        if (!probeUp) {
            // Real traffic answered: stronger evidence than an OPTIONS reply, so it is up at once.
            probeUp = true;
            probeSuccesses = 0;
            return HealthCause.TRAFFIC_SUCCESS;
        }
        return null;
    }

    HealthCause onTrafficFailure(final long nowNs) {
        window.record(nowNs, true);
        consecutiveFailures++;
        if (ejected) {
            return null;
        }
        if (consecutiveFailures >= config.consecutiveFailures) {
            eject(nowNs);
            return HealthCause.CONSECUTIVE_FAILURES;
        }
        final int total = window.total(nowNs);
        if (total >= config.failureRateMinRequests &&
            (long)window.failures(nowNs) * 100 >= (long)config.failureRatePercent * total) {
            eject(nowNs);
            return HealthCause.FAILURE_RATE;
        }
        return null;
    }

    /** Ends an ejection whose time ran out. */
    HealthCause onTick(final long nowNs) {
        if (ejected && nowNs - ejectedUntilNs >= 0) {
            ejected = false;
            lastEjectionEndNs = nowNs;
            return HealthCause.EJECTION_EXPIRED;
        }
        return null;
    }

    long ejectionDurationNs(final int streak) {
        final int shift = Math.min(streak - 1, 30);
        final long d = config.baseEjectionNs << shift;
        return d <= 0 || d > config.maxEjectionNs ? config.maxEjectionNs : d;
    }

    private void eject(final long nowNs) {
        // Back-off: an ejection soon after the last one ended doubles the time; a quiet period resets it.
        final boolean repeat = lastEjectionEndNs != Long.MIN_VALUE && nowNs - lastEjectionEndNs < config.maxEjectionNs;
        ejectionStreak = repeat ? ejectionStreak + 1 : 1;
        ejected = true;
        ejections++;
        ejectedUntilNs = nowNs + ejectionDurationNs(ejectionStreak);
        consecutiveFailures = 0;
        window.clear();
    }

    /** Slow start factor at {@code nowNs}: 1 when no ramp runs. */
    double rampFactor(final long nowNs) {
        if (rampStartNs == Long.MIN_VALUE || config.slowStartNs == 0) {
            return 1.0;
        }
        final long elapsed = nowNs - rampStartNs;
        if (elapsed >= config.slowStartNs) {
            return 1.0;
        }
        final double f = (double)Math.max(0, elapsed) / config.slowStartNs;
        return Math.max(config.slowStartMinFactor, f);
    }
}
