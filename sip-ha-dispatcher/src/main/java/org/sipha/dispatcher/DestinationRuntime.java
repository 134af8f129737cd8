package org.sipha.dispatcher;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The mutable side of one destination: calls in progress (as expiring leases), latency and statistics.
 * One instance per destination id lives as long as the id stays configured: a reload that keeps the id hands
 * the same instance to the new {@link RoutingTable}, so counts and latency survive reloads and state flaps.
 *
 * <p>All methods are thread-safe, lock-free and allocation-free: selecting threads take and release leases,
 * the health side records latency.
 */
public final class DestinationRuntime {
    /** What {@link #tryAcquireLease} returns when the destination is at its cap: no lease taken. */
    public static final long NO_LEASE = LeaseWheel.NO_LEASE;

    private static final AtomicLongFieldUpdater<DestinationRuntime> EWMA =
            AtomicLongFieldUpdater.newUpdater(DestinationRuntime.class, "latencyEwmaNs");
    /** EWMA weight of a new sample: 1/8, as TCP's SRTT (RFC 6298). */
    private static final int EWMA_SHIFT = 3;

    private final String id;
    private final LeaseWheel leases;
    private final LongAdder acquired = new LongAdder();
    private final LongAdder released = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private volatile long latencyEwmaNs = -1;

    DestinationRuntime(final String id, final LongSupplier nanoClock, final long leaseNs, final int leaseSlots) {
        this.id = id;
        this.leases = new LeaseWheel(nanoClock, leaseNs, leaseSlots);
    }

    public String id() {
        return id;
    }

    /**
     * Takes a lease (one call in progress) unless that would exceed {@code cap}.
     * The lease is counted first and given back if the count then exceeds the cap, so racing threads may both
     * be refused near the cap but the cap is never exceeded by an admitted call.
     *
     * @param cap maximum concurrent leases, 0 for no cap.
     * @return a token for {@link #releaseLease}, or {@link #NO_LEASE} when at the cap.
     */
    public long tryAcquireLease(final int cap) {
        final long token = leases.acquire();
        if (cap > 0 && leases.activeCount(leases.nowNs()) > cap) {
            leases.release(token);
            refused.increment();
            return LeaseWheel.NO_LEASE;
        }
        acquired.increment();
        return token;
    }

    /**
     * Ends a lease. Releasing after the lease expired is harmless (returns false). A token identifies a bucket,
     * not one call, so releasing the same <em>live</em> lease twice lowers its bucket by one more (never below
     * zero, never another bucket): callers release once, as they would free any handle.
     *
     * @return true if a live lease was released; false if it had expired or its bucket was already empty.
     */
    public boolean releaseLease(final long token) {
        final boolean done = leases.release(token);
        if (done) {
            released.increment();
        }
        return done;
    }

    /** @return leases currently live (calls in progress that have neither ended nor expired). */
    public int activeLeases() {
        return leases.activeCount(leases.nowNs());
    }

    int activeLeases(final long nowNs) {
        return leases.activeCount(nowNs);
    }

    /** Reconciles the live lease count with one reported by the backend; buckets expiring soonest lose leases first, added ones expire after the lease time. */
    public void repairLeases(final long reportedCount) {
        leases.repair(reportedCount);
    }

    /** Folds one round-trip time into the latency EWMA. Called by the health side, any thread. */
    public void recordLatency(final long rttNs) {
        while (true) {
            final long old = latencyEwmaNs;
            final long next = old < 0 ? rttNs : old + ((rttNs - old) >> EWMA_SHIFT);
            if (EWMA.compareAndSet(this, old, next)) {
                return;
            }
        }
    }

    /** @return the latency EWMA in nanoseconds, or -1 before the first sample. */
    public long latencyEwmaNs() {
        return latencyEwmaNs;
    }

    /** @return leases granted since this destination id was first configured. */
    public long leasesAcquired() {
        return acquired.sum();
    }

    /** @return leases released while still live. */
    public long leasesReleased() {
        return released.sum();
    }

    /** @return lease requests refused because the destination was at its cap. */
    public long leasesRefused() {
        return refused.sum();
    }

    @Override
    public String toString() {
        return "DestinationRuntime{id=" + id + ", active=" + activeLeases() + ", ewmaNs=" + latencyEwmaNs + '}';
    }
}
