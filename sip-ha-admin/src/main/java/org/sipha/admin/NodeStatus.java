package org.sipha.admin;

import java.util.List;
import java.util.Objects;

/**
 * The whole node as {@code GET /status} shows it. Immutable.
 *
 * @param node                 how the node names itself (e.g. its listen addresses)
 * @param readiness            what {@code /ready} answers now
 * @param draining             true once the node was drained (no new calls)
 * @param configVersion        1 as started, one more for each destination list reload applied
 * @param configSource         where the destination list comes from (a file, or the command line)
 * @param routingTableVersion  the routing table snapshot in use (every state change adds one)
 * @param callsInFlight        INVITE transactions without a final response
 * @param anycast              the anycast decision, or null when the node announces no prefix
 * @param quorum               the site quorum, or null without a database cluster
 * @param sets                 the destination sets
 * @param recentChanges        recent state changes, newest first
 */
public record NodeStatus(
        String node,
        Readiness readiness,
        boolean draining,
        long configVersion,
        String configSource,
        long routingTableVersion,
        int callsInFlight,
        Anycast anycast,
        Quorum quorum,
        List<SetStatus> sets,
        List<StateChange> recentChanges) {
    public NodeStatus {
        Objects.requireNonNull(readiness, "readiness");
        sets = List.copyOf(sets);
        recentChanges = List.copyOf(recentChanges);
    }

    /**
     * The anycast decision.
     *
     * @param prefix      the prefix announced
     * @param state       {@code init}, {@code up}, {@code draining}, {@code withdrawn}, {@code disabled}
     * @param applied     what the routing daemon was last confirmed to do ({@code announce}, {@code drain},
     *                    {@code withdraw}), or {@code unknown}
     * @param cause       why the last transition happened
     * @param transitions transitions so far
     */
    public record Anycast(String prefix, String state, String applied, String cause, long transitions) {}

    /**
     * The site's database quorum.
     *
     * @param quorate true while a node of the site is trusted for writes
     * @param reason  the last change's reason
     * @param refusingCalls true while new calls are answered 503 for the lack of it
     */
    public record Quorum(boolean quorate, String reason, boolean refusingCalls) {}
}
