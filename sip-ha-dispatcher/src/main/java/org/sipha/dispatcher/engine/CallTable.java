package org.sipha.dispatcher.engine;

import java.util.Arrays;
import org.sipha.core.message.AsciiView;

/**
 * The calls in flight on one event loop: a bounded pool of {@link CallState}, a hash index by upstream key
 * (Call-ID + top Via branch, for retransmissions, CANCEL and the ACK of a non-2xx) and FIFO timer lists.
 *
 * <p>Bounded three ways, each refusal named by {@link #refusal()}: by slots, by the bytes of the INVITE copies it
 * stores (and of keys longer than {@link #RETAINED_KEY_BYTES}), and per source ({@link SourceCallCounts}), so one
 * source cannot take every slot. The index hashes keys with a per-process secret ({@link KeyedHash}), so chosen
 * Call-IDs cannot pile up in one bucket.
 *
 * <p>Each list holds states whose deadlines were set with the same duration, so a list is ordered by deadline
 * just by appending: expiry pops from the head, cancellation unlinks in O(1), nothing is allocated and no
 * timer object exists per call. A state is on at most one list per lane: lane 0 for its phase (calling,
 * proceeding, linger, or the long linger of a call whose caller retransmits its INVITE), lane 1 for INVITE
 * retransmission, whose doubling intervals (T1, 2·T1, 4·T1) are three lists of one duration each. Responses
 * find their state without a lookup: the Via branch carries the slot and its generation.
 *
 * <p>Single-threaded: only the owning event loop calls it.
 */
final class CallTable {
    static final int CALLING_LIST = 0;
    static final int PROCEEDING_LIST = 1;
    static final int LINGER_LIST = 2;
    /** Retransmission lists: the first waits T1, the next 2·T1, the last 4·T1 (and stays there). */
    static final int RETRANSMIT_LIST_1 = 3;

    static final int RETRANSMIT_LIST_2 = 4;
    static final int RETRANSMIT_LIST_4 = 5;
    /**
     * Linger of a finished call whose caller was seen retransmitting its INVITE: kept as long as the caller may
     * go on doing so (its timer B), so no late copy is taken for a new call.
     */
    static final int UPSTREAM_RETRANSMITS_LINGER_LIST = 6;

    private static final int LISTS = 7;
    private static final int[] LANE = {0, 0, 0, 1, 1, 1, 0};
    /** Key bytes a state keeps between calls; a longer key gets an array of its own, dropped when the call ends. */
    static final int RETAINED_KEY_BYTES = 256;

    static final byte[] NO_KEY = new byte[0];

    private final CallState[] slots;
    private final DispatcherNextHopSelector selector;
    private final int[] freeStack;
    private int freeTop;
    private int created;
    private final int[] buckets;
    private final int[] head = new int[LISTS];
    private final int[] tail = new int[LISTS];
    private int inUse;
    private final int[] listSize = new int[LISTS];
    private final KeyedHash hasher = new KeyedHash();
    private final long maxStoredBytes;
    private long storedBytes;
    /** Null when a source may hold every slot. */
    private final SourceCallCounts perSource;

    private Refusal refusal;

    /**
     * A table of {@code capacity} states storing at most {@code maxStoredBytes} of call state, of which one source
     * may hold {@code maxCallsPerSource} states.
     */
    CallTable(int capacity, DispatcherNextHopSelector selector, long maxStoredBytes, int maxCallsPerSource) {
        this.slots = new CallState[capacity];
        this.selector = selector;
        this.freeStack = new int[capacity];
        int b = Integer.highestOneBit(Math.max(16, capacity * 2 - 1));
        this.buckets = new int[b];
        this.maxStoredBytes = maxStoredBytes;
        this.perSource = maxCallsPerSource >= capacity ? null : new SourceCallCounts(capacity, maxCallsPerSource);
        Arrays.fill(buckets, -1);
        Arrays.fill(head, -1);
        Arrays.fill(tail, -1);
    }

    /** Calls in flight (all phases). */
    int size() {
        return inUse;
    }

    /** Calls not yet completed (in flight, not lingering). */
    int inFlight() {
        return inUse - listSize[LINGER_LIST] - listSize[UPSTREAM_RETRANSMITS_LINGER_LIST];
    }

    /** Bytes of call state stored: INVITE copies and long keys. */
    long storedBytes() {
        return storedBytes;
    }

