package org.sipha.dispatcher.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One event loop's per-destination counters, by the {@link NextHop#index()} the selector gave each destination:
 * requests forwarded to it (initial requests, INVITE branches included, retransmissions not) and responses it sent
 * to forwarded INVITEs by class (1xx to 6xx; a final response once per branch). Single writer (the owning loop);
 * any thread reads. The array grows, on the loop, when a destination first appears (a reload), never per message.
 */
final class DestinationCounters {
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    /** Per destination: forwarded, then responses of class 1 to 6. */
    private static final int PER_HOP = 7;

    private static final int INITIAL_HOPS = 16;
    private volatile long[] counts = new long[INITIAL_HOPS * PER_HOP];

    /** Owning loop: a request was forwarded to {@code hop}. */
    void forwarded(NextHop hop) {
        increment(hop.index(), 0);
    }

    /** Owning loop: {@code hop} answered a forwarded INVITE with {@code code}. */
    void response(NextHop hop, int code) {
        if (code >= 100 && code < 700) {
            increment(hop.index(), code / 100);
        }
    }

    /** Any thread: requests forwarded to the destination of index {@code hopIndex}. */
    long forwarded(int hopIndex) {
        return get(hopIndex, 0);
    }

    /** Any thread: responses of class {@code statusClass} (1 to 6) from the destination of index {@code hopIndex}. */
    long responses(int hopIndex, int statusClass) {
        return statusClass < 1 || statusClass > 6 ? 0 : get(hopIndex, statusClass);
    }

    private void increment(int hopIndex, int k) {
        if (hopIndex < 0) {
            return; // a next hop the selector did not make (tests): not counted
        }
        int i = hopIndex * PER_HOP + k;
        long[] c = counts;
        if (i >= c.length) {
            c = grow(i);
        }
        COUNT.setRelease(c, i, (long) COUNT.get(c, i) + 1);
    }

    private long[] grow(int i) {
        long[] old = counts;
        long[] c = new long[Math.max(old.length * 2, (i / PER_HOP + 1) * PER_HOP)];
        for (int k = 0; k < old.length; k++) {
            c[k] = (long) COUNT.getAcquire(old, k);
        }
        counts = c;
        return c;
    }

    private long get(int hopIndex, int k) {
        long[] c = counts;
        int i = hopIndex * PER_HOP + k;
        return hopIndex < 0 || i >= c.length ? 0 : (long) COUNT.getAcquire(c, i);
    }
}
