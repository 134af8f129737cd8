package org.sipha.dispatcher;

/**
 * The destinations to try for one request, in the order its set's algorithm prefers them: {@link #next()} gives
 * the first choice, then, each time the previous one failed, the next choice not yet tried for this request.
 * It never returns a destination twice, never one that is not ACTIVE in the table it was reset with, and null
 * once every active destination has been tried.
 *
 * <p>Not thread-safe: keep one per thread (e.g. per event loop) and {@link #reset} it for each request. After
 * it has grown to the largest set it allocates nothing.
 *
 * <pre>{@code
 * RoutingTable table = owner.table();                // once per request
 * iterator.reset(table, setId, KeyHash.of(callId));
 * for (DestinationEntry d; (d = iterator.next()) != null; ) { if (send(d)) break; }
 * }</pre>
 */
public final class FailoverIterator {
    private final TriedSet tried = new TriedSet();
    private DestinationSet set;
    private long keyHash;
    private int attempts;

    /** Starts a new request against {@code table}'s set {@code setId}; an unknown set yields nothing. */
    public FailoverIterator reset(final RoutingTable table, final int setId, final long keyHash) {
        return reset(table.set(setId), keyHash);
    }

    /** Starts a new request against one set of a snapshot; null yields nothing. */
    public FailoverIterator reset(final DestinationSet set, final long keyHash) {
        this.set = set;
        this.keyHash = keyHash;
        this.attempts = 0;
        tried.clear(set == null ? 0 : set.size());
        return this;
    }

    /** @return the next destination to try, or null when every active one has been tried. */
    public DestinationEntry next() {
        if (set == null) {
            return null;
        }
        final int i = set.select(keyHash, tried);
        if (i < 0) {
            set = null;
            return null;
        }
        tried.add(i);
        attempts++;
        return set.entries[i];
    }

    /** @return destinations returned since the last reset. */
    public int attempts() {
        return attempts;
    }
}