    /**
     * A free state for a call from source {@code sourceKey} that will store a {@code requestBytes} INVITE copy
     * under a {@code keyLength} key; null if a bound refuses it ({@link #refusal()} says which). States are
     * created on first need, then reused.
     */
    CallState allocate(long sourceKey, int requestBytes, int keyLength) {
        int keyBytes = keyLength > RETAINED_KEY_BYTES ? keyLength : 0;
        if (storedBytes + requestBytes + keyBytes > maxStoredBytes) {
            refusal = Refusal.CALL_BYTES_PER_LOOP;
            return null;
        }
        if (freeTop == 0 && created == slots.length) {
            refusal = Refusal.CALLS_PER_LOOP;
            return null;
        }
        if (perSource != null && !perSource.tryAcquire(sourceKey)) {
            refusal = Refusal.CALLS_PER_SOURCE;
            return null;
        }
        CallState s;
        if (freeTop > 0) {
            s = slots[freeStack[--freeTop]];
        } else {
            s = new CallState(created, selector.newCursor());
            slots[created++] = s;
        }
        inUse++;
        s.phase = CallState.CALLING;
        s.cancelled = false;
        s.upstreamRetransmits = false;
        s.upstreamTrying = false;
        s.foreignCancel = false;
        s.attempt = 0;
        s.sourceKey = sourceKey;
        s.sourceCounted = perSource != null;
        s.requestBytes = requestBytes;
        s.keyBytes = keyBytes;
        storedBytes += requestBytes + keyBytes;
        return s;
    }

    /**
     * A call answered finally stops counting against its source's share (idempotent): its state may linger for
     * retransmissions, but a carrier's trunk, one source, must not be refused for calls that have ended.
     */
    void settle(CallState s) {
        if (s.sourceCounted) {
            s.sourceCounted = false;
            perSource.release(s.sourceKey);
        }
    }

    /** Why the last {@link #allocate} returned null. */
    Refusal refusal() {
        return refusal;
    }

    /** Releases the stored INVITE of {@code s} (idempotent), and its bytes from the bound. */
    void releaseRequest(CallState s) {
        if (s.request != null) {
            s.request.release();
            s.request = null;
        }
        storedBytes -= s.requestBytes;
        s.requestBytes = 0;
    }

    /** The first state on {@code list} (slot index), or -1; with {@link #listSize} and {@link #nextOn}, for scans. */
    int head(int list) {
        return head[list];
    }

    int listSize(int list) {
        return listSize[list];
    }

    /** The slot after {@code s} on its list of lane {@code lane}, or -1. */
    int nextOn(CallState s, int lane) {
        return s.next[lane];
    }

    CallState slot(int slot) {
        return slots[slot];
    }

    /** The state in {@code slot} if it still has generation {@code gen}, else null. */
    CallState get(int slot, int gen) {
        if (slot < 0 || slot >= created) {
            return null;
        }
        CallState s = slots[slot];
        return s.phase != CallState.FREE && s.generation == gen ? s : null;
    }

    /** The index's hash of the upstream key (Call-ID, branch), for {@link #find(int, AsciiView, AsciiView)}. */
    int keyHash(AsciiView callId, AsciiView branch) {
        return hasher.hash(callId, branch);
    }

    /** Stores the upstream key (Call-ID, branch), whose {@link #keyHash} is {@code h}, and indexes the state. */
    void index(CallState s, int h, AsciiView callId, AsciiView branch) {
        int n = callId.length() + (branch == null ? 0 : branch.length());
        if (s.key.length < n) {
            s.key = new byte[Math.max(n, RETAINED_KEY_BYTES)];
        }
        int p = callId.copyTo(s.key, 0);
        if (branch != null) {
            p = branch.copyTo(s.key, p);
        }
        s.keyLength = p;
        s.keyHash = h;
        int b = h & (buckets.length - 1);
        s.nextInBucket = buckets[b];
        buckets[b] = s.slot;
    }

    /** The state whose upstream key is (Call-ID, branch), or null. */
    CallState find(AsciiView callId, AsciiView branch) {
        return find(keyHash(callId, branch), callId, branch);
    }

