package org.sipha.dispatcher.engine;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simplest {@link NextHopSelector}: successive requests start at successive destinations; failover goes on
 * around the list. The destination list is an immutable snapshot replaced whole by {@link #update} (copy on
 * write), so cursors on I/O threads never lock. A stand-in until the dispatcher's selectors are plugged in.
 *
 * <p>Thread-safe: {@link #update} from any thread; cursors as {@link NextHopSelector.FailoverCursor} says.
 */
public final class RoundRobinSelector implements NextHopSelector {
    private volatile Destination[] destinations;
    private final AtomicLong counter = new AtomicLong();

    public RoundRobinSelector(List<Destination> destinations) {
        update(destinations);
    }

    /** Replaces the destination list; cursors already reset keep the list they started with. */
    public void update(List<Destination> newDestinations) {
        destinations = newDestinations.toArray(new Destination[0]);
    }

    @Override
    public FailoverCursor newCursor() {
        return new Cursor();
    }

    private final class Cursor implements FailoverCursor {
        private Destination[] snapshot = new Destination[0];
        private int start;
        private int tried;

        @Override
        public void reset(int requestKey) {
            snapshot = destinations;
            tried = 0;
            int n = snapshot.length;
            start = n == 0 ? 0 : (int) Long.remainderUnsigned(counter.getAndIncrement(), n);
        }

        @Override
        public Destination next() {
            Destination[] s = snapshot;
            if (tried >= s.length) {
                return null;
            }
            int i = start + tried++;
            return s[i >= s.length ? i - s.length : i];
        }
    }
}
