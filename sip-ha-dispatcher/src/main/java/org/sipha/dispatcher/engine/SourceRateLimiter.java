package org.sipha.dispatcher.engine;

/**
 * Per-source token buckets of one event loop: one for every request, one for new calls (initial INVITEs), kept
 * in a fixed table of source keys ({@link SourceKey}) so memory stays bounded whatever the number of sources.
 *
 * <p>Each bucket is one number, its theoretical arrival time (GCRA, the cell-rate form of a token bucket): a
 * request is admitted if {@code max(tat, now) + interval - now <= burst * interval}, which then advances
 * {@code tat} by one interval; a denied request leaves it alone. A key lives in the first free slot of a window of
 * {@link #WINDOW} slots from its home slot; when the window is full the entry seen least recently is evicted, and
 * its source starts again with a full bucket. No entry is ever removed otherwise, so a lookup stops at a free slot.
 * A check is one probe of at most {@code WINDOW} slots and a few arithmetic operations; nothing is allocated.
 *
 * <p>Single-threaded: the owning loop, so no locks: {@code SO_REUSEPORT} spreads UDP over the loops by source
 * address and port, so the table of one loop sees all the traffic of a source that sends from one port.
 */
final class SourceRateLimiter {
    static final int DEFAULT_SLOTS_LOG2 = 13;
    static final int WINDOW = 8;

    private final int bits;
    private final int mask;
    private final boolean[] used;
    private final long[] keys;
    private final long[] lastSeenNs;
    private final long[] requestTat;
    private final long[] callTat;
    private final long requestIntervalNs;
    private final long requestToleranceNs;
    private final long callIntervalNs;
    private final long callToleranceNs;
    /** The slot found by the last probe, for the new-call check of the same request. */
    private int current = -1;

    /** Rates per second (0: that bucket is off) and bursts; a table of {@code 1 << slotsLog2} sources. */
    SourceRateLimiter(int requestsPerSecond, int requestBurst, int newCallsPerSecond, int newCallBurst, int slotsLog2) {
        this.bits = slotsLog2;
        int slots = 1 << slotsLog2;
        this.mask = slots - 1;
        this.used = new boolean[slots];
        this.keys = new long[slots];
        this.lastSeenNs = new long[slots];
        this.requestTat = new long[slots];
        this.callTat = new long[slots];
        this.requestIntervalNs = requestsPerSecond == 0 ? 0 : 1_000_000_000L / requestsPerSecond;
        this.requestToleranceNs = requestIntervalNs * requestBurst;
        this.callIntervalNs = newCallsPerSecond == 0 ? 0 : 1_000_000_000L / newCallsPerSecond;
        this.callToleranceNs = callIntervalNs * newCallBurst;
    }

    /** The limiter {@code cfg} asks for, or null if both of its rates are 0. */
    static SourceRateLimiter of(ProxyConfig cfg) {
        if (cfg.requestsPerSecondPerSource() == 0 && cfg.newCallsPerSecondPerSource() == 0) {
            return null;
        }
        return new SourceRateLimiter(
                cfg.requestsPerSecondPerSource(),
                cfg.requestBurstPerSource(),
                cfg.newCallsPerSecondPerSource(),
                cfg.newCallBurstPerSource(),
                DEFAULT_SLOTS_LOG2);
    }

    /** Whether source {@code key} may send one more request at {@code nowNs}; takes a token if so. */
    boolean admitsRequest(long key, long nowNs) {
        if (requestIntervalNs == 0) {
            current = -1;
            return true;
        }
        int s = probe(key, nowNs);
        current = s;
        return take(requestTat, s, nowNs, requestIntervalNs, requestToleranceNs);
    }

    /** Whether source {@code key} may start one more call at {@code nowNs}; takes a token if so. */
    boolean admitsNewCall(long key, long nowNs) {
        if (callIntervalNs == 0) {
            return true;
        }
        int s = current >= 0 && keys[current] == key && used[current] ? current : probe(key, nowNs);
        return take(callTat, s, nowNs, callIntervalNs, callToleranceNs);
    }

    /** Sources with an entry (at most the table's size). */
    int trackedSources() {
        int n = 0;
        for (boolean u : used) {
            n += u ? 1 : 0;
        }
        return n;
    }

    private static boolean take(long[] tat, int s, long nowNs, long intervalNs, long toleranceNs) {
        long t = tat[s];
        if (t - nowNs < 0) {
            t = nowNs; // idle long enough: the bucket is full
        }
        if (t + intervalNs - nowNs > toleranceNs) {
            return false;
        }
        tat[s] = t + intervalNs;
        return true;
    }

    /** The slot of {@code key}: its entry, a new one in a free slot, or the window's least recently seen entry. */
    private int probe(long key, long nowNs) {
        int i = SourceKey.index(key, bits);
        int victim = i;
        long victimAge = Long.MIN_VALUE;
        for (int n = 0; n < WINDOW; n++, i = (i + 1) & mask) {
            if (!used[i]) {
                return claim(i, key, nowNs);
            }
            if (keys[i] == key) {
                lastSeenNs[i] = nowNs;
                return i;
            }
            long age = nowNs - lastSeenNs[i];
            if (age > victimAge) {
                victimAge = age;
                victim = i;
            }
        }
        return claim(victim, key, nowNs);
    }

    private int claim(int s, long key, long nowNs) {
        used[s] = true;
        keys[s] = key;
        lastSeenNs[s] = nowNs;
        requestTat[s] = nowNs;
        callTat[s] = nowNs;
        return s;
    }
}
