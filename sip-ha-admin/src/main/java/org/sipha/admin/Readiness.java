package org.sipha.admin;

import java.util.Objects;

/**
 * Whether the node should get new calls now, and why (or why not): what {@code GET /ready} answers (200 or 503).
 * Immutable.
 *
 * @param ready  true once warmed up and bound, while it is not draining, withdrawn or without quorum
 * @param reason a short text for operators, e.g. {@code "draining"}
 */
public record Readiness(boolean ready, String reason) {
    /** Before the node has started. */
    public static final Readiness STARTING = new Readiness(false, "starting: warming up and binding");

    public Readiness {
        Objects.requireNonNull(reason, "reason");
    }
}
