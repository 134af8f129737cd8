package org.sipha.examples.proxy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.model.DestinationState;

/**
 * Passes health changes to the routing table's queue and wakes the table's writer thread, so the writer sleeps
 * until there is work instead of polling (a polling writer cost the proxy thousands of futex calls a second).
 *
 * <h2>Threading</h2>
 * The sink methods are called by the health monitor's thread; {@link #awaitWork} only by the writer thread.
 */
final class WakingHealthSink implements DestinationHealthSink {
    private static final long MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(100); // a safety net, not a poll rate

    private final DestinationHealthSink queue;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile Thread writer;

    WakingHealthSink(DestinationHealthSink queue) {
        this.queue = queue;
    }

    @Override
    public void onStateChange(String destinationId, DestinationState state) {
        queue.onStateChange(destinationId, state);
        wake();
    }

    /** Applied by the routing table at once (a lock-free runtime update), so the writer need not wake. */
    @Override
    public void onLatencySample(String destinationId, long rttNs) {
        queue.onLatencySample(destinationId, rttNs);
    }

    private void wake() {
        Thread w = writer;
        if (w != null && !pending.getAndSet(true)) { // one unpark per batch, not per change
            LockSupport.unpark(w);
        }
    }

    /** Writer thread: call before draining the queue; returns nothing, just resets the wake-up flag. */
    void beforeWork() {
        if (writer == null) {
            writer = Thread.currentThread();
        }
        pending.set(false);
    }

    /** Writer thread: after a drain that found nothing, sleeps until a state change arrives (or 100 ms pass). */
    void awaitWork() {
        if (!pending.get()) {
            LockSupport.parkNanos(this, MAX_SLEEP_NS);
        }
    }
}
