package org.sipha.dispatcher.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One event loop's {@link Refusal} counters. Single writer (the owning loop calls {@link #add}); any thread reads
 * {@link #get}: each count is published with release semantics, so a reader sees a recent value, never a torn one.
 */
final class RefusalCounters {
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] counts = new long[Refusal.ALL.length];

    /** Owning loop only. */
    void add(Refusal r) {
        int i = r.ordinal();
        COUNT.setRelease(counts, i, (long) COUNT.get(counts, i) + 1);
    }

    /** Any thread. */
    long get(Refusal r) {
        return (long) COUNT.getAcquire(counts, r.ordinal());
    }
}
