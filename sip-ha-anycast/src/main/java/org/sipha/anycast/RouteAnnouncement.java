package org.sipha.anycast;

/**
 * What the routing daemon should be doing with the anycast prefix.
 */
public enum RouteAnnouncement {
    /** The prefix is announced normally. */
    ANNOUNCE,
    /**
     * The prefix is still announced, but marked so that routers prefer other sites: the graceful-shutdown
     * community 65535:0 (RFC 8326) and/or an AS-path prepend, depending on how the daemon is configured.
     */
    DRAIN,
    /** The prefix is not announced. */
    WITHDRAW
}
