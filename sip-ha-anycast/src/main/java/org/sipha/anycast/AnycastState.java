package org.sipha.anycast;

/**
 * States of the anycast decision. Only UP and DRAINING announce the prefix.
 * <pre>
 *   INIT ──rise ok──▶ UP ◀──recovered── DRAINING ──drain time over──▶ WITHDRAWN ──healthy, not damped──▶ UP
 *     │                │ ──degraded / disabled──▶ DRAINING                ▲
 *     │                └──proxy down (no drain)──────────────────────────┘
 *     └─fall─▶ WITHDRAWN;   any state ──maintenance file / API──▶ (drain) ▶ DISABLED ──enabled──▶ WITHDRAWN
 * </pre>
 */
public enum AnycastState {
    /** Just started: not enough probes yet to decide; the prefix is withdrawn. */
    INIT,
    /** Healthy: the prefix is announced. */
    UP,
    /** Going away: announced with the graceful-shutdown community / prepend until the drain time is over. */
    DRAINING,
    /** Unhealthy (or held down by flap damping): the prefix is withdrawn. */
    WITHDRAWN,
    /** Administratively disabled (maintenance file or API): the prefix is withdrawn. */
    DISABLED;

    /** What the routing daemon must do in this state. */
    public RouteAnnouncement announcement() {
        return switch (this) {
            case UP -> RouteAnnouncement.ANNOUNCE;
            case DRAINING -> RouteAnnouncement.DRAIN;
            case INIT, WITHDRAWN, DISABLED -> RouteAnnouncement.WITHDRAW;
        };
    }
}
