package org.sipha.core.accounting;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.sipha.core.spi.CallAccounting;
import org.sipha.core.spi.CallAccountingSink;

/**
 * Call accounting through one {@link CallEventRing} per event loop, drained by one writer thread: the engine's
 * {@link CallAccounting}. Each {@link #sinkForLoop} makes a new ring (so two engines built from one configuration
 * never share a producer); the writer drains them all.
 *
 * <p>Threading: {@link #sinkForLoop} from any thread (while engines are built); {@link #drain} by one consumer
 * thread only; the counters by any thread.
 */
public final class CallEventRings implements CallAccounting {
    /** Slots per loop unless told otherwise: a few seconds of events at thousands of calls per second. */
    public static final int DEFAULT_CAPACITY = 16_384;
    /** Bytes per slot for Call-ID, tags and URIs unless told otherwise. */
    public static final int DEFAULT_TEXT_BYTES = 512;

    private final int capacity;
    private final int textBytes;
    private final AtomicReference<CallEventRing[]> rings = new AtomicReference<>(new CallEventRing[0]);

    /** {@link #DEFAULT_CAPACITY} slots of {@link #DEFAULT_TEXT_BYTES} per loop. */
    public CallEventRings() {
        this(DEFAULT_CAPACITY, DEFAULT_TEXT_BYTES);
    }

    /**
     * @param capacityPerLoop slots per loop (rounded up to a power of two)
     * @param textBytes       bytes per slot for Call-ID, tags and URIs; at least 64
     */
    public CallEventRings(int capacityPerLoop, int textBytes) {
        if (capacityPerLoop < 1 || capacityPerLoop > (1 << 24)) {
            throw new IllegalArgumentException("capacity per loop must be in [1, 2^24]: " + capacityPerLoop);
        }
        if (textBytes < 64 || textBytes > 65_536) {
            throw new IllegalArgumentException("text bytes per slot must be in [64, 65536]: " + textBytes);
        }
        this.capacity = capacityPerLoop;
        this.textBytes = textBytes;
    }

    @Override
    public CallAccountingSink sinkForLoop(int loopIndex) {
        CallEventRing ring = new CallEventRing(loopIndex, capacity, textBytes);
        rings.getAndUpdate(old -> {
            CallEventRing[] next = Arrays.copyOf(old, old.length + 1);
            next[old.length] = ring;
            return next;
        });
        return ring;
    }

    /** The rings made so far, in the order they were made. */
    public List<CallEventRing> rings() {
        return List.of(rings.get());
    }

    /**
     * Consumer only: drains up to {@code maxPerRing} events from each ring in turn.
     *
     * @return events handed to {@code handler}
     */
    public int drain(CallEventHandler handler, int maxPerRing) {
        int n = 0;
        for (CallEventRing r : rings.get()) {
            n += r.drain(handler, maxPerRing);
        }
        return n;
    }

    /** Events dropped by every ring: full, or too long for a slot, or unreadable. */
    public long lost() {
        long n = 0;
        for (CallEventRing r : rings.get()) {
            n += r.dropped() + r.tooLong() + r.unreadableEvents();
        }
        return n;
    }

    /** Events waiting in every ring (a snapshot). */
    public long waiting() {
        long n = 0;
        for (CallEventRing r : rings.get()) {
            n += r.size();
        }
        return n;
    }
}
