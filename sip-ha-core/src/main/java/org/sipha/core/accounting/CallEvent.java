package org.sipha.core.accounting;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.sipha.core.message.AsciiView;
import org.sipha.core.spi.CallEventKind;

/**
 * One preallocated slot of a {@link CallEventRing}: the fields of a {@link org.sipha.core.spi.CallAccountingSink}
 * event, its texts copied into one fixed byte array.
 *
 * <pre>
 * text: | Call-ID | caller tag | callee tag | caller URI | callee URI |   (each may be empty)
 *       0     callIdEnd  callerTagEnd  calleeTagEnd  callerUriEnd  calleeUriEnd &lt;= text.length
 * </pre>
 * Call-ID and tags are the record's key: an event whose key does not fit is refused. The URIs are cut to the room
 * left.
 *
 * <p>Threading: filled by the ring's producer, read by its consumer inside {@link CallEventRing#drain}, and only
 * there: the slot is reused once the handler returns. The getters decode Strings (they allocate).
 */
public final class CallEvent {
    static final CallEventKind[] KINDS = CallEventKind.values();
    private final byte[] text;
    private CallEventKind kind;
    private long epochMs;
    private int sipCode;
    private long cseq;
    private int callIdEnd;
    private int callerTagEnd;
    private int calleeTagEnd;
    private int callerUriEnd;
    private int calleeUriEnd;
    private InetSocketAddress destination;
    private InetSocketAddress source;

    CallEvent(int textBytes) {
        this.text = new byte[textBytes];
    }

    /** Bytes the key (Call-ID and tags) needs; more than the slot holds means the event is refused. */
    static int keyBytes(AsciiView callId, AsciiView callerTag, AsciiView calleeTag) {
        return len(callId) + len(callerTag) + len(calleeTag);
    }

    /** Copies an event in; its key must fit ({@link #keyBytes}). Returns true if a URI had to be cut. */
    boolean fill(
            CallEventKind k,
            long timeMs,
            int code,
            long cseqNumber,
            AsciiView callId,
            AsciiView callerTag,
            AsciiView calleeTag,
            AsciiView callerUri,
            AsciiView calleeUri,
            InetSocketAddress dest,
            InetSocketAddress src) {
        kind = k;
        epochMs = timeMs;
        sipCode = code;
        cseq = cseqNumber;
        destination = dest;
        source = src;
        callIdEnd = copy(callId, 0);
        callerTagEnd = copy(callerTag, callIdEnd);
        calleeTagEnd = copy(calleeTag, callerTagEnd);
        callerUriEnd = copy(callerUri, calleeTagEnd);
        calleeUriEnd = copy(calleeUri, callerUriEnd);
        return callerUriEnd - calleeTagEnd < len(callerUri) || calleeUriEnd - callerUriEnd < len(calleeUri);
    }

    private int copy(AsciiView v, int at) {
        int n = Math.min(len(v), text.length - at);
        if (n > 0) {
            System.arraycopy(v.buffer(), v.offset(), text, at, n);
        }
        return at + n;
    }

    /** Stores the five text ends at {@code at} (for {@link CallEventRingFile}). */
    void writeEnds(ByteBuffer into, int at) {
        into.putInt(at, callIdEnd)
                .putInt(at + 4, callerTagEnd)
                .putInt(at + 8, calleeTagEnd)
                .putInt(at + 12, callerUriEnd)
                .putInt(at + 16, calleeUriEnd);
    }

    /** Copies the text bytes in use to {@code at}; returns how many. */
    int writeText(ByteBuffer into, int at) {
        into.put(at, text, 0, calleeUriEnd);
        return calleeUriEnd;
    }

    /** Fills this event from a ring file's slot, already checked ({@link CallEventRingFile#recover}). */
    void load(
            CallEventKind k,
            long timeMs,
            int code,
            long cseqNumber,
            int[] ends,
            ByteBuffer from,
            int textAt,
            InetSocketAddress dest,
            InetSocketAddress src) {
        kind = k;
        epochMs = timeMs;
        sipCode = code;
        cseq = cseqNumber;
        callIdEnd = ends[0];
        callerTagEnd = ends[1];
        calleeTagEnd = ends[2];
        callerUriEnd = ends[3];
        calleeUriEnd = ends[4];
        from.get(textAt, text, 0, calleeUriEnd);
        destination = dest;
        source = src;
    }

    private static int len(AsciiView v) {
        return v == null ? 0 : v.length();
    }

    public CallEventKind kind() {
        return kind;
    }

    public long epochMs() {
        return epochMs;
    }

    /** The final status (OUTCOME, START); 0 for STOP. */
    public int sipCode() {
        return sipCode;
    }

    /** The CSeq number of the INVITE (OUTCOME, START) or of the BYE (STOP). */
    public long cseq() {
        return cseq;
    }

    public String callId() {
        return text(0, callIdEnd);
    }

    /** The caller's From tag; empty if it had none. */
    public String callerTag() {
        return text(callIdEnd, callerTagEnd);
    }

    /** The callee's To tag; empty if there was none yet. */
    public String calleeTag() {
        return text(callerTagEnd, calleeTagEnd);
    }

    /** The caller's URI, possibly cut. */
    public String callerUri() {
        return text(calleeTagEnd, callerUriEnd);
    }

    /** The callee's URI, possibly cut. */
    public String calleeUri() {
        return text(callerUriEnd, calleeUriEnd);
    }

    /** The destination that gave the outcome or took the call; null if unknown. */
    public InetSocketAddress destination() {
        return destination;
    }

    /** Where the call came from; null if unknown. */
    public InetSocketAddress source() {
        return source;
    }

    private String text(int from, int to) {
        return new String(text, from, to - from, StandardCharsets.UTF_8);
    }
}
