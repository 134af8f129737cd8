package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * One INVITE in flight: the upstream request (a pooled copy, kept for failover re-sends, ACK and CANCEL), where it
 * came from, the failover cursor and the branch currently tried. Pooled by {@link CallTable}; owned by one
 * event loop, never shared, so plain fields.
 */
final class CallState {
    static final int FREE = 0;
    /** Sent to {@link #destination}, no response yet: the failover timer runs. */
    static final int CALLING = 1;
    /** A provisional response arrived: ringing, timer C runs. */
    static final int PROCEEDING = 2;
    /** The final response went upstream: kept a while to absorb retransmissions. */
    static final int COMPLETED = 3;

    final int slot;
    final DispatcherNextHopSelector.Cursor cursor;
    int generation;
    int phase = FREE;
    boolean cancelled;

    ByteBuf request;
    /** Bytes of {@link #request} and of a key beyond the retained size, counted against the loop's byte bound. */
    int requestBytes;

    int keyBytes;
    InetSocketAddress source;
    /** The source's key ({@link SourceKey}), under which the call holds one of its source's slots. */
    long sourceKey;
    /** Whether this call still counts against its source's share of the slots (until its final answer). */
    boolean sourceCounted;

    Channel channel;
    NextHop destination;
    int attempt;
    long sentNs;
    /** The MAC of the current branch ({@link BranchSigner}), and the generation and attempt it was signed for. */
    final char[] branchMac = new char[BranchSigner.MAC_CHARS];

    int macGeneration = -1;
    int macAttempt;

    /** Upstream key: Call-ID bytes then the top Via branch bytes. */
    byte[] key = CallTable.NO_KEY;

    int keyLength;
    int keyHash;
    int nextInBucket = -1;

    /**
     * Timer list links (slot indexes), per lane: lane 0 holds the phase timer (failover, ringing, linger), lane 1
     * the INVITE retransmission timer (RFC 3261 timer A), so both can run at once. Indexed by lane.
     */
    final int[] prev = {-1, -1};

    final int[] next = {-1, -1};
    final int[] list = {-1, -1};
    final long[] deadlineNs = new long[2];
    /**
     * Whether the caller retransmitted this INVITE: it missed our 100 Trying (RFC 3261 17.1.1.2: a client INVITE
     * transaction stops retransmitting at the first provisional response), so it may go on for its whole timer B.
     */
    boolean upstreamRetransmits;
    /** Whether the caller has our 100 Trying (sent when the branch answers 100 or the caller retransmits). */
    boolean upstreamTrying;
    /** Whether the current branch's silence was reported to the health side (once per branch). */
    boolean silenceReported;

    /**
     * A CANCEL for an INVITE this proxy did not forward ({@link ForeignCancels}): {@link #request} is the CANCEL,
     * {@link #destination} is null, the CANCEL went to each of {@link #fanOut}; the bits of {@link #fanOutPending}
     * (by index in it) are those not answered yet; {@link #finalCode} is what the caller got.
     */
    boolean foreignCancel;

    NextHop[] fanOut;
    long fanOutPending;
    int finalCode;

    CallState(int slot, DispatcherNextHopSelector.Cursor cursor) {
        this.slot = slot;
        this.cursor = cursor;
    }
}
