package org.sipha.anycast;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The anycast decision as a pure state machine: inputs in, {@link AnycastState} out, every transition logged
 * with its cause. No threads, no I/O, no clock of its own: every method takes the current time in nanoseconds,
 * so unit tests drive it with a fake clock.
 *
 * <p>Threading: confined to the decision thread of {@link AnycastController}.
 *
 * <p>Blockers (any one keeps the prefix from being announced), in order of precedence: administrative disable
 * (API or maintenance file), local proxy unhealthy, too few destinations up, no quorum. Administrative blocks
 * lead to DISABLED and never charge flap damping; health blocks lead to WITHDRAWN and charge it.
 */
final class AnycastStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(AnycastStateMachine.class);

    private enum Blocker {
        NONE,
        ADMIN,
        PROXY,
        DESTINATIONS,
        QUORUM
    }

    private final AnycastConfig config;
    private final RiseFallCounter proxy;
    private final FlapDamping damping;

    private AnycastState state = AnycastState.INIT;
    private String cause = "started";
    private long stateSinceNs;
    private String proxyDetail = "no probe yet";
    private int destinationsUp = -1;
    private int destinationsTotal = -1;
    private boolean quorum;
    private String quorumCause = "no quorum report yet";
    private boolean adminDisabled;
    private String adminCause = "";
    private boolean maintenanceFilePresent;
    private long drainDeadlineNs;
    private boolean dampingHoldLogged;
    private long probeSilenceNs;
    private long lastProbeNs;

    AnycastStateMachine(AnycastConfig config, long nowNs) {
        this.config = config;
        this.proxy = new RiseFallCounter(config.rise, config.fall);
        this.damping = new FlapDamping(
                config.dampingPenaltyPerFlap,
                config.dampingSuppressLimit,
                config.dampingReuseLimit,
                config.dampingMaxPenalty,
                config.dampingHalfLifeNs);
        this.stateSinceNs = nowNs;
        LOG.info("anycast decision starts in INIT (prefix withdrawn until {} passing probes); {}", config.rise, config);
    }

    AnycastState state() {
        return state;
    }

    /** Cause of the last transition, for logs and status. */
    String cause() {
        return cause;
    }

    long stateSinceNs() {
        return stateSinceNs;
    }

    RouteAnnouncement desired() {
        return state.announcement();
    }

    double dampingPenalty(long nowNs) {
        return damping.penalty(nowNs);
    }

    /** One result of probing the local proxy. */
    void onProxyProbe(boolean pass, String detail, long nowNs) {
        lastProbeNs = nowNs;
        proxyDetail = detail;
        if (proxy.record(pass)) {
            LOG.info(
                    "local proxy now {} ({} after {} consecutive {}): {}",
                    proxy.verdict(),
                    pass ? "rise" : "fall",
                    pass ? proxy.passRun() : proxy.failRun(),
                    pass ? "passes" : "failures",
                    detail);
        }
        evaluate(nowNs);
    }

    /**
     * From now on a healthy verdict lapses (as if {@code fall} probes had failed) when no probe result arrives for
     * {@code silenceNs}: a dead or stuck probe thread must not leave the prefix announced. 0 turns it off.
     */
    void expectProbesWithin(long silenceNs, long nowNs) {
        probeSilenceNs = silenceNs;
        lastProbeNs = nowNs;
    }

    /** The health module's count of up destinations. */
    void onDestinations(int up, int total, long nowNs) {
        boolean okBefore = destinationsOk();
        destinationsUp = up;
        destinationsTotal = total;
        if (okBefore != destinationsOk()) {
            LOG.info(
                    "destinations: {} of {} up, need {} -> {}",
                    up,
                    total,
                    config.minDestinationsUp,
                    destinationsOk() ? "enough" : "too few");
        }
        evaluate(nowNs);
    }

    /** The site's database quorum. */
    void onQuorum(boolean hasQuorum, String why, long nowNs) {
        if (hasQuorum != quorum) {
            LOG.info("quorum {}: {}", hasQuorum ? "gained" : "lost", why);
        }
        quorum = hasQuorum;
        quorumCause = why;
        evaluate(nowNs);
    }

    /** Administrative disable/enable through the API. */
    void onAdmin(boolean disabled, String why, long nowNs) {
        if (disabled != adminDisabled) {
            LOG.info("administratively {} via API: {}", disabled ? "disabled" : "enabled", why);
        }
        adminDisabled = disabled;
        adminCause = why;
        evaluate(nowNs);
    }

    /** Presence of the maintenance file, as last seen by the decision thread. */
    void onMaintenanceFile(boolean present, long nowNs) {
        if (present != maintenanceFilePresent) {
            LOG.info("maintenance file {} {}", config.maintenanceFile, present ? "appeared" : "removed");
        }
        maintenanceFilePresent = present;
        evaluate(nowNs);
    }

    /** Advances timers (drain end, damping reuse, probe silence). */
    void tick(long nowNs) {
        if (probesSilent(nowNs)) {
            proxyDetail =
                    "no probe result for " + (nowNs - lastProbeNs) / 1_000_000 + " ms (probe thread dead or stuck)";
            proxy.lapse();
            LOG.error("local proxy now {}: {}", proxy.verdict(), proxyDetail);
        }
        evaluate(nowNs);
    }

    private boolean probesSilent(long nowNs) {
        return probeSilenceNs > 0
                && proxy.verdict() == RiseFallCounter.Verdict.HEALTHY
                && nowNs - lastProbeNs >= probeSilenceNs;
    }

    private boolean destinationsOk() {
        return config.minDestinationsUp == 0 || destinationsUp >= config.minDestinationsUp;
    }

    private boolean quorumOk() {
        return !config.requireQuorum || quorum;
    }

    private Blocker blocker() {
        if (adminDisabled || maintenanceFilePresent) {
            return Blocker.ADMIN;
        }
        if (proxy.verdict() != RiseFallCounter.Verdict.HEALTHY) {
            return Blocker.PROXY;
        }
        if (!destinationsOk()) {
            return Blocker.DESTINATIONS;
        }
        if (!quorumOk()) {
            return Blocker.QUORUM;
        }
        return Blocker.NONE;
    }

    private String describe(Blocker b) {
        return switch (b) {
            case NONE ->
                "proxy healthy (" + proxyDetail + ")"
                        + (config.minDestinationsUp > 0
                                ? ", " + destinationsUp + "/" + destinationsTotal + " destinations up"
                                : "")
                        + (config.requireQuorum ? ", quorum" : "");
            case ADMIN ->
                adminDisabled
                        ? "disabled via API: " + adminCause
                        : "maintenance file " + config.maintenanceFile + " present";
            case PROXY -> "local proxy " + proxy.verdict() + ": " + proxyDetail;
            case DESTINATIONS ->
                "only " + Math.max(destinationsUp, 0) + " of " + Math.max(destinationsTotal, 0)
                        + " destinations up, need " + config.minDestinationsUp;
            case QUORUM -> "no quorum: " + quorumCause;
        };
    }

    private void evaluate(long nowNs) {
        Blocker b = blocker();
        switch (state) {
            case INIT -> {
                if (b == Blocker.ADMIN) {
                    moveTo(AnycastState.DISABLED, describe(b), nowNs);
                } else if (b == Blocker.NONE) {
                    announceUnlessDamped(nowNs);
                } else if (b != Blocker.PROXY || proxy.verdict() == RiseFallCounter.Verdict.UNHEALTHY) {
                    moveTo(AnycastState.WITHDRAWN, describe(b), nowNs);
                }
            }
            case UP -> {
                if (b == Blocker.NONE) {
                    return;
                }
                if (b == Blocker.PROXY && !config.drainOnProxyFailure || config.drainNs == 0) {
                    withdraw(b, nowNs);
                } else {
                    drainDeadlineNs = nowNs + config.drainNs;
                    moveTo(
                            AnycastState.DRAINING,
                            describe(b) + "; withdraw in " + config.drainNs / 1_000_000 + " ms",
                            nowNs);
                }
            }
            case DRAINING -> {
                if (b == Blocker.NONE) {
                    moveTo(AnycastState.UP, "recovered while draining: " + describe(b), nowNs);
                } else if (b == Blocker.PROXY && !config.drainOnProxyFailure) {
                    withdraw(b, nowNs);
                } else if (nowNs - drainDeadlineNs >= 0) {
                    withdraw(b, nowNs);
                }
            }
            case WITHDRAWN -> {
                if (b == Blocker.ADMIN) {
                    moveTo(AnycastState.DISABLED, describe(b), nowNs);
                } else if (b == Blocker.NONE) {
                    announceUnlessDamped(nowNs);
                }
            }
            case DISABLED -> {
                if (b != Blocker.ADMIN) {
                    moveTo(AnycastState.WITHDRAWN, "administratively enabled again", nowNs);
                    evaluate(nowNs);
                }
            }
            default -> throw new IllegalStateException(String.valueOf(state));
        }
    }

    private void withdraw(Blocker b, long nowNs) {
        if (b == Blocker.ADMIN) {
            moveTo(AnycastState.DISABLED, describe(b), nowNs);
        } else {
            damping.charge(nowNs);
            dampingHoldLogged = false;
            moveTo(
                    AnycastState.WITHDRAWN,
                    describe(b) + String.format(" (damping penalty now %.0f)", damping.penalty(nowNs)),
                    nowNs);
        }
    }

    private void announceUnlessDamped(long nowNs) {
        if (damping.suppressed(nowNs)) {
            if (!dampingHoldLogged) {
                dampingHoldLogged = true;
                LOG.info(
                        "anycast stays {}: healthy, but flapping: damping penalty {} holds the announcement "
                                + "for another {} ms",
                        state,
                        String.format("%.0f", damping.penalty(nowNs)),
                        damping.reuseDelayNs(nowNs) / 1_000_000);
            }
            return;
        }
        moveTo(AnycastState.UP, describe(Blocker.NONE), nowNs);
    }

    private void moveTo(AnycastState next, String why, long nowNs) {
        LOG.info("anycast {} -> {}: {}", state, next, why);
        state = next;
        cause = why;
        stateSinceNs = nowNs;
    }

    /** Nanoseconds until the next timer this machine waits for, or Long.MAX_VALUE for none. */
    long nextTimerDelayNs(long nowNs) {
        long silence = probeSilenceNs > 0 && proxy.verdict() == RiseFallCounter.Verdict.HEALTHY
                ? Math.max(0, lastProbeNs + probeSilenceNs - nowNs)
                : Long.MAX_VALUE;
        if (state == AnycastState.DRAINING) {
            return Math.min(silence, Math.max(0, drainDeadlineNs - nowNs));
        }
        if (state == AnycastState.WITHDRAWN && blocker() == Blocker.NONE) {
            return Math.min(silence, damping.reuseDelayNs(nowNs));
        }
        return silence;
    }
}
