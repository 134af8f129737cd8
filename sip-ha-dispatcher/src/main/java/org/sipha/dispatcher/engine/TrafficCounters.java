package org.sipha.dispatcher.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.sipha.core.message.SipMethod;

/**
 * One event loop's traffic counters: requests received by method, responses sent by class (1xx to 6xx) and the
 * failovers no other counter keeps (timeout, failover code). Single writer (the owning loop); any thread reads:
 * each count is published with release semantics, as in {@link RefusalCounters}. Allocation-free.
 */
final class TrafficCounters {
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int METHODS = SipMethod.values().length;
    private static final int RESPONSES = METHODS;
    private static final int FAILOVERS = RESPONSES + 6;
    private final long[] counts = new long[FAILOVERS + Failover.values().length];

    /** Owning loop: a request of method {@code m} was received (null counts as {@link SipMethod#OTHER}). */
    void request(SipMethod m) {
        increment((m == null ? SipMethod.OTHER : m).ordinal());
    }

    /** Owning loop: a response with {@code code} was sent (codes outside 100-699 are not counted). */
    void responseSent(int code) {
        if (code >= 100 && code < 700) {
            increment(RESPONSES + code / 100 - 1);
        }
    }

    /** Owning loop: a call setup failed over for {@code why}. */
    void failover(Failover why) {
        increment(FAILOVERS + why.ordinal());
    }

    /** Any thread. */
    long requests(SipMethod m) {
        return get(m.ordinal());
    }

    /** Any thread: responses sent of class {@code statusClass} (1 to 6). */
    long responsesSent(int statusClass) {
        return statusClass < 1 || statusClass > 6 ? 0 : get(RESPONSES + statusClass - 1);
    }

    /** Any thread. */
    long failovers(Failover why) {
        return get(FAILOVERS + why.ordinal());
    }

    private void increment(int i) {
        COUNT.setRelease(counts, i, (long) COUNT.get(counts, i) + 1);
    }

    private long get(int i) {
        return (long) COUNT.getAcquire(counts, i);
    }
}
