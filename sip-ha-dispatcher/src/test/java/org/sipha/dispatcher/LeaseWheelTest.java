package org.sipha.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipha.dispatcher.Fixtures.FakeNanoClock;

class LeaseWheelTest {
    private static final long LEASE_NS = TimeUnit.SECONDS.toNanos(150);
    private static final int SLOTS = 16;
    /** Expiry granularity: ceil(150 s / 15) = 10 s. */
    private static final long BUCKET_NS = TimeUnit.SECONDS.toNanos(10);

    private final FakeNanoClock clock = new FakeNanoClock();
    private final LeaseWheel wheel = new LeaseWheel(clock, LEASE_NS, SLOTS);

    private int count() {
        return wheel.activeCount(clock.getAsLong());
    }

    @Test
    void leaseCountsForItsLeaseTimeThenExpiresWithinOneBucket() {
        wheel.acquire();
        clock.advanceNs(LEASE_NS - 1);
        assertEquals(1, count());
        clock.advanceNs(BUCKET_NS + 1);
        assertEquals(0, count());
    }

    @Test
    void lateReleaseOfAnExpiredLeaseChangesNothing() {
        final long old = wheel.acquire();
        clock.advanceNs(LEASE_NS + BUCKET_NS);
        final long live = wheel.acquire();
        assertEquals(1, count());
        assertFalse(wheel.release(old));
        assertEquals(1, count());
        assertTrue(wheel.release(live));
        assertEquals(0, count());
    }

    @Test
    void lateReleaseCannotTakeFromTheCallsThatReusedItsSlot() {
        final long old = wheel.acquire();
        clock.advanceNs(SLOTS * BUCKET_NS); // one full turn: the next lease lands in the same slot, new epoch
        final long reused = wheel.acquire();
        assertEquals(old & (SLOTS - 1), reused & (SLOTS - 1));
        assertFalse(wheel.release(old));
        assertEquals(1, count());
    }

    @Test
    void doubleReleaseNeverMakesTheCountNegative() {
        final long token = wheel.acquire();
        assertTrue(wheel.release(token));
        assertFalse(wheel.release(token));
        assertFalse(wheel.release(LeaseWheel.NO_LEASE));
        assertEquals(0, count());
    }

    @Test
    void countStaysBetweenLeasesYoungerThanLeaseTimeAndThoseYoungerThanLeaseTimePlusOneBucket() {
        // Random walk of acquire / release (some late, some twice) / clock advance against a plain model.
        final Random random = new Random(20261125L);
        final List<long[]> live = new ArrayList<>(); // {token, acquiredAtNs}
        final List<long[]> released = new ArrayList<>(); // released or abandoned, {token, acquiredAtNs}
        for (int step = 0; step < 50_000; step++) {
            final int action = random.nextInt(10);
            if (action < 5) {
                live.add(new long[] {wheel.acquire(), clock.getAsLong()});
            } else if (action < 8 && !live.isEmpty()) {
                final long[] lease = live.remove(random.nextInt(live.size()));
                final boolean expiredForSure = clock.getAsLong() - lease[1] >= LEASE_NS + BUCKET_NS;
                final boolean done = wheel.release(lease[0]);
                if (expiredForSure) {
                    assertFalse(done, "released a lease that had expired");
                }
                released.add(lease);
            } else if (action == 8 && !released.isEmpty()) {
                // A release arriving after the lease expired (a BYE long after the call was given up): no effect.
                final long[] lease = released.get(random.nextInt(released.size()));
                if (clock.getAsLong() - lease[1] >= LEASE_NS + BUCKET_NS) {
                    assertFalse(wheel.release(lease[0]));
                }
            } else {
                clock.advanceNs((long) (random.nextDouble() * BUCKET_NS / 4));
            }
            final long now = clock.getAsLong();
            final long surelyLive =
                    live.stream().filter(l -> now - l[1] < LEASE_NS).count();
            final long maybeLive =
                    live.stream().filter(l -> now - l[1] < LEASE_NS + BUCKET_NS).count();
            final int c = count();
            assertTrue(
                    c >= surelyLive && c <= maybeLive,
                    "step " + step + ": count " + c + " outside [" + surelyLive + ", " + maybeLive + "]");
            if (live.size() > 2_000) {
                released.addAll(live.subList(0, 1_000)); // abandon calls whose BYE never comes...
                live.subList(0, 1_000).clear(); // ...their late releases are tried by action 8
            }
        }
    }

    @Test
    void repairRaisesAndLowersTheCountAndLaterReleasesStayHarmless() {
        final long a = wheel.acquire();
        clock.advanceNs(BUCKET_NS);
        wheel.acquire();
        wheel.acquire();
        wheel.repair(5);
        assertEquals(5, count());
        wheel.repair(1);
        assertEquals(1, count());
        assertFalse(wheel.release(a), "oldest bucket was repaired away first");
        wheel.repair(0);
        assertEquals(0, count());
        clock.advanceNs(LEASE_NS + BUCKET_NS);
        assertEquals(0, count(), "repaired leases expire like any other");
    }

    @Test
    void repairedUpwardLeasesExpireAfterTheLeaseTime() {
        wheel.repair(7);
        assertEquals(7, count());
        clock.advanceNs(LEASE_NS + BUCKET_NS);
        assertEquals(0, count());
    }

    @Test
    void runtimeRefusesLeasesBeyondTheCapAndCountsThem() {
        final DestinationRuntime runtime = new DestinationRuntime("x", clock, LEASE_NS, SLOTS);
        final List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tokens.add(runtime.tryAcquireLease(3));
        }
        assertEquals(List.of(-1L, -1L), tokens.subList(3, 5));
        assertEquals(3, runtime.activeLeases());
        assertEquals(3, runtime.leasesAcquired());
        assertEquals(2, runtime.leasesRefused());
        clock.advanceNs(LEASE_NS + BUCKET_NS);
        assertTrue(runtime.tryAcquireLease(3) >= 0, "expired leases free their places");
    }
}
