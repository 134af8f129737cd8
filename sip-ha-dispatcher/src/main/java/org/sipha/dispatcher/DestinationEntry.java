package org.sipha.dispatcher;

import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

/**
 * A destination as one {@link RoutingTable} snapshot sees it: its configuration and its state, both frozen
 * for the life of the snapshot, plus the {@link DestinationRuntime} shared with every other snapshot that keeps
 * the same id. What selection returns.
 *
 * <p>Immutable apart from the runtime; any thread.
 */
public final class DestinationEntry {
    /** Attribute holding the maximum concurrent calls (Kamailio's {@code maxload}). */
    public static final String MAX_LOAD_ATTRIBUTE = "maxload";

    private final Destination destination;
    private final DestinationState state;
    private final DestinationRuntime runtime;
    private final int index;
    private final int maxLoad;

    DestinationEntry(
            final Destination destination,
            final DestinationState state,
            final DestinationRuntime runtime,
            final int index) {
        this.destination = destination;
        this.state = state;
        this.runtime = runtime;
        this.index = index;
        final String max = destination.attribute(MAX_LOAD_ATTRIBUTE);
        this.maxLoad = max == null ? 0 : Integer.parseInt(max.trim());
    }

    public Destination destination() {
        return destination;
    }

    /** @return the state in the snapshot this entry belongs to. */
    public DestinationState state() {
        return state;
    }

    public DestinationRuntime runtime() {
        return runtime;
    }

    /** @return position in its set, stable for the life of the snapshot. */
    public int index() {
        return index;
    }

    /** @return the maximum concurrent calls, 0 for no limit. */
    public int maxLoad() {
        return maxLoad;
    }

    /** Takes a call lease within {@link #maxLoad()}; see {@link DestinationRuntime#tryAcquireLease}; {@link DestinationRuntime#NO_LEASE} when full. */
    public long tryAcquireLease() {
        return runtime.tryAcquireLease(maxLoad);
    }

    /** Releases a token from {@link #tryAcquireLease()}; see {@link DestinationRuntime#releaseLease}. */
    public boolean releaseLease(final long token) {
        return runtime.releaseLease(token);
    }

    @Override
    public String toString() {
        return destination.id() + '(' + state + ')';
    }
}
