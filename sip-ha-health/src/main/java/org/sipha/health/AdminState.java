package org.sipha.health;

/** Operator's say on a destination, which overrides what the health checks find. */
public enum AdminState {
    /** Health checks decide. */
    ENABLED,
    /** No new requests; reported to the dispatcher as {@link org.sipha.core.model.DestinationState#DISABLED}. */
    DISABLED,
    /**
     * No new calls, existing dialogs and transactions finish. Core's {@code DestinationState} has no draining
     * value, so it is reported as {@code DISABLED}; the dispatcher must keep routing in-dialog requests by Route
     * whatever the state (it does not choose a destination for them).
     */
    DRAINING
}