    /** The state whose upstream key is (Call-ID, branch), with {@link #keyHash} {@code h}, or null. */
    CallState find(int h, AsciiView callId, AsciiView branch) {
        for (int i = buckets[h & (buckets.length - 1)]; i >= 0; i = slots[i].nextInBucket) {
            CallState s = slots[i];
            if (s.keyHash == h && keyEquals(s, callId, branch)) {
                return s;
            }
        }
        return null;
    }

    /** Returns the state to the pool (idempotent): unindexed, off its list, request buffer released, generation bumped. */
    void free(CallState s) {
        if (s.phase == CallState.FREE) {
            return; // idempotent: an error path may free a state its caller frees again
        }
        unlink(s, 0);
        unlink(s, 1);
        unindex(s);
        releaseRequest(s);
        settle(s);
        storedBytes -= s.keyBytes;
        s.keyBytes = 0;
        if (s.key.length > RETAINED_KEY_BYTES) {
            s.key = NO_KEY; // a long key's array goes with its call
        }
        s.source = null;
        s.channel = null;
        s.destination = null;
        s.fanOut = null;
        s.phase = CallState.FREE;
        s.generation++;
        freeStack[freeTop++] = s.slot;
        inUse--;
    }

    /** Frees every state in use (when the loop closes), releasing their stored requests. */
    void freeAll() {
        for (int i = 0; i < created; i++) {
            free(slots[i]);
        }
    }

    /** Moves {@code s} to the tail of {@code list} with deadline {@code deadlineNs}, off any list of that lane. */
    void schedule(CallState s, int list, long deadlineNs) {
        int lane = LANE[list];
        unlink(s, lane);
        s.list[lane] = list;
        listSize[list]++;
        s.deadlineNs[lane] = deadlineNs;
        s.next[lane] = -1;
        s.prev[lane] = tail[list];
        if (tail[list] >= 0) {
            slots[tail[list]].next[lane] = s.slot;
        } else {
            head[list] = s.slot;
        }
        tail[list] = s.slot;
    }

    /** The head of {@code list} if its deadline has passed, else null. Does not unlink it. */
    CallState expired(int list, long nowNs) {
        int h = head[list];
        if (h < 0) {
            return null;
        }
        CallState s = slots[h];
        return s.deadlineNs[LANE[list]] - nowNs <= 0 ? s : null;
    }

    /** Takes {@code s} off whatever list of {@code lane} it is on (no-op if none). */
    void unlink(CallState s, int lane) {
        int l = s.list[lane];
        if (l < 0) {
            return;
        }
        int p = s.prev[lane];
        int n = s.next[lane];
        if (p >= 0) {
            slots[p].next[lane] = n;
        } else {
            head[l] = n;
        }
        if (n >= 0) {
            slots[n].prev[lane] = p;
        } else {
            tail[l] = p;
        }
        listSize[l]--;
        s.prev[lane] = s.next[lane] = s.list[lane] = -1;
    }

    private void unindex(CallState s) {
        int b = s.keyHash & (buckets.length - 1);
        int prev = -1;
        for (int i = buckets[b]; i >= 0; i = slots[i].nextInBucket) {
            if (i == s.slot) {
                if (prev < 0) {
                    buckets[b] = s.nextInBucket;
                } else {
                    slots[prev].nextInBucket = s.nextInBucket;
                }
                break;
            }
            prev = i;
        }
        s.nextInBucket = -1;
    }

    /** Buckets of the index (a power of two). */
    int bucketCount() {
        return buckets.length;
    }

    /** The most states any bucket chains (a diagnostic for tests; walks the whole index). */
    int longestChain() {
        int longest = 0;
        for (int head : buckets) {
            int n = 0;
            for (int i = head; i >= 0; i = slots[i].nextInBucket) {
                n++;
            }
            longest = Math.max(longest, n);
        }
        return longest;
    }

    /** True if the upstream key of {@code s} is (Call-ID, branch). */
    static boolean keyEquals(CallState s, AsciiView callId, AsciiView branch) {
        int cl = callId.length();
        int bl = branch == null ? 0 : branch.length();
        if (s.keyLength != cl + bl) {
            return false;
        }
        if (!Arrays.equals(s.key, 0, cl, callId.buffer(), callId.offset(), callId.offset() + cl)) {
            return false;
        }
        return bl == 0 || Arrays.equals(s.key, cl, cl + bl, branch.buffer(), branch.offset(), branch.offset() + bl);
    }
}
