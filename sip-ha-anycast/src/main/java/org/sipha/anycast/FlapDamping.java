package org.sipha.anycast;

/**
 * Route-flap damping in the style of RFC 2439: every health-caused withdrawal adds a penalty that decays
 * exponentially with a half-life; once the penalty exceeds the suppress limit, re-announcing is held off until
 * it has decayed below the reuse limit. Planned (administrative) withdrawals are not charged.
 * Single-threaded (decision thread); time in caller-supplied nanoseconds, so tests use a fake clock.
 */
final class FlapDamping {
    private final double penaltyPerFlap;
    private final double suppressLimit;
    private final double reuseLimit;
    private final double maxPenalty;
    private final long halfLifeNs;
    private double penalty;
    private long updatedNs;
    private boolean suppressed;

    FlapDamping(double penaltyPerFlap, double suppressLimit, double reuseLimit, double maxPenalty, long halfLifeNs) {
        if (!(reuseLimit > 0
                && reuseLimit < suppressLimit
                && suppressLimit <= maxPenalty
                && halfLifeNs > 0
                && penaltyPerFlap >= 0)) {
            throw new IllegalArgumentException("damping needs 0 < reuse < suppress <= max, half-life > 0, "
                    + "penalty >= 0; got penalty=" + penaltyPerFlap + " suppress=" + suppressLimit + " reuse="
                    + reuseLimit + " max=" + maxPenalty + " halfLifeNs=" + halfLifeNs);
        }
        this.penaltyPerFlap = penaltyPerFlap;
        this.suppressLimit = suppressLimit;
        this.reuseLimit = reuseLimit;
        this.maxPenalty = maxPenalty;
        this.halfLifeNs = halfLifeNs;
    }

    /** Charges one flap at {@code nowNs}. */
    void charge(long nowNs) {
        decay(nowNs);
        penalty = Math.min(maxPenalty, penalty + penaltyPerFlap);
        if (penalty >= suppressLimit) {
            suppressed = true;
        }
    }

    /** True while re-announcing must be held off. */
    boolean suppressed(long nowNs) {
        decay(nowNs);
        return suppressed;
    }

    double penalty(long nowNs) {
        decay(nowNs);
        return penalty;
    }

    /** Nanoseconds from {@code nowNs} until the penalty falls below the reuse limit (0 if not suppressed). */
    long reuseDelayNs(long nowNs) {
        decay(nowNs);
        if (!suppressed) {
            return 0;
        }
        double halfLives = Math.log(penalty / reuseLimit) / Math.log(2);
        return Math.max(1, (long) Math.ceil(halfLives * halfLifeNs));
    }

    private void decay(long nowNs) {
        long elapsed = nowNs - updatedNs;
        if (elapsed > 0 && penalty > 0) {
            penalty *= Math.pow(0.5, (double) elapsed / halfLifeNs);
            if (penalty < 1e-3) {
                penalty = 0;
            }
        }
        updatedNs = nowNs;
        if (suppressed && penalty <= reuseLimit) {
            suppressed = false;
        }
    }
}
