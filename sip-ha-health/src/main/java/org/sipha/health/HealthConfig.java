package org.sipha.health;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Thresholds of the health owner: active-probe rise/fall, passive outlier detection, ejection back-off, panic
 * threshold and slow start. Immutable, safe to share; build with {@link #builder()}. All durations are in
 * nanoseconds of the owner's clock.
 */
public final class HealthConfig {
    final int rise;
    final int fall;
    final boolean startActive;
    final int consecutiveFailures;
    final int[] failureStatusCodes;
    final long failureRateWindowNs;
    final int failureRateMinRequests;
    final int failureRatePercent;
    final long baseEjectionNs;
    final long maxEjectionNs;
    final int maxEjectedPercent;
    final long slowStartNs;
    final double slowStartMinFactor;
    final long trafficAliveGraceNs;
    final double latencyEwmaAlpha;
    final long latencyHighestTrackableNs;
    final long snapshotRefreshNs;

    private HealthConfig(final Builder b) {
        rise = positive(b.rise, "rise");
        fall = positive(b.fall, "fall");
        startActive = b.startActive;
        consecutiveFailures = positive(b.consecutiveFailures, "consecutiveFailures");
        failureStatusCodes = b.failureStatusCodes.clone();
        Arrays.sort(failureStatusCodes);
        for (final int code : failureStatusCodes) {
            if (code < 100 || code > 699) {
                throw new IllegalArgumentException("failure status code out of range 100..699: " + code);
            }
        }
        failureRateWindowNs = positive(b.failureRateWindowNs, "failureRateWindowNs");
        failureRateMinRequests = positive(b.failureRateMinRequests, "failureRateMinRequests");
        if (b.failureRatePercent < 1 || b.failureRatePercent > 100) {
            throw new IllegalArgumentException("failureRatePercent must be 1..100: " + b.failureRatePercent);
        }
        failureRatePercent = b.failureRatePercent;
        baseEjectionNs = positive(b.baseEjectionNs, "baseEjectionNs");
        maxEjectionNs = positive(b.maxEjectionNs, "maxEjectionNs");
        if (maxEjectionNs < baseEjectionNs) {
            throw new IllegalArgumentException("maxEjectionNs < baseEjectionNs");
        }
        if (b.maxEjectedPercent < 0 || b.maxEjectedPercent > 100) {
            throw new IllegalArgumentException("maxEjectedPercent must be 0..100: " + b.maxEjectedPercent);
        }
        maxEjectedPercent = b.maxEjectedPercent;
        if (b.slowStartNs < 0) {
            throw new IllegalArgumentException("slowStartNs must be >= 0");
        }
        slowStartNs = b.slowStartNs;
        if (!(b.slowStartMinFactor > 0 && b.slowStartMinFactor <= 1)) {
            throw new IllegalArgumentException("slowStartMinFactor must be in (0, 1]: " + b.slowStartMinFactor);
        }
        slowStartMinFactor = b.slowStartMinFactor;
        if (b.trafficAliveGraceNs < 0) {
            throw new IllegalArgumentException("trafficAliveGraceNs must be >= 0");
        }
        trafficAliveGraceNs = b.trafficAliveGraceNs;
        if (!(b.latencyEwmaAlpha > 0 && b.latencyEwmaAlpha <= 1)) {
            throw new IllegalArgumentException("latencyEwmaAlpha must be in (0, 1]: " + b.latencyEwmaAlpha);
        }
        latencyEwmaAlpha = b.latencyEwmaAlpha;
        latencyHighestTrackableNs = positive(b.latencyHighestTrackableNs, "latencyHighestTrackableNs");
        snapshotRefreshNs = positive(b.snapshotRefreshNs, "snapshotRefreshNs");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults (see {@link Builder}). */
    public static HealthConfig defaults() {
        return new Builder().build();
    }

    boolean isFailureStatus(final int statusCode) {
        return Arrays.binarySearch(failureStatusCodes, statusCode) >= 0;
    }

    private static int positive(final int v, final String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1: " + v);
        }
        return v;
    }

    private static long positive(final long v, final String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1: " + v);
        }
        return v;
    }

    /** Mutable builder, one thread. Defaults are in the field initialisers. */
    public static final class Builder {
        private int rise = 2;
        private int fall = 3;
        private boolean startActive = true;
        private int consecutiveFailures = 5;
        private int[] failureStatusCodes = {500, 503};
        private long failureRateWindowNs = TimeUnit.SECONDS.toNanos(10);
        private int failureRateMinRequests = 20;
        private int failureRatePercent = 50;
        private long baseEjectionNs = TimeUnit.SECONDS.toNanos(5);
        private long maxEjectionNs = TimeUnit.SECONDS.toNanos(120);
        private int maxEjectedPercent = 50;
        private long slowStartNs = TimeUnit.SECONDS.toNanos(10);
        private double slowStartMinFactor = 0.1;
        private long trafficAliveGraceNs = TimeUnit.MILLISECONDS.toNanos(500);
        private double latencyEwmaAlpha = 0.2;
        private long latencyHighestTrackableNs = TimeUnit.SECONDS.toNanos(60);
        private long snapshotRefreshNs = TimeUnit.SECONDS.toNanos(1);

        /** Consecutive successful probes that bring a down destination back (default 2). */
        public Builder rise(final int n) {
            rise = n;
            return this;
        }

        /** Consecutive failed probes that take an up destination down (default 3). */
        public Builder fall(final int n) {
            fall = n;
            return this;
        }

        /** Whether destinations start ACTIVE (default) or INACTIVE until {@code rise} probes succeed. */
        public Builder startActive(final boolean v) {
            startActive = v;
            return this;
        }

        /** Consecutive real-traffic failures (timeouts or failure codes) that eject (default 5). */
        public Builder consecutiveFailures(final int n) {
            consecutiveFailures = n;
            return this;
        }

        /** Final status codes of real traffic that count as failures (default 500, 503). */
        public Builder failureStatusCodes(final int... codes) {
            failureStatusCodes = codes.clone();
            return this;
        }

        /** Sliding window for failure-rate ejection (default 10 s). */
        public Builder failureRateWindowNs(final long ns) {
            failureRateWindowNs = ns;
            return this;
        }

        /** Outcomes needed in the window before the failure rate is judged (default 20). */
        public Builder failureRateMinRequests(final int n) {
            failureRateMinRequests = n;
            return this;
        }

        /** Failure share in percent at or above which a destination is ejected (default 50). */
        public Builder failureRatePercent(final int percent) {
            failureRatePercent = percent;
            return this;
        }

        /** First ejection time; doubles on each repeated ejection (default 5 s). */
        public Builder baseEjectionNs(final long ns) {
            baseEjectionNs = ns;
            return this;
        }

        /** Cap of the backed-off ejection time (default 120 s); also the quiet time that resets the back-off. */
        public Builder maxEjectionNs(final long ns) {
            maxEjectionNs = ns;
            return this;
        }

        /**
         * Panic threshold: the largest share (percent) of a set's enabled destinations that may be out at once.
         * Beyond it every enabled destination of the set is reported ACTIVE (fail open). 100 disables panic
         * mode (default 50).
         */
        public Builder maxEjectedPercent(final int percent) {
            maxEjectedPercent = percent;
            return this;
        }

        /** Time over which a recovered destination's traffic share ramps up to full; 0 disables (default 10 s). */
        public Builder slowStartNs(final long ns) {
            slowStartNs = ns;
            return this;
        }

        /** Ramp factor right after recovery (default 0.1). */
        public Builder slowStartMinFactor(final double f) {
            slowStartMinFactor = f;
            return this;
        }

        /**
         * A probe timeout within this time of a real-traffic success is forgiven: the destination is answering
         * calls, so a lost probe is overload, not death (default 500 ms). Likewise the engine's early "INVITE
         * unanswered at its first retransmission" signal counts as a failure, and a real-traffic timeout as a
         * consecutive failure, only if the destination sent no response at all to real traffic within this time.
         * Keep it short: a destination that was killed answered traffic until the moment it died, and every
         * forgiven signal delays its ejection. It is a floor: each destination's grace grows to four times the
         * longest recent delay of its provisional responses (a peak halving every 2 s) when that is longer, up
         * to 20 times this value, so a destination answering late under overload is not taken for a silent one.
         */
        public Builder trafficAliveGraceNs(final long ns) {
            trafficAliveGraceNs = ns;
            return this;
        }

        /** Weight of the newest sample in the latency EWMA (default 0.2). */
        public Builder latencyEwmaAlpha(final double alpha) {
            latencyEwmaAlpha = alpha;
            return this;
        }

        /** Largest latency the histograms record; larger samples are clamped (default 60 s). */
        public Builder latencyHighestTrackableNs(final long ns) {
            latencyHighestTrackableNs = ns;
            return this;
        }

        /** How often latency figures in the published snapshot are refreshed (default 1 s). */
        public Builder snapshotRefreshNs(final long ns) {
            snapshotRefreshNs = ns;
            return this;
        }

        public HealthConfig build() {
            return new HealthConfig(this);
        }
    }
}
