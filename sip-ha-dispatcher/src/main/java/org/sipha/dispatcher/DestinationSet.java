package org.sipha.dispatcher;

import java.util.function.LongSupplier;

/**
 * One numbered set of destinations inside one {@link RoutingTable} snapshot: its entries with their frozen
 * states, and the selector its algorithm precomputed from them. Built by the {@link RoutingTableOwner}
 * thread, then read-only.
 *
 * <p>{@link #select} is thread-safe, lock-free and allocation-free.
 */
public final class DestinationSet {
    final DestinationEntry[] entries;
    /** Indices into {@link #entries} of the ACTIVE ones, in configuration order: all that selectors look at. */
    final int[] active;

    final DestinationSetConfig config;
    final StripedCounter cursor;
    final LongSupplier nanoClock;
    private final DestinationSelector selector;

    DestinationSet(
            final DestinationSetConfig config,
            final DestinationEntry[] entries,
            final StripedCounter cursor,
            final LongSupplier nanoClock) {
        this.config = config;
        this.entries = entries;
        this.cursor = cursor;
        this.nanoClock = nanoClock;
        int n = 0;
        for (final DestinationEntry e : entries) {
            n += e.state().acceptsNewRequests() ? 1 : 0;
        }
        this.active = new int[n];
        n = 0;
        for (final DestinationEntry e : entries) {
            if (e.state().acceptsNewRequests()) {
                active[n++] = e.index();
            }
        }
        this.selector = config.algorithm().newSelector(this); // last: the selector reads the fields above
    }

    public int setId() {
        return config.setId();
    }

    public Algorithm algorithm() {
        return config.algorithm();
    }

    public DestinationSetConfig config() {
        return config;
    }

    /** @return number of entries, whatever their state. */
    public int size() {
        return entries.length;
    }

    /** @return number of entries that accept new requests in this snapshot. */
    public int activeCount() {
        return active.length;
    }

    public DestinationEntry entry(final int index) {
        return entries[index];
    }

    /**
     * Chooses a destination for a new request. Any thread.
     *
     * @param keyHash the request's routing key from {@link KeyHash}; ignored by algorithms that do not hash.
     * @return an ACTIVE entry of this snapshot, or null when none is eligible.
     */
    public DestinationEntry select(final long keyHash) {
        final int i = selector.select(keyHash, TriedSet.NONE);
        return i < 0 ? null : entries[i];
    }

    int select(final long keyHash, final TriedSet tried) {
        return selector.select(keyHash, tried);
    }

    @Override
    public String toString() {
        return "DestinationSet{" + config.setId() + ", " + config.algorithm() + ", "
                + java.util.Arrays.toString(entries) + '}';
    }
}
