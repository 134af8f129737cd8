package org.sipha.admin;

import java.util.List;
import java.util.Objects;

/**
 * One destination set. Immutable.
 *
 * @param id           the set's id
 * @param algorithm    its selection algorithm, e.g. {@code round-robin}
 * @param panic        true while too many of its destinations fail and it fails open
 * @param destinations its members, in configuration order
 */
public record SetStatus(String id, String algorithm, boolean panic, List<DestinationStatus> destinations) {
    public SetStatus {
        Objects.requireNonNull(id, "id");
        destinations = List.copyOf(destinations);
    }
}
