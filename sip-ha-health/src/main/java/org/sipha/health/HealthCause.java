package org.sipha.health;

/** Why a destination's health changed; carried by every {@link HealthEvent}. */
public enum HealthCause {
    /** Initial state when the monitor starts. */
    INITIAL,
    /** The set was given new members ({@link HealthMonitor#replaceSet}): the state a destination joins with. */
    CONFIGURED,
    /** {@code fall} consecutive OPTIONS probes got no final reply in time. */
    PROBE_TIMEOUT,
    /** {@code fall} consecutive OPTIONS probes got a final reply the reply-code policy does not accept. */
    PROBE_REJECTED,
    /** A probe could not be sent (transport refused it). */
    PROBE_SEND_FAILED,
    /** Probes succeeded again; during {@code rise} the destination is PROBING, then ACTIVE. */
    PROBE_RECOVERED,
    /** Real traffic answered while probes said down: the destination is alive. */
    TRAFFIC_SUCCESS,
    /** Consecutive real-traffic failures (timeouts or configured 5xx codes) reached the threshold. */
    CONSECUTIVE_FAILURES,
    /**
     * Consecutive real-traffic failures reached the threshold, the last one a forwarded INVITE that got no response
     * at all by its first retransmission (timer A) from a destination that had answered nothing within the
     * traffic-alive grace: a silent destination, ejected before the failover timer runs out.
     */
    UNANSWERED,
    /** The failure rate of real traffic over the window reached the threshold. */
    FAILURE_RATE,
    /** The ejection time ran out. */
    EJECTION_EXPIRED,
    /** Operator disabled the destination. */
    ADMIN_DISABLED,
    /** Operator put the destination in draining: no new calls, existing dialogs finish. */
    ADMIN_DRAINING,
    /** Operator enabled the destination again. */
    ADMIN_ENABLED,
    /** Too large a share of the set is out: fail open, every enabled destination reported ACTIVE. */
    PANIC_FAIL_OPEN,
    /** The set left panic mode: destinations are reported by their own health again. */
    PANIC_CLEARED
}
