package org.sipha.dispatcher.engine;

import java.util.Arrays;
import org.sipha.core.message.AsciiView;

/**
 * The calls in flight on one event loop: a bounded pool of {@link CallState}, a hash index by upstream key
 * (Call-ID + top Via branch, for retransmissions, CANCEL and the ACK of a non-2xx) and FIFO timer lists.
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

    CallTable(int capacity, DispatcherNextHopSelector selector) {
        this.slots = new CallState[capacity];
        this.selector = selector;
        this.freeStack = new int[capacity];
        int b = Integer.highestOneBit(Math.max(16, capacity * 2 - 1));
        this.buckets = new int[b];
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

    /** A free state, or null when the table is full. States are created on first need, then reused. */
    CallState allocate() {
        CallState s;
        if (freeTop > 0) {
            s = slots[freeStack[--freeTop]];
        } else if (created < slots.length) {
            s = new CallState(created, selector.newCursor());
            slots[created++] = s;
        } else {
            return null;
        }
        inUse++;
        s.phase = CallState.CALLING;
        s.cancelled = false;
        s.upstreamRetransmits = false;
        s.attempt = 0;
        return s;
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

    /** Stores the upstream key (Call-ID, branch) and indexes the state under it. */
    void index(CallState s, AsciiView callId, AsciiView branch) {
        int n = callId.length() + (branch == null ? 0 : branch.length());
        if (s.key.length < n) {
            s.key = new byte[Math.max(n, s.key.length * 2)];
        }
        int p = callId.copyTo(s.key, 0);
        if (branch != null) {
            p = branch.copyTo(s.key, p);
        }
        s.keyLength = p;
        s.keyHash = hash(callId, branch);
        int b = s.keyHash & (buckets.length - 1);
        s.nextInBucket = buckets[b];
        buckets[b] = s.slot;
    }

    /** The state whose upstream key is (Call-ID, branch), or null. */
    CallState find(AsciiView callId, AsciiView branch) {
        int h = hash(callId, branch);
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
        if (s.request != null) {
            s.request.release();
            s.request = null;
        }
        s.source = null;
        s.channel = null;
        s.destination = null;
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

    private static int hash(AsciiView callId, AsciiView branch) {
        int h = callId.contentHash();
        return branch == null ? h : h * 31 + branch.contentHash();
    }

    private static boolean keyEquals(CallState s, AsciiView callId, AsciiView branch) {
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
