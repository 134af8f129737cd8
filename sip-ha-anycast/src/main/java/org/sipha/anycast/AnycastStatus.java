package org.sipha.anycast;

/**
 * Immutable snapshot of the decision, replaced whole by the decision thread; any thread may read it.
 *
 * @param state        current state
 * @param cause        why the last transition happened
 * @param applied      what the routing daemon was last confirmed to do, or null if unknown (e.g. daemon down)
 * @param dampingPenalty current flap-damping penalty
 * @param transitions  number of state transitions so far
 */
public record AnycastStatus(
        AnycastState state, String cause, RouteAnnouncement applied, double dampingPenalty, long transitions) {}
