package org.sipha.admin;

import java.util.Objects;

/**
 * One change of state an operator may want to see: a destination's health or admin state, the anycast decision,
 * the site quorum, the node's drain, a reload. Immutable.
 *
 * @param atEpochMs wall-clock time of the change
 * @param subject   what changed: a destination id, or {@code anycast}, {@code quorum}, {@code node}, {@code config}
 * @param from      the state before (may be empty)
 * @param to        the state after
 * @param cause     why, in a few words
 */
public record StateChange(long atEpochMs, String subject, String from, String to, String cause) {
    public StateChange {
        Objects.requireNonNull(subject, "subject");
        from = from == null ? "" : from;
        to = to == null ? "" : to;
        cause = cause == null ? "" : cause;
    }
}
