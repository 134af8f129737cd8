package org.sipha.core.model;

/**
 * State of one destination as seen by the component that routes to it. The health side owns
 * {@link #ACTIVE}, {@link #INACTIVE} and {@link #PROBING}; an operator owns {@link #DISABLED}.
 * Only {@link #ACTIVE} destinations receive new requests.
 */
public enum DestinationState {
    /** Healthy: receives new requests. */
    ACTIVE,
    /** Failed its health checks: no new requests until the health side reports it active again. */
    INACTIVE,
    /** Taken out by an operator: no new requests, whatever the health side says. */
    DISABLED,
    /** Being re-checked after a failure (e.g. the first OPTIONS answered): no new requests yet. */
    PROBING;

    /** @return true when a new request may be sent to a destination in this state. */
    public boolean acceptsNewRequests() {
        return this == ACTIVE;
    }
}
