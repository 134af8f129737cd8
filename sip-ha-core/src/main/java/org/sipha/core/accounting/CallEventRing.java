package org.sipha.core.accounting;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;
import org.sipha.core.spi.CallAccountingSink;
import org.sipha.core.spi.CallEventKind;

/**
 * A bounded single-producer, single-consumer ring of preallocated {@link CallEvent} slots: one event loop records
 * into it, one writer thread drains it. Recording copies into the next free slot and never blocks or allocates;
 * with no free slot the event is dropped and counted. A ring made with a {@link CallEventRingFile} also copies each
 * event into that file's shared mapping, so what it holds survives the death of the process; its consumer then
 * frees slots ({@link #release}) only once their events are durable elsewhere.
 *
 * <h2>Memory ordering</h2>
 * {@code head} (next slot to fill) is written only by the producer, {@code tail} (first slot not yet freed)
 * and {@code read} (next slot to read) only by the consumer, each with a release store after its slot work, and read by the other side with an acquire load: the
 * consumer sees a slot's fields once it sees the head past it, and the producer reuses a slot only once it sees
 * the tail past it. The producer keeps a cached copy of the tail and reloads it only when the ring looks full.
 * NOTE: head and tail share a cache line; at a few events per call and a consumer that polls every few
 * milliseconds the false sharing costs nothing measurable, so there is no padding.
 *
 * <p>Threading: {@link #record} and {@link #unreadable} by the producer only; {@link #drain}, {@link #read} and
 * {@link #release} by the consumer only; the counters by any thread.
 */
public final class CallEventRing implements CallAccountingSink {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle READ;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(CallEventRing.class, "head", long.class);
            TAIL = l.findVarHandle(CallEventRing.class, "tail", long.class);
            READ = l.findVarHandle(CallEventRing.class, "read", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int loopIndex;
    private final CallEvent[] slots;
    private final int mask;
    private final int textBytes;
    /** The file the slots are mirrored in, or null. */
    private final CallEventRingFile file;

    @SuppressWarnings("unused") // through HEAD
    private long head;

    @SuppressWarnings("unused") // through TAIL
    private long tail;

    @SuppressWarnings("unused") // through READ
    private long read;
    /** The producer's last view of {@code tail}. */
    private long tailCache;
    /** Single-writer counters (the producer), read by any thread. */
    private volatile long dropped;

    private volatile long tooLong;
    private volatile long truncated;
    private volatile long unreadableCount;

    /**
     * @param capacity  slots, rounded up to a power of two
     * @param textBytes bytes per slot for Call-ID, tags and URIs
     */
    CallEventRing(int loopIndex, int capacity, int textBytes) {
        this(loopIndex, capacity, textBytes, null);
    }

    /** As above, the slots mirrored in {@code file}, made for {@link #slots}{@code (capacity)} slots. */
    CallEventRing(int loopIndex, int capacity, int textBytes, CallEventRingFile file) {
        this.loopIndex = loopIndex;
        int n = slots(capacity);
        this.file = file;
        this.slots = new CallEvent[n];
        for (int i = 0; i < n; i++) {
            slots[i] = new CallEvent(textBytes);
        }
        this.mask = n - 1;
        this.textBytes = textBytes;
    }

    /** The number of slots a ring of {@code capacity} has: the next power of two. */
    static int slots(int capacity) {
        if (capacity < 1 || capacity > (1 << 24)) {
            throw new IllegalArgumentException("capacity must be in [1, 2^24]: " + capacity);
        }
        int n = 1;
        while (n < capacity) {
            n <<= 1;
        }
        return n;
    }

    @Override
    public void record(
            CallEventKind kind,
            long epochMs,
            int sipCode,
            long cseq,
            AsciiView callId,
            AsciiView callerTag,
            AsciiView calleeTag,
            AsciiView callerUri,
            AsciiView calleeUri,
            InetSocketAddress destination,
            InetSocketAddress source) {
        if (CallEvent.keyBytes(callId, callerTag, calleeTag) > textBytes) {
            tooLong = tooLong + 1;
            return;
        }
        long h = (long) HEAD.get(this); // plain: only this thread writes it
        if (h - tailCache >= slots.length) {
            tailCache = (long) TAIL.getAcquire(this);
            if (h - tailCache >= slots.length) {
                dropped = dropped + 1;
                return;
            }
        }
        CallEvent e = slots[(int) h & mask];
        if (e.fill(
                kind,
                epochMs,
                sipCode,
                cseq,
                callId,
                callerTag,
                calleeTag,
                callerUri,
                calleeUri,
                destination,
                source)) {
            truncated = truncated + 1;
        }
        if (file != null) {
            file.write(h, e);
            file.publishHead(h + 1);
        }
        HEAD.setRelease(this, h + 1);
    }

    @Override
    public void unreadable() {
        unreadableCount = unreadableCount + 1;
    }

    /**
     * Consumer only: hands up to {@code max} events to {@code handler} in order, then frees their slots. If the
     * handler throws, none of this call's slots is freed, so those events come again on the next drain
     * (at least once; records keyed by their content absorb the repeat).
     *
     * @return events handed over
     */
    public int drain(CallEventHandler handler, int max) {
        int n = read(handler, max);
        release();
        return n;
    }

    /**
     * Consumer only: hands up to {@code max} events to {@code handler} in order, without freeing their slots (see
     * {@link #release}). If the handler throws, this call's events come again on the next read.
     *
     * @return events handed over
     */
    public int read(CallEventHandler handler, int max) {
        long r = (long) READ.get(this); // plain: only this thread writes it
        long available = (long) HEAD.getAcquire(this) - r;
        int n = (int) Math.min(available, max);
        for (int i = 0; i < n; i++) {
            handler.onEvent(slots[(int) (r + i) & mask]);
        }
        if (n > 0) {
            READ.setRelease(this, r + n);
        }
        return n;
    }

    /**
     * Consumer only: frees the slots of every event read so far; call it once they are durable. In a ring file
     * the tail is stored before the producer may reuse a slot, so a crash at any point leaves at worst events
     * that were already written (records keyed by their content absorb the repeat).
     */
    public void release() {
        long r = (long) READ.get(this);
        if (r != (long) TAIL.get(this)) {
            if (file != null) {
                file.publishTail(r);
            }
            TAIL.setRelease(this, r);
        }
    }

    /** Events waiting to be read; any thread (a snapshot). */
    public int size() {
        return (int) ((long) HEAD.getAcquire(this) - (long) READ.getAcquire(this));
    }

    /** The file the slots are mirrored in, or null for a ring in memory only. */
    public CallEventRingFile file() {
        return file;
    }

    public int capacity() {
        return slots.length;
    }

    public int loopIndex() {
        return loopIndex;
    }

    /** Events dropped because the ring was full. */
    public long dropped() {
        return dropped;
    }

    /** Events dropped because their Call-ID and tags did not fit a slot. */
    public long tooLong() {
        return tooLong;
    }

    /** Events recorded with a URI cut to fit. */
    public long truncated() {
        return truncated;
    }

    /** Events the engine could not read from its message. */
    public long unreadableEvents() {
        return unreadableCount;
    }
}
