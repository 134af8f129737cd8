package org.sipha.dispatcher.engine;

/**
 * Chooses where the engine forwards an initial request, and where it fails over to. The seam between the engine
 * and the dispatcher (destination sets and selection algorithms): the engine needs nothing else from it.
 *
 * <h2>Threading</h2>
 * {@link #newCursor()} may be called from any thread, but only while the engine starts (it pre-allocates its
 * cursors). Each {@link FailoverCursor} belongs to one I/O thread; selectors must therefore keep shared state
 * lock-free (an immutable destination snapshot, an atomic counter).
 */
public interface NextHopSelector {
    /** A new cursor; the engine keeps one per call slot and reuses it for every call in that slot. */
    FailoverCursor newCursor();

    /**
     * A number that changes whenever the usable destinations may have changed (e.g. the routing table's
     * version). The engine polls it from its timers; when it changes, it asks {@link #isUsable} about the
     * destinations of INVITEs still waiting for any response, and fails those over at once. Any thread.
     */
    default long version() {
        return 0;
    }

    /** Whether new requests may still go to {@code destination} (false once health checking ejected it). Any thread. */
    default boolean isUsable(Destination destination) {
        return true;
    }

    /**
     * Whether health checking found {@code destination} down (ejected, or failing its probes), as opposed to
     * merely not taking new calls (disabled or draining by an operator, which must let ringing calls finish). The
     * engine asks it, like {@link #isUsable}, when {@link #version()} changes, about INVITEs that are ringing
     * there, and moves them. Any thread.
     */
    default boolean isDown(Destination destination) {
        return false;
    }

    /**
     * The failover order for one request. Single-threaded; reusable: {@link #reset} starts a new request.
     */
    interface FailoverCursor {
        /**
         * Starts a new request. {@code requestKey} is a stable hash of the request (of its Call-ID), for
         * selectors that hash calls to destinations.
         */
        void reset(int requestKey);

        /**
         * The next destination to try, never one this cursor already returned since {@link #reset}; null when
         * every usable destination has been tried. A selector that counts calls per destination (least calls,
         * {@code maxload}, bounded-load hashing) takes a call lease on the destination it returns; the lease is
         * kept (the call is counted until the lease expires) unless {@link #release} gives it back.
         */
        Destination next();

        /**
         * Gives back the lease of the destination last returned by {@link #next}: its branch failed or was
         * abandoned, or the request was not a call. Idempotent; a no-op for selectors without leases.
         */
        default void release() {
        }
    }
}
