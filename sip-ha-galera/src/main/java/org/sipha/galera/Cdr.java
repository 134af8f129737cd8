package org.sipha.galera;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A call record: a whole call detail record ({@link Kind#CDR}) or one call accounting event (Kamailio acc style:
 * {@link Kind#OUTCOME}, {@link Kind#START}, {@link Kind#STOP}). {@code id} is the idempotency key: the same call
 * or event always yields the same id, so a record written twice (spool replay after a crash, a retry after an
 * unknown commit outcome, a retransmitted 200 or BYE, two proxies seeing one BYE) is stored once.
 *
 * @param id           32 hex chars, see {@link #idFor(String, String)} and {@link #event}
 * @param callId       SIP Call-ID
 * @param fromUri      caller
 * @param toUri        callee
 * @param startEpochMs call start (CDR); the time of the event (accounting kinds)
 * @param durationMs   billable duration (CDR); 0 for the accounting kinds
 * @param disposition  e.g. ANSWERED, BUSY, CANCELLED, FAILED; empty for START and STOP
 * @param kind         what the record is
 * @param fromTag      the caller's From tag (accounting kinds; empty for CDR)
 * @param toTag        the callee's To tag, empty before a dialog exists
 * @param sipCode      the final status of the INVITE (OUTCOME, START), else 0
 * @param destination  the destination that gave the outcome or took the call ({@code host:port}), or empty
 * @param source       where the call came from ({@code host:port}), or empty
 */
public record Cdr(
        String id,
        String callId,
        String fromUri,
        String toUri,
        long startEpochMs,
        long durationMs,
        String disposition,
        Kind kind,
        String fromTag,
        String toTag,
        int sipCode,
        String destination,
        String source) {
    /** Longest accepted text field, in UTF-8 bytes (keeps a spool record small and bounded). */
    public static final int MAX_FIELD_BYTES = 1024;

    /** What a record is; {@link #code} is its stable number in the spool, {@code name()} its text in the table. */
    public enum Kind {
        /** A whole call: start, duration, disposition. */
        CDR(0),
        /** The final response a forwarded INVITE got, and the destination that gave it. */
        OUTCOME(1),
        /** A call answered (2xx): the dialog starts. */
        START(2),
        /** A BYE routed: the dialog ends. */
        STOP(3);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    public Cdr {
        check(id, "id");
        check(callId, "callId");
        check(fromUri, "fromUri");
        check(toUri, "toUri");
        check(disposition, "disposition");
        Objects.requireNonNull(kind, "kind");
        check(fromTag, "fromTag");
        check(toTag, "toTag");
        check(destination, "destination");
        check(source, "source");
        if (id.length() != 32) {
            throw new IllegalArgumentException("id must be 32 hex chars: " + id);
        }
        if (durationMs < 0) {
            throw new IllegalArgumentException("durationMs < 0");
        }
        if (sipCode < 0 || sipCode > 699) {
            throw new IllegalArgumentException("sipCode must be in [0, 699]: " + sipCode);
        }
        if (kind == Kind.CDR
                && (sipCode != 0
                        || !fromTag.isEmpty()
                        || !toTag.isEmpty()
                        || !destination.isEmpty()
                        || !source.isEmpty())) {
            throw new IllegalArgumentException("a CDR has no accounting fields (the spool keeps none for it)");
        }
    }

    /** A whole call detail record ({@link Kind#CDR}). */
    public Cdr(
            String id,
            String callId,
            String fromUri,
            String toUri,
            long startEpochMs,
            long durationMs,
            String disposition) {
        this(id, callId, fromUri, toUri, startEpochMs, durationMs, disposition, Kind.CDR, "", "", 0, "", "");
    }

    /**
     * A call accounting event, its id derived from what identifies it: an OUTCOME per INVITE transaction (Call-ID,
     * caller's tag, CSeq), a START or STOP per dialog (Call-ID, caller's and callee's tags).
     *
     * @param cseq the INVITE's CSeq number (OUTCOME); not part of a START's or STOP's id
     */
    public static Cdr event(
            Kind kind,
            String callId,
            String callerTag,
            String calleeTag,
            String callerUri,
            String calleeUri,
            long epochMs,
            int sipCode,
            long cseq,
            String destination,
            String source) {
        if (kind == Kind.CDR) {
            throw new IllegalArgumentException("a CDR is not an accounting event");
        }
        String id = idFor(kind, callId, callerTag, kind == Kind.OUTCOME ? Long.toString(cseq) : calleeTag);
        return new Cdr(
                id,
                callId,
                callerUri,
                calleeUri,
                epochMs,
                0,
                kind == Kind.OUTCOME ? disposition(sipCode) : "",
                kind,
                callerTag,
                calleeTag,
                sipCode,
                destination,
                source);
    }

    /** ANSWERED (2xx), BUSY (486, 600), CANCELLED (487) or FAILED. */
    static String disposition(int sipCode) {
        if (sipCode >= 200 && sipCode < 300) {
            return "ANSWERED";
        }
        return switch (sipCode) {
            case 486, 600 -> "BUSY";
            case 487 -> "CANCELLED";
            default -> "FAILED";
        };
    }

    private static void check(String v, String name) {
        Objects.requireNonNull(v, name);
        if (v.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException(name + " longer than " + MAX_FIELD_BYTES + " bytes");
        }
    }

    /** The idempotent id of the CDR of one call leg: SHA-256 of Call-ID and From-tag, first 16 bytes in hex. */
    public static String idFor(String callId, String fromTag) {
        MessageDigest md = sha256();
        md.update(callId.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(fromTag.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    /**
     * The idempotent id of an accounting event: SHA-256 of kind, Call-ID, caller's tag and {@code discriminator}
     * (CSeq number for OUTCOME, callee's tag for START and STOP), 0-separated, first 16 bytes in hex.
     */
    public static String idFor(Kind kind, String callId, String callerTag, String discriminator) {
        MessageDigest md = sha256();
        md.update(kind.name().getBytes(StandardCharsets.US_ASCII));
        md.update((byte) 0);
        md.update(callId.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(callerTag.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(discriminator.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
