package org.sipha.health;

import org.sipha.core.model.DestinationState;

/**
 * One change of a destination's health: immutable, created on the owner thread and handed to listeners.
 *
 * @param destinationId  the destination's id.
 * @param setName        the set it belongs to.
 * @param previousState  the state reported to the dispatcher before.
 * @param state          the state reported to the dispatcher now (ACTIVE during fail-open even if unhealthy).
 * @param healthy        what the checks themselves say (false while ejected, probed down or administratively out).
 * @param failOpen       true while the set is in panic mode.
 * @param cause          why it changed.
 * @param timeNs         owner clock time of the change.
 */
public record HealthEvent(
        String destinationId,
        String setName,
        DestinationState previousState,
        DestinationState state,
        boolean healthy,
        boolean failOpen,
        HealthCause cause,
        long timeNs) {}
