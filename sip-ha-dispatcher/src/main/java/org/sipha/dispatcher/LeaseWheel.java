package org.sipha.dispatcher;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Counts the calls in progress at one destination as leases that expire, so a call whose BYE never comes
 * stops counting after the lease time instead of leaking load forever.
 *
 * <pre>
 *   slot = tick &amp; (slots - 1)        one AtomicLong per slot:
 *   +------------------------------+----------------------+
 *   | epoch: expiry tick (40 bits) | live leases (24 bits)|
 *   +------------------------------+----------------------+
 * </pre>
 * Time is cut into ticks of {@code bucketNs}. A lease taken at tick {@code t} expires at tick
 * {@code e = ceil((now + leaseNs) / bucketNs)} and is counted in slot {@code e & mask} under epoch {@code e}.
 * The token handed back is {@code e}. Rules:
 * <ul>
 *   <li><b>Counting</b> sums the slots whose epoch is still in the future: expired buckets drop out by
 *       themselves, nobody has to sweep them.</li>
 *   <li><b>Acquire</b> finding an older epoch in its slot knows those leases expired (live epochs span fewer
 *       ticks than there are slots, by the choice of {@code bucketNs}), so it restarts the slot at 1.</li>
 *   <li><b>Release</b> decrements only if the slot still holds the token's epoch and a non-zero count: a late
 *       release of an expired lease, a double release, or one after {@link #repair} removed it, changes nothing,
 *       so the count can never go negative or be taken from another epoch's calls.</li>
 * </ul>
 * A lease lives between {@code leaseNs} and {@code leaseNs + bucketNs}.
 *
 * <p><b>O(1) counting.</b> Every successful CAS on a slot also adds its exact delta to one running total
 * ({@code live}), so {@code live} always equals the sum of all slot counts, expired buckets included. The first
 * {@link #activeCount} call of each new tick sweeps the wheel once, zeroing expired buckets (by CAS, subtracting
 * them from {@code live}); every other call is two volatile reads. Selection therefore reads a destination's
 * load in constant time instead of summing the wheel.
 *
 * <p>Thread-safe and lock-free (CAS loops on one slot); allocation-free. The count is a sum of
 * independent reads, so under concurrent updates it is a momentary approximation, exact when quiescent.
 */
final class LeaseWheel {
    /** Token returned when no lease was taken (at capacity). */
    static final long NO_LEASE = -1L;

    private static final int COUNT_BITS = 24;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

    private final AtomicLongArray slots;
    /** Sum of all slot counts; see the class comment. */
    private final AtomicLong live = new AtomicLong();
    /** The last tick whose expired buckets were swept out of {@link #live}. */
    private final AtomicLong sweptTick = new AtomicLong(-1);

    private final int mask;
    private final long bucketNs;
    private final long leaseNs;
    private final long originNs;
    private final LongSupplier nanoClock;

    /**
     * @param nanoClock monotonic clock in nanoseconds ({@code System::nanoTime} in production, a fake in tests).
     * @param leaseNs   how long an unreleased lease keeps counting.
     * @param slots     number of buckets, a power of two of at least 4; more buckets = finer expiry, slower counting.
     */
    LeaseWheel(final LongSupplier nanoClock, final long leaseNs, final int slots) {
        if (slots < 4 || Integer.bitCount(slots) != 1 || leaseNs <= 0) {
            throw new IllegalArgumentException("slots must be a power of two >= 4 and leaseNs > 0");
        }
        this.nanoClock = nanoClock;
        this.leaseNs = leaseNs;
        this.slots = new AtomicLongArray(slots);
        this.mask = slots - 1;
        // Live expiry ticks lie in (nowTick, nowTick + ceil(leaseNs / bucketNs) + 1]: at most `slots` distinct ticks.
        this.bucketNs = (leaseNs + slots - 2) / (slots - 1);
        this.originNs = nanoClock.getAsLong() - bucketNs; // tick 0 is never an expiry: an empty slot (0) is epoch 0
    }

    long nowNs() {
        return nanoClock.getAsLong();
    }

    /** @return a token for {@link #release}; the lease counts until released or expired. */
    long acquire() {
        final long now = nanoClock.getAsLong();
        final long expiryTick = (now - originNs + leaseNs + bucketNs - 1) / bucketNs;
        final int slot = (int) expiryTick & mask;
        while (true) {
            final long v = slots.get(slot);
            final long epoch = v >>> COUNT_BITS;
            final long next;
            final long delta;
            if (epoch == expiryTick) {
                if ((v & COUNT_MASK) == COUNT_MASK) {
                    throw new IllegalStateException("more than " + COUNT_MASK + " leases in one bucket");
                }
                next = v + 1;
                delta = 1;
            } else if (epoch < expiryTick) {
                next = (expiryTick << COUNT_BITS) | 1;
                delta = 1 - (v & COUNT_MASK); // the old bucket's leases expired
            } else {
                // NOTE: a later expiry already owns the slot, so this thread stalled for more than a wheel turn
                // between reading the clock and here: its lease would already be expired. Count nothing.
                return expiryTick;
            }
            if (slots.compareAndSet(slot, v, next)) {
                live.addAndGet(delta);
                return expiryTick;
            }
        }
    }

    /** @return true if the lease was still counted and is now released; false if it had expired or was released. */
    boolean release(final long token) {
        // An expired lease no longer counts, so there is nothing to release, even if its slot is not reused yet.
        if (token <= (nanoClock.getAsLong() - originNs) / bucketNs) {
            return false;
        }
        final int slot = (int) token & mask;
        while (true) {
            final long v = slots.get(slot);
            if ((v >>> COUNT_BITS) != token || (v & COUNT_MASK) == 0) {
                return false;
            }
            if (slots.compareAndSet(slot, v, v - 1)) {
                live.decrementAndGet();
                return true;
            }
        }
    }

    /** @return leases live at {@code nowNs} (a reading of the same clock). */
    int activeCount(final long nowNs) {
        final long nowTick = (nowNs - originNs) / bucketNs;
        final long swept = sweptTick.get();
        if (swept < nowTick && sweptTick.compareAndSet(swept, nowTick)) {
            sweep(nowTick);
        }
        // NOTE: a thread that lost the sweep race may read live before the winner finishes: for at most one
        // sweep it still counts buckets that just expired. Load balancing tolerates that; caps are re-checked.
        return (int) Math.max(0, live.get());
    }

    /** Zeroes the buckets that expired by {@code nowTick}, taking their counts out of {@link #live}. */
    private void sweep(final long nowTick) {
        for (int i = 0; i <= mask; i++) {
            while (true) {
                final long v = slots.get(i);
                final long count = v & COUNT_MASK;
                if (count == 0 || (v >>> COUNT_BITS) > nowTick) {
                    break;
                }
                if (slots.compareAndSet(i, v, v - count)) {
                    live.addAndGet(-count);
                    break;
                }
            }
        }
    }

    /**
     * Reconciles with a count reported by the backend itself (e.g. its active channels). Missing leases are
     * added as fresh anonymous leases that expire after the lease time; surplus ones are removed from the
     * buckets that expire soonest, i.e. the oldest calls, the ones most likely to be the lost BYEs.
     * Releases of removed leases then find a count already lowered and may take a sibling's place in the same
     * bucket: repair trades exact per-lease accounting for agreement with the backend.
     */
    void repair(final long reportedCount) {
        final long now = nanoClock.getAsLong();
        long delta = reportedCount - activeCount(now);
        if (delta > 0) {
            final long expiryTick = (now - originNs + leaseNs + bucketNs - 1) / bucketNs;
            final int slot = (int) expiryTick & mask;
            while (true) {
                final long v = slots.get(slot);
                final long epoch = v >>> COUNT_BITS;
                final long next =
                        epoch == expiryTick ? v + delta : epoch < expiryTick ? (expiryTick << COUNT_BITS) | delta : v;
                if (next == v) {
                    return;
                }
                if (slots.compareAndSet(slot, v, next)) {
                    live.addAndGet(epoch == expiryTick ? delta : delta - (v & COUNT_MASK));
                    return;
                }
            }
        }
        final long nowTick = (now - originNs) / bucketNs;
        for (long tick = nowTick + 1; delta < 0 && tick <= nowTick + mask + 1; tick++) {
            final int slot = (int) tick & mask;
            while (true) {
                final long v = slots.get(slot);
                final long count = v & COUNT_MASK;
                if ((v >>> COUNT_BITS) != tick || count == 0) {
                    break;
                }
                final long take = Math.min(count, -delta);
                if (slots.compareAndSet(slot, v, v - take)) {
                    live.addAndGet(-take);
                    delta += take;
                    break;
                }
            }
        }
    }
}
