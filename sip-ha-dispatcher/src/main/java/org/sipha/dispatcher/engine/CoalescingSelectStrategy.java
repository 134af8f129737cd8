package org.sipha.dispatcher.engine;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * How an event loop waits for I/O when a coalescing window is set ({@link ProxyConfig#coalesceMicros()}): the
 * interrupt moderation of a NIC, done by the loop. While datagrams arrive densely the loop does not sleep in
 * epoll, where every datagram would wake it; it sleeps one window (a timed park), then reads everything that
 * arrived meanwhile in one go and sends all its answers in one {@code sendmmsg}. Both ends gain: a datagram that
 * arrives while the loop is not waiting in epoll wakes nobody, and the peers are woken once per batch instead of
 * once per datagram.
 *
 * <p>The price is latency: a datagram waits at most one window (plus timer slack) before it is read. Traffic
 * counts as dense when a datagram or task woke the loop within one window of its going to sleep in epoll; one
 * window in which nothing arrived puts the loop back to sleeping in epoll. So an idle loop costs nothing, and
 * light traffic is handled at once, as without a window. Tasks submitted by other threads and timers due during
 * a window wait for its end too.
 *
 * <p>One instance per loop (its I/O handler asks the factory for one); only that loop's thread calls it.
 */
final class CoalescingSelectStrategy implements SelectStrategy {
    private final long windowNs;
    private final LongSupplier clock;
    private final LongConsumer sleep;
    /** True while traffic is dense: the loop parks a window instead of waiting in epoll. */
    private boolean gathering;
    /** True if the loop's last wait was in epoll (blocking), which began at {@link #waitStartNs}. */
    private boolean waited;

    private long waitStartNs;

    CoalescingSelectStrategy(long windowNs) {
        this(windowNs, System::nanoTime, LockSupport::parkNanos);
    }

    /** With a clock and a way to sleep of the caller's (tests). */
    CoalescingSelectStrategy(long windowNs, LongSupplier clock, LongConsumer sleep) {
        this.windowNs = requirePositive(windowNs);
        this.clock = clock;
        this.sleep = sleep;
    }

    /** A factory for the loops' I/O handlers: each loop gets its own strategy. */
    static SelectStrategyFactory factory(long windowNs) {
        requirePositive(windowNs); // fail when the loops are built, not inside each loop's thread
        return () -> new CoalescingSelectStrategy(windowNs);
    }

    private static long requirePositive(long windowNs) {
        if (windowNs <= 0) {
            throw new IllegalArgumentException("coalescing window must be > 0 ns, got " + windowNs);
        }
        return windowNs;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (waited) {
            // Back from waiting in epoll: something woke the loop. Soon after it went to sleep means dense.
            waited = false;
            gathering = clock.getAsLong() - waitStartNs < windowNs;
        }
        int ready = selectNow.get();
        if (ready > 0 || hasTasks) {
            return ready;
        }
        if (!gathering) {
            waited = true;
            waitStartNs = clock.getAsLong();
            return SelectStrategy.SELECT;
        }
        sleep.accept(windowNs);
        ready = selectNow.get();
        gathering = ready > 0;
        return ready;
    }

    /** Whether the loop is gathering (parking windows) rather than waiting in epoll; for tests, loop thread. */
    boolean gathering() {
        return gathering;
    }
}
