package org.sipha.dispatcher;

import java.util.Arrays;
import java.util.Map;
import org.sipha.core.model.DestinationState;

/**
 * An immutable snapshot of every destination set with the state of every destination, published whole by the
 * {@link RoutingTableOwner}. A request loads the current table once ({@link RoutingTableOwner#table()}) and
 * makes all its choices, failover included, against that one table: it can never see half a reload, and a
 * destination it is given is ACTIVE in the table it used.
 *
 * <p>Immutable; any thread. The only mutable things reachable from it are the {@link DestinationRuntime}s
 * and the selection cursors, which are themselves thread-safe.
 */
public final class RoutingTable {
    private final long version;
    private final DispatcherConfig config;
    private final int[] setIds;
    private final DestinationSet[] sets;
    private final Map<String, DestinationEntry> byId;

    RoutingTable(
            final long version,
            final DispatcherConfig config,
            final DestinationSet[] setsInAnyOrder,
            final Map<String, DestinationEntry> byId) {
        this.version = version;
        this.config = config;
        this.sets = setsInAnyOrder.clone();
        Arrays.sort(this.sets, (a, b) -> Integer.compare(a.setId(), b.setId()));
        this.setIds = new int[sets.length];
        for (int i = 0; i < sets.length; i++) {
            setIds[i] = sets[i].setId();
        }
        this.byId = Map.copyOf(byId);
    }

    /** @return increases by one with every snapshot the owner publishes (reload or state change). */
    public long version() {
        return version;
    }

    /** @return the configuration this snapshot was built from. */
    public DispatcherConfig config() {
        return config;
    }

    /** @return the set, or null when not configured. Binary search: no allocation. */
    public DestinationSet set(final int setId) {
        final int i = Arrays.binarySearch(setIds, setId);
        return i < 0 ? null : sets[i];
    }

    /** @return set ids in ascending order (a copy). */
    public int[] setIds() {
        return setIds.clone();
    }

    /** Shorthand for {@code set(setId).select(keyHash)}; null when the set is unknown or has no eligible entry. */
    public DestinationEntry select(final int setId, final long keyHash) {
        final DestinationSet set = set(setId);
        return set == null ? null : set.select(keyHash);
    }

    /** @return one entry for the destination id (its runtime and state are the same in every set), or null. */
    public DestinationEntry entry(final String destinationId) {
        return byId.get(destinationId);
    }

    /** @return the destination's state in this snapshot, or null when not configured. */
    public DestinationState state(final String destinationId) {
        final DestinationEntry e = byId.get(destinationId);
        return e == null ? null : e.state();
    }

    @Override
    public String toString() {
        return "RoutingTable{version=" + version + ", sets=" + Arrays.toString(sets) + '}';
    }
}
