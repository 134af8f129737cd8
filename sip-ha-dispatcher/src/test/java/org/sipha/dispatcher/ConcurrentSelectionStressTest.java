package org.sipha.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

/**
 * Selector threads route requests (with failover and call leases) while the owner thread reloads between two
 * configurations, flaps health states through the health sink and toggles admin disables. Bounded by iteration
 * counts, not time. Checks, for every single selection, that the destination is ACTIVE in the very snapshot the
 * request loaded, and at the end that every lease taken was released exactly once, per destination.
 */
class ConcurrentSelectionStressTest {
    private static final int SELECTOR_THREADS = 3;
    private static final int REQUESTS_PER_THREAD = 100_000;
    private static final int HELD_LEASES_PER_THREAD = 64;

    /** One set per algorithm over the same ids (so runtimes are shared between sets); d1 capped at 40 calls. */
    private static DispatcherConfig config(final boolean variantB) {
        final List<Destination> dests = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            if (i == (variantB ? 7 : 8)) {
                continue; // A has d0..d7, B has d0..d6 and d8
            }
            final Destination.Builder b = Destination.builder("sip:10.0.0." + i + ":5060")
                    .id("d" + i)
                    .weight(variantB && i == 0 ? 5 : 1 + i % 3)
                    .priority(i % 2);
            if (i == 1) {
                b.attribute("maxload", "40");
            }
            dests.add(b.build());
        }
        final DispatcherConfig.Builder config = DispatcherConfig.builder();
        int setId = 1;
        for (final Algorithm algorithm : Algorithm.values()) {
            final DestinationSetConfig.Builder set = DestinationSetConfig.builder(setId++)
                    .algorithm(variantB && algorithm == Algorithm.ROUND_ROBIN ? Algorithm.WEIGHTED_RANDOM : algorithm);
            dests.forEach(set::add);
            config.set(set.build());
        }
        return config.build();
    }

    private record Held(DestinationEntry entry, long token) {}

    @Test
    void selectionsNeverReturnAnInactiveDestinationAndLeasesBalanceWhileTheTableChanges() throws Exception {
        final RoutingTableOwner owner = new RoutingTableOwner(config(false), new Fixtures.FakeNanoClock());
        final int sets = Algorithm.values().length;
        final AtomicReference<String> violation = new AtomicReference<>();
        final AtomicLong acquired = new AtomicLong();
        final AtomicLong released = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final Set<DestinationRuntime> runtimes = Collections.newSetFromMap(new ConcurrentHashMap<>());
        final Set<Long> versionsSeen = ConcurrentHashMap.newKeySet();
        final CountDownLatch start = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(SELECTOR_THREADS);

        final List<Thread> selectors = new ArrayList<>();
        for (int t = 0; t < SELECTOR_THREADS; t++) {
            final int seed = t;
            selectors.add(new Thread(
                    () -> {
                        final FailoverIterator it = new FailoverIterator();
                        final Held[] held = new Held[HELD_LEASES_PER_THREAD];
                        final Set<DestinationRuntime> mine = Collections.newSetFromMap(new IdentityHashMap<>());
                        long myAcquired = 0;
                        long myReleased = 0;
                        long myRefused = 0;
                        try {
                            start.await();
                            for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                                if (i % 10_000 == 0) {
                                    // Checkpoint: let the owner publish at least once more, so that the run is
                                    // guaranteed
                                    // to overlap with table changes however the threads are scheduled.
                                    final long seen = owner.table().version();
                                    while (owner.table().version() == seen) {
                                        Thread.yield();
                                    }
                                }
                                final RoutingTable table = owner.table(); // once per request
                                if ((i & 1023) == 0) {
                                    versionsSeen.add(table.version());
                                }
                                final int setId = 1 + i % sets;
                                it.reset(table, setId, KeyHash.ofLong(seed * 1_000_003L + i));
                                for (DestinationEntry e; (e = it.next()) != null; ) {
                                    if (e.state() != DestinationState.ACTIVE
                                            || table.state(e.destination().id()) != DestinationState.ACTIVE
                                            || table.set(setId).entry(e.index()) != e) {
                                        violation.compareAndSet(
                                                null, "v" + table.version() + " set " + setId + " gave " + e);
                                    }
                                    final long token = e.tryAcquireLease();
                                    if (token < 0) {
                                        myRefused++;
                                        continue; // at its cap: fail over, as a proxy would
                                    }
                                    myAcquired++;
                                    mine.add(e.runtime());
                                    final int slot = i % HELD_LEASES_PER_THREAD;
                                    if (held[slot] != null) {
                                        myReleased += held[slot].entry().releaseLease(held[slot].token()) ? 1 : 0;
                                    }
                                    held[slot] = new Held(e, token);
                                    break;
                                }
                            }
                            for (final Held h : held) {
                                if (h != null) {
                                    myReleased += h.entry().releaseLease(h.token()) ? 1 : 0;
                                }
                            }
                        } catch (final InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            acquired.addAndGet(myAcquired);
                            released.addAndGet(myReleased);
                            refused.addAndGet(myRefused);
                            runtimes.addAll(mine);
                            done.countDown();
                        }
                    },
                    "selector-" + t));
        }
        selectors.forEach(Thread::start);

        // This thread is the owner: it reloads, flaps and disables until the selectors are done.
        final Random random = new Random(1125L);
        long publications = 0;
        start.countDown();
        for (int op = 0; done.getCount() > 0; op++) {
            final String id = "d" + random.nextInt(9);
            if (op % 97 == 0) {
                owner.reload(config((op / 97) % 2 == 1));
            } else if (op % 13 == 0) {
                owner.setAdminDisabled(id, random.nextBoolean());
            } else {
                final int r = random.nextInt(4);
                owner.healthSink()
                        .onStateChange(
                                id,
                                r == 0
                                        ? DestinationState.INACTIVE
                                        : r == 1 ? DestinationState.PROBING : DestinationState.ACTIVE);
                owner.doWork();
            }
            publications = owner.table().version();
            Thread.yield();
        }
        for (final Thread t : selectors) {
            t.join();
        }

        assertEquals(null, violation.get());
        assertTrue(
                versionsSeen.size() >= REQUESTS_PER_THREAD / 10_000,
                "selectors saw only " + versionsSeen.size() + " versions");
        assertEquals(acquired.get(), released.get(), "every lease taken was released exactly once");
        long runtimeAcquired = 0;
        long runtimeReleased = 0;
        long runtimeRefused = 0;
        for (final DestinationRuntime r : runtimes) {
            assertEquals(0, r.activeLeases(), r.toString());
            runtimeAcquired += r.leasesAcquired();
            runtimeReleased += r.leasesReleased();
            runtimeRefused += r.leasesRefused();
        }
        assertEquals(acquired.get(), runtimeAcquired, "destinations counted exactly the leases the threads took");
        assertEquals(released.get(), runtimeReleased);
        assertEquals(refused.get(), runtimeRefused);
        System.out.printf(
                "stress: %d requests, %d leases, %d refused at cap, %d table versions published, %d seen%n",
                SELECTOR_THREADS * REQUESTS_PER_THREAD,
                acquired.get(),
                refused.get(),
                publications,
                versionsSeen.size());
    }
}
