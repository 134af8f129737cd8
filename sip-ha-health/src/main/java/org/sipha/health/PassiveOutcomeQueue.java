package org.sipha.health;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscArrayQueue;
import org.sipha.core.spi.ForwardingOutcomeListener;

/**
 * The forwarding engine's entry point: I/O threads (many at once) report outcomes; the owner thread drains them.
 *
 * <p>No allocation per outcome: slots come from a pool filled at construction, travel to the owner through a
 * bounded MPSC queue and go back to the pool. When the pool is empty (the owner is behind) the outcome is dropped
 * and counted, so memory stays bounded and I/O threads never block. NOTE: the fields of a slot are written before
 * the queue's ordered offer and read after the owner's poll, which is what makes plain fields safe here.
 */
final class PassiveOutcomeQueue implements ForwardingOutcomeListener {
    static final int TIMEOUT = -1;
    /** Early no-response signal (timer A) of a branch that is still open; see {@link #onUnanswered}. */
    static final int UNANSWERED = -2;

    static final class Slot {
        InetSocketAddress address;
        int statusCode;
        long latencyNs;
    }

    /** Owner-thread consumer of drained outcomes. */
    interface Handler {
        void onOutcome(InetSocketAddress address, int statusCode, long latencyNs);
    }

    private final MpmcArrayQueue<Slot> free;
    private final MpscArrayQueue<Slot> pending;
    private final AtomicLong dropped = new AtomicLong();
    /** Outcomes lost because the pool was empty: answers among them never reached the owner. */
    private final AtomicLong overflows = new AtomicLong();

    PassiveOutcomeQueue(final int capacity) {
        free = new MpmcArrayQueue<>(capacity);
        pending = new MpscArrayQueue<>(capacity);
        for (int i = 0; i < capacity; i++) {
            if (!free.offer(new Slot())) {
                break;
            }
        }
    }

    @Override
    public void onResponse(final InetSocketAddress destination, final int statusCode, final long latencyNs) {
        enqueue(destination, statusCode, latencyNs);
    }

    @Override
    public void onTimeout(final InetSocketAddress destination, final long waitedNs) {
        enqueue(destination, TIMEOUT, waitedNs);
    }

    @Override
    public void onUnanswered(final InetSocketAddress destination, final long waitedNs) {
        enqueue(destination, UNANSWERED, waitedNs);
    }

    private void enqueue(final InetSocketAddress address, final int statusCode, final long latencyNs) {
        if (address == null) {
            dropped.incrementAndGet();
            return;
        }
        final Slot s = free.poll();
        if (s == null) {
            overflows.incrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        s.address = address;
        s.statusCode = statusCode;
        s.latencyNs = latencyNs;
        if (!pending.offer(s)) {
            // Cannot happen (both queues hold at most all slots) but never lose a slot.
            s.address = null;
            free.offer(s);
            dropped.incrementAndGet();
        }
    }

    /** Owner thread: applies up to {@code limit} outcomes. */
    int drain(final Handler handler, final int limit) {
        int n = 0;
        Slot s;
        while (n < limit && (s = pending.poll()) != null) {
            final InetSocketAddress a = s.address;
            final int code = s.statusCode;
            final long latency = s.latencyNs;
            s.address = null;
            free.offer(s);
            handler.onOutcome(a, code, latency);
            n++;
        }
        return n;
    }

    long dropped() {
        return dropped.get();
    }

    /** Outcomes lost to a full queue so far (any thread). */
    long overflows() {
        return overflows.get();
    }
}
