package org.sipha.dispatcher;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.model.DestinationState;

/**
 * Passes health changes on to a routing table's queue and wakes the table's writer thread, so the writer sleeps
 * until there is work instead of polling.
 *
 * <p>Threading: {@link #onStateChange}, {@link #onLatencySample} and {@link #wake} any thread, non-blocking;
 * {@link #beforeWork} and {@link #awaitWork} only the writer thread given to the constructor.
 */
final class WakingHealthSink implements DestinationHealthSink {
    /** A safety net, not a poll rate: every state change wakes the writer. */
    private static final long MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final DestinationHealthSink queue;
    private final Thread writer;
    private final AtomicBoolean pending = new AtomicBoolean();

    WakingHealthSink(final DestinationHealthSink queue, final Thread writer) {
        this.queue = queue;
        this.writer = writer;
    }

    @Override
    public void onStateChange(final String destinationId, final DestinationState state) {
        queue.onStateChange(destinationId, state);
        wake();
    }

    /** Wakes the writer for other work (a reload); any thread. One unpark per batch, not per change. */
    void wake() {
        if (!pending.getAndSet(true)) {
            LockSupport.unpark(writer);
        }
    }

    /** Applied by the routing table at once (a lock-free runtime update), so the writer need not wake. */
    @Override
    public void onLatencySample(final String destinationId, final long rttNs) {
        queue.onLatencySample(destinationId, rttNs);
    }

    /** Writer thread: call before draining the queue; changes queued from now on wake the writer again. */
    void beforeWork() {
        pending.set(false);
    }

    /** Writer thread: after a drain that found nothing, sleeps until a state change arrives (or 100 ms pass). */
    void awaitWork() {
        if (!pending.get()) {
            LockSupport.parkNanos(this, MAX_SLEEP_NS);
        }
    }
}
