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
    /** Replaced when the set is reconfigured with new settings for the same id and address. Owner thread. */
    Destination destination;

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
    /** Last response of any kind to real traffic (provisional, success or failure code). */
    long lastResponseNs = Long.MIN_VALUE;
    /** The outcome queue's overflow count when the last answer was applied (see HealthMonitor). */
    long overflowsAtLastAnswer;
    /**
     * The longest recent delay of this destination's provisional responses (its time to answer at all), as of
     * {@link #answerDelayPeakAtNs}; it halves every {@link #PEAK_HALF_LIFE_NS} without a longer one. 0 before any.
     */
    double answerDelayPeakNs;

    long answerDelayPeakAtNs;
    static final long PEAK_HALF_LIFE_NS = 2_000_000_000L;
    /** The silence grace grows with the answer latency up to this many times the configured grace. */
    static final long MAX_GRACE_FACTOR = 20;
    /**
     * Early no-response signals counted since the destination last answered anything. Kept apart from
     * {@link #consecutiveFailures} (the two are judged together) because any response, even a 100 Trying, proves
     * the destination is not silent and clears it, whereas a provisional response must not hide failures.
     */
    int unansweredStreak;

    long unansweredForgiven;
    /** Timeouts not counted as consecutive failures because the destination was answering (they count in the rate). */
    long timeoutsForgiven;

    /** State last reported to the dispatcher, null before the first report. */
    DestinationState reported;

    boolean reportedHealthy;
    AdminState reportedAdmin = AdminState.ENABLED;
    /** Start of the current slow start ramp, or Long.MIN_VALUE when none runs. */
    long rampStartNs = Long.MIN_VALUE;

    int lastRampTenth;

    final LatencyTracker probeLatency;
    final LatencyTracker trafficLatency;

    DestinationHealth(
            final Destination destination,
            final InetSocketAddress address,
            final int setIndex,
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
        if (cause == HealthCause.PROBE_TIMEOUT
                && lastTrafficSuccessNs != Long.MIN_VALUE
                && nowNs - lastTrafficSuccessNs <= graceNs(nowNs)) {
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
        return onTrafficAlive(nowNs, -1);
    }

    /**
     * As {@link #onTrafficAlive(long)}, for a provisional response that came {@code latencyNs} after its INVITE
     * was sent: how long this destination takes to answer at all feeds the silence grace ({@link #graceNs}).
     */
    HealthCause onTrafficAlive(final long nowNs, final long latencyNs) {
        if (latencyNs >= 0) {
            answerDelayPeakNs = Math.max(latencyNs, answerDelayPeak(nowNs));
            answerDelayPeakAtNs = nowNs;
        }
        answered(nowNs);
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

    /** A final response with a configured failure code: a failure, but also an answer (it is not silent). */
    HealthCause onFailureResponse(final long nowNs) {
        answered(nowNs);
        return onTrafficFailure(nowNs, true);
    }

    /**
     * The failover timer ran out without any response. It always enters the failure-rate window (a destination
     * that drops most calls while answering a few is still ejected by the rate), but it counts as a consecutive
     * failure only if the destination answered no real traffic within the traffic-alive grace: under overload the
     * failover timers of a whole burst of lost datagrams expire in the same tick, between answers, and counting
     * them in a row would eject a destination that is answering thousands of calls. A dead destination is not
     * delayed by this: its timeouts arrive a whole failover timer after its last answer, far beyond the grace.
     *
     * <p>"Within the grace" here also covers the whole time the INVITE waited ({@code waitedNs}, the failover
     * timer): a destination that answered anything after this INVITE was sent was alive while it was
     * outstanding, so the INVITE (or its answer) was lost, which is what overload does; it was not silence.
     *
     * <p>The same INVITE was most likely reported unanswered at its first retransmission and counted then, so one
     * counted early signal turns into this failure: each silent INVITE counts once.
     *
     * <p>{@code commonSilence} as for {@link #onUnanswered}: forgiven.
     */
    HealthCause onTrafficTimeout(final long nowNs, final long waitedNs, final boolean commonSilence) {
        if (commonSilence
                || answeredWithinGrace(nowNs)
                || (lastResponseNs != Long.MIN_VALUE && nowNs - lastResponseNs <= waitedNs)) {
            timeoutsForgiven++;
            return onTrafficFailure(nowNs, false);
        }
        if (unansweredStreak > 0) {
            unansweredStreak--;
        }
        return onTrafficFailure(nowNs, true);
    }

    /**
     * Early signal: a forwarded INVITE got no response at all by its first retransmission; the branch is still
     * open. It counts towards consecutive-failure ejection only if the destination has answered no real traffic
     * within the traffic-alive grace: one that is overloaded but still answering other calls is slow, not
     * silent, and must never be ejected for it (no flapping under overload).
     *
     * <p>{@code commonSilence}: no other destination of the set has answered since this one last did, so the
     * silence is more likely the proxy's, its host's or the path's than this destination's (a dead PBX falls
     * silent alone while its siblings go on answering): forgiven.
     */
    HealthCause onUnanswered(final long nowNs, final boolean commonSilence) {
        if (commonSilence || answeredWithinGrace(nowNs)) {
            unansweredForgiven++;
            return null;
        }
        unansweredStreak++;
        if (!ejected && consecutiveFailures + unansweredStreak >= config.consecutiveFailures) {
            eject(nowNs);
            return HealthCause.UNANSWERED;
        }
        return null;
    }

    private boolean answeredWithinGrace(final long nowNs) {
        return lastResponseNs != Long.MIN_VALUE && nowNs - lastResponseNs <= graceNs(nowNs);
    }

    /**
     * How long a gap in this destination's answers is still "busy", not "silent": the configured grace, or four
     * times the longest delay of its recent first answers (a peak that halves every 2 s), whichever is longer,
     * capped at {@link #MAX_GRACE_FACTOR} times the configured grace. An overloaded destination (or path) answers
     * late and in bursts with long gaps, and its late answers raise the peak; one that answered within
     * milliseconds and then says nothing for half a second has died. Like a TCP retransmission timeout, the
     * bound follows the delays actually seen, but it is driven by the worst recent one, since under overload
     * the gaps track the worst delays, not the average.
     */
    long graceNs(final long nowNs) {
        long adaptive = 4 * Math.round(answerDelayPeak(nowNs));
        return Math.max(config.trafficAliveGraceNs, Math.min(adaptive, MAX_GRACE_FACTOR * config.trafficAliveGraceNs));
    }

    private double answerDelayPeak(final long nowNs) {
        if (answerDelayPeakNs <= 0) {
            return 0;
        }
        long age = Math.max(0, nowNs - answerDelayPeakAtNs);
        return answerDelayPeakNs * Math.pow(0.5, (double) age / PEAK_HALF_LIFE_NS);
    }

    private void answered(final long nowNs) {
        lastResponseNs = nowNs;
        unansweredStreak = 0;
    }

    private HealthCause onTrafficFailure(final long nowNs, final boolean inARow) {
        window.record(nowNs, true);
        if (inARow) {
            consecutiveFailures++;
        }
        if (ejected) {
            return null;
        }
        if (consecutiveFailures + unansweredStreak >= config.consecutiveFailures) {
            eject(nowNs);
            return HealthCause.CONSECUTIVE_FAILURES;
        }
        final int total = window.total(nowNs);
        if (total >= config.failureRateMinRequests
                && (long) window.failures(nowNs) * 100 >= (long) config.failureRatePercent * total) {
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
        unansweredStreak = 0;
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
        final double f = (double) Math.max(0, elapsed) / config.slowStartNs;
        return Math.max(config.slowStartMinFactor, f);
    }
}
