package org.sipha.galera;

/**
 * A state change published by the Galera client to {@link GaleraEventListener}s, in order, on the client's
 * single event thread. Immutable.
 */
public sealed interface GaleraEvent permits GaleraEvent.NodeUp, GaleraEvent.NodeDown, GaleraEvent.SiteQuorumChanged {

    /** {@link System#nanoTime()} of the decision. */
    long atNanos();

    /** A node became trusted for writes (after {@code riseCount} good polls). */
    record NodeUp(GaleraNode node, String reason, long atNanos) implements GaleraEvent {}

    /** A node stopped being trusted: bad polls, a failed commit canary, or an error seen by the routing layer. */
    record NodeDown(GaleraNode node, String reason, long atNanos) implements GaleraEvent {}

    /** The site gained (some node up) or lost (no node up) quorum. */
    record SiteQuorumChanged(boolean quorate, String reason, long atNanos) implements GaleraEvent {}
}
