package org.sipha.galera;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A call detail record. {@code id} is the idempotency key: the same call always yields the same id, so a CDR
 * written twice (spool replay after a crash, a retry after an unknown commit outcome) is stored once.
 *
 * @param id          32 hex chars, see {@link #idFor(String, String)}
 * @param callId      SIP Call-ID
 * @param fromUri     caller
 * @param toUri       callee
 * @param startEpochMs call start
 * @param durationMs  billable duration
 * @param disposition e.g. ANSWERED, BUSY, FAILED
 */
public record Cdr(
        String id,
        String callId,
        String fromUri,
        String toUri,
        long startEpochMs,
        long durationMs,
        String disposition) {
    /** Longest accepted text field, in UTF-8 bytes (keeps a spool record small and bounded). */
    public static final int MAX_FIELD_BYTES = 1024;

    public Cdr {
        check(id, "id");
        check(callId, "callId");
        check(fromUri, "fromUri");
        check(toUri, "toUri");
        check(disposition, "disposition");
        if (id.length() != 32) {
            throw new IllegalArgumentException("id must be 32 hex chars: " + id);
        }
        if (durationMs < 0) {
            throw new IllegalArgumentException("durationMs < 0");
        }
    }

    private static void check(String v, String name) {
        Objects.requireNonNull(v, name);
        if (v.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException(name + " longer than " + MAX_FIELD_BYTES + " bytes");
        }
    }

    /** The idempotent id of the CDR of one call leg: SHA-256 of Call-ID and From-tag, first 16 bytes in hex. */
    public static String idFor(String callId, String fromTag) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(callId.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(fromTag.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
