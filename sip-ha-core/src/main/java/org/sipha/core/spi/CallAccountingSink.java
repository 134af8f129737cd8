package org.sipha.core.spi;

import java.net.InetSocketAddress;
import org.sipha.core.message.AsciiView;

/**
 * Where the forwarding engine reports call accounting events ({@link CallEventKind}). Defined here so the engine
 * does not depend on where records are stored; {@link org.sipha.core.accounting.CallEventRings} is the
 * implementation that hands them to a writer thread.
 *
 * <p>Threading: one sink per event loop ({@link CallAccounting#sinkForLoop}); only that loop's thread calls it.
 * {@link #record} must not block and should not allocate: it copies what it keeps, since the views are only valid
 * during the call. An event it cannot take (no room) is dropped and counted, never waited for.
 */
public interface CallAccountingSink {
    /**
     * One event of a call leg. Tags and URIs are the dialog's caller and callee, whichever side sent the message.
     *
     * @param epochMs     wall-clock time of the event
     * @param sipCode     the final status (OUTCOME, START), 0 for STOP
     * @param cseq        the CSeq number of the INVITE (OUTCOME, START) or of the BYE (STOP)
     * @param callId      Call-ID
     * @param callerTag   the caller's From tag, or null if absent
     * @param calleeTag   the callee's To tag, or null (no tag yet: a failure answered before any dialog)
     * @param callerUri   the caller's URI (From), or null
     * @param calleeUri   the callee's URI (To), or null
     * @param destination the destination that gave the outcome or took the call, or null
     * @param source      where the call came from (the carrier), or null if unknown
     */
    void record(
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
            InetSocketAddress source);

    /** An event the engine could not read from its message (e.g. a malformed From): counted, not recorded. */
    default void unreadable() {}
}
