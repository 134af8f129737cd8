package org.sipha.health;

import java.util.Map;

/**
 * Everything the monitor knows, as one immutable object replaced whole by the owner thread: readers on any
 * thread load it once and work on that copy (no locks).
 *
 * @param timeNs       owner clock when it was built.
 * @param destinations views by destination id, in configuration order.
 * @param panicSets    names of the sets currently failing open.
 */
public record HealthSnapshot(
        long timeNs, Map<String, DestinationHealthView> destinations, java.util.Set<String> panicSets) {

    /** @return the view of {@code id}, or null if unknown. */
    public DestinationHealthView destination(final String id) {
        return destinations.get(id);
    }
}
