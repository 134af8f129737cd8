package org.sipha.anycast;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Immutable settings of the anycast decision. Build with {@link #builder()}; defaults are in the builder.
 * Any thread may read it.
 */
public final class AnycastConfig {
    final int rise;
    final int fall;
    final long drainNs;
    final boolean drainOnProxyFailure;
    final int minDestinationsUp;
    final boolean requireQuorum;
    final double dampingPenaltyPerFlap;
    final double dampingSuppressLimit;
    final double dampingReuseLimit;
    final double dampingMaxPenalty;
    final long dampingHalfLifeNs;
    final long tickNs;
    final long heartbeatIntervalNs;
    final long reconcileIntervalNs;
    final Path maintenanceFile;

    private AnycastConfig(Builder b) {
        this.rise = b.rise;
        this.fall = b.fall;
        this.drainNs = b.drainMs * 1_000_000L;
        this.drainOnProxyFailure = b.drainOnProxyFailure;
        this.minDestinationsUp = b.minDestinationsUp;
        this.requireQuorum = b.requireQuorum;
        this.dampingPenaltyPerFlap = b.dampingPenaltyPerFlap;
        this.dampingSuppressLimit = b.dampingSuppressLimit;
        this.dampingReuseLimit = b.dampingReuseLimit;
        this.dampingMaxPenalty = b.dampingMaxPenalty;
        this.dampingHalfLifeNs = b.dampingHalfLifeMs * 1_000_000L;
        this.tickNs = b.tickMs * 1_000_000L;
        this.heartbeatIntervalNs = b.heartbeatIntervalMs * 1_000_000L;
        this.reconcileIntervalNs = b.reconcileIntervalMs * 1_000_000L;
        this.maintenanceFile = b.maintenanceFile;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<Path> maintenanceFile() {
        return Optional.ofNullable(maintenanceFile);
    }

    @Override
    public String toString() {
        return "rise=" + rise + " fall=" + fall + " drainMs=" + drainNs / 1_000_000 + " drainOnProxyFailure="
                + drainOnProxyFailure + " minDestinationsUp=" + minDestinationsUp + " requireQuorum=" + requireQuorum
                + " damping(penalty=" + dampingPenaltyPerFlap + " suppress=" + dampingSuppressLimit + " reuse="
                + dampingReuseLimit + " max=" + dampingMaxPenalty + " halfLifeMs=" + dampingHalfLifeNs / 1_000_000
                + ") tickMs=" + tickNs / 1_000_000 + " heartbeatMs=" + heartbeatIntervalNs / 1_000_000
                + " reconcileMs=" + reconcileIntervalNs / 1_000_000 + " maintenanceFile=" + maintenanceFile;
    }

    /** Mutable builder; single thread. {@link #build()} validates and throws IllegalArgumentException. */
    public static final class Builder {
        private int rise = 3;
        private int fall = 2;
        private long drainMs = 10_000;
        private boolean drainOnProxyFailure;
        private int minDestinationsUp;
        private boolean requireQuorum;
        private double dampingPenaltyPerFlap = 1000;
        private double dampingSuppressLimit = 2000;
        private double dampingReuseLimit = 750;
        private double dampingMaxPenalty = 8000;
        private long dampingHalfLifeMs = 60_000;
        private long tickMs = 50;
        private long heartbeatIntervalMs = 100;
        private long reconcileIntervalMs = 1_000;
        private Path maintenanceFile;

        private Builder() {}

        /** Consecutive passing probes before the proxy counts as healthy (default 3). */
        public Builder rise(int n) {
            this.rise = n;
            return this;
        }

        /** Consecutive failing probes before the proxy counts as unhealthy (default 2). */
        public Builder fall(int n) {
            this.fall = n;
            return this;
        }

        /** How long the prefix stays announced with the drain marking before it is withdrawn (default 10 s). */
        public Builder drainMs(long ms) {
            this.drainMs = ms;
            return this;
        }

        /**
         * Drain also when the local proxy itself fails its probes (default false: a proxy that does not answer
         * cannot serve the callers a drain would keep, so the prefix is withdrawn at once).
         */
        public Builder drainOnProxyFailure(boolean b) {
            this.drainOnProxyFailure = b;
            return this;
        }

        /** Announce only while at least this many destinations are up (default 0 = signal not used). */
        public Builder minDestinationsUp(int k) {
            this.minDestinationsUp = k;
            return this;
        }

        /** Announce only while the site has database quorum (default false = signal not used). */
        public Builder requireQuorum(boolean b) {
            this.requireQuorum = b;
            return this;
        }

        /** RFC 2439-style damping figures (defaults 1000 per flap, suppress 2000, reuse 750, max 8000, 60 s). */
        public Builder damping(
                double penaltyPerFlap, double suppressLimit, double reuseLimit, double maxPenalty, long halfLifeMs) {
            this.dampingPenaltyPerFlap = penaltyPerFlap;
            this.dampingSuppressLimit = suppressLimit;
            this.dampingReuseLimit = reuseLimit;
            this.dampingMaxPenalty = maxPenalty;
            this.dampingHalfLifeMs = halfLifeMs;
            return this;
        }

        /** Longest the decision thread sleeps when idle (default 50 ms). */
        public Builder tickMs(long ms) {
            this.tickMs = ms;
            return this;
        }

        /** Dead-man heartbeat period (default 100 ms; the relay's timeout must be several periods). */
        public Builder heartbeatIntervalMs(long ms) {
            this.heartbeatIntervalMs = ms;
            return this;
        }

        /** How often the daemon's actual state is read back and corrected (default 1 s). */
        public Builder reconcileIntervalMs(long ms) {
            this.reconcileIntervalMs = ms;
            return this;
        }

        /** While this file exists the service is DISABLED (drained, then withdrawn). Null for none. */
        public Builder maintenanceFile(Path file) {
            this.maintenanceFile = file;
            return this;
        }

        public AnycastConfig build() {
            check(rise >= 1 && rise <= 1000, "rise must be 1..1000: " + rise);
            check(fall >= 1 && fall <= 1000, "fall must be 1..1000: " + fall);
            check(drainMs >= 0, "drainMs must be >= 0: " + drainMs);
            check(minDestinationsUp >= 0, "minDestinationsUp must be >= 0: " + minDestinationsUp);
            check(tickMs >= 1 && tickMs <= 10_000, "tickMs must be 1..10000: " + tickMs);
            check(
                    heartbeatIntervalMs >= 1 && heartbeatIntervalMs <= 60_000,
                    "heartbeatIntervalMs must be 1..60000: " + heartbeatIntervalMs);
            check(reconcileIntervalMs >= 10, "reconcileIntervalMs must be >= 10: " + reconcileIntervalMs);
            // validates the damping figures
            new FlapDamping(
                    dampingPenaltyPerFlap,
                    dampingSuppressLimit,
                    dampingReuseLimit,
                    dampingMaxPenalty,
                    dampingHalfLifeMs * 1_000_000L);
            return new AnycastConfig(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
