package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.SelectStrategy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decisions of {@link CoalescingSelectStrategy}, driven by a hand-moved clock: what a loop does next (wait in
 * epoll, sleep a window, or handle what is ready) after each kind of wake-up. The loops that run it over real
 * sockets are in {@link EngineLoopsTest}.
 */
class CoalescingSelectStrategyTest {
    private static final long WINDOW = 500_000;

    private long now = 1_000_000_000L;
    /** What each non-blocking poll of the loop's sockets finds, in order; empty means nothing ready. */
    private final Deque<Integer> ready = new ArrayDeque<>();

    private final List<Long> sleeps = new ArrayList<>();
    private final CoalescingSelectStrategy strategy = new CoalescingSelectStrategy(WINDOW, () -> now, ns -> {
        sleeps.add(ns);
        now += ns;
    });

    private int next(boolean hasTasks) throws Exception {
        return strategy.calculateStrategy(() -> ready.isEmpty() ? 0 : ready.poll(), hasTasks);
    }

    @Test
    void anIdleLoopWaitsInEpoll() throws Exception {
        assertEquals(SelectStrategy.SELECT, next(false));
        now += 10_000_000; // woken 10 ms later (a timer tick): sparse
        assertEquals(SelectStrategy.SELECT, next(false));
        assertTrue(sleeps.isEmpty(), "an idle loop slept windows");
    }

    @Test
    void aWakeUpSoonAfterGoingToSleepStartsGathering() throws Exception {
        assertEquals(SelectStrategy.SELECT, next(false));
        now += 100_000; // a datagram 0.1 ms later, handled; nothing more ready yet
        ready.add(0);
        ready.add(1); // found after the window
        assertEquals(1, next(false));
        assertEquals(List.of(WINDOW), sleeps, "dense traffic: the loop sleeps one window, then reads");
        assertTrue(strategy.gathering());

        ready.add(0);
        ready.add(1);
        assertEquals(1, next(false));
        assertEquals(2, sleeps.size(), "a window that found datagrams is followed by another");
    }

    @Test
    void anEmptyWindowSendsTheLoopBackToEpoll() throws Exception {
        next(false);
        now += 100_000;
        ready.add(0);
        ready.add(0); // the window found nothing
        assertEquals(0, next(false));
        assertFalse(strategy.gathering());
        assertEquals(SelectStrategy.SELECT, next(false));
        assertEquals(1, sleeps.size());
    }

    @Test
    void readyDatagramsAndPendingTasksAreHandledWithoutSleeping() throws Exception {
        next(false);
        now += 100_000;
        ready.add(3);
        assertEquals(3, next(false), "what is ready is handled at once");
        assertEquals(0, next(true), "tasks to run: poll and go on, no sleep");
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void aWindowMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> CoalescingSelectStrategy.factory(0));
        assertThrows(IllegalArgumentException.class, () -> new CoalescingSelectStrategy(-1));
    }
}
