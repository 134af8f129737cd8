package org.sipha.admin;

/**
 * What the admin endpoint reads from the node it serves, implemented by whoever wires the node (the reference
 * proxy's wiring). Called on the endpoint's threads, at most two at a time; implementations read snapshots and
 * must not block for long.
 */
public interface NodeView {
    /** Whether new calls should come here now ({@code GET /ready}). */
    Readiness readiness();

    /** Everything {@code GET /status} and {@code GET /destinations} show. */
    NodeStatus status();
}
