package org.sipha.galera;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Byte layout of a {@link CdrSpool} file (drawn in its class comment): constants, record coding, checks. */
final class SpoolFormat {
    static final byte[] MAGIC = "SIPHACDR".getBytes(StandardCharsets.US_ASCII);
    /**
     * Version 2 may hold fill runs; version 3 may hold accounting records (a CDR payload followed by the accounting
     * fields). Older files (no fill, only CDRs) are valid version 3 files and are upgraded on open.
     */
    static final int VERSION = 3;

    static final int OLDEST_READABLE_VERSION = 1;
    static final int HEADER_BYTES = 16;
    static final int RECORD_HEADER_BYTES = 8;
    /** Overwrites a quarantined span. A record never starts with it: its length's high byte is 0. */
    static final byte FILL = (byte) 0xFF;
    /** The id is 32 chars, 1 to 3 bytes each in modified UTF-8. */
    static final int MIN_ID_BYTES = 32;

    static final int MAX_ID_BYTES = 96;
    /** Longest accounting part: kind, four strings, the SIP code. */
    static final int ACCOUNTING_BYTES = 1 + 4 * (2 + 2 * Cdr.MAX_FIELD_BYTES) + 2;
    /** Shortest payload: the id, four empty strings, two longs. */
    static final int MIN_PAYLOAD_BYTES = 2 + MIN_ID_BYTES + 4 * 2 + 16;
    /** Longest payload: modified UTF-8 spends up to 2 bytes per UTF-8 byte of a field (NUL becomes 2 bytes). */
    static final int MAX_PAYLOAD_BYTES = 2 + MAX_ID_BYTES + 4 * (2 + 2 * Cdr.MAX_FIELD_BYTES) + 16 + ACCOUNTING_BYTES;

    private SpoolFormat() {}

    static ByteBuffer fileHeader() {
        return ByteBuffer.allocate(HEADER_BYTES)
                .put(MAGIC)
                .putInt(VERSION)
                .putInt(0)
                .flip();
    }

    /** Length, CRC and payload of one CDR. */
    static byte[] record(Cdr cdr) {
        byte[] p = encode(cdr);
        if (p.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalStateException("encoded CDR longer than " + MAX_PAYLOAD_BYTES + ": " + p.length);
        }
        return ByteBuffer.allocate(RECORD_HEADER_BYTES + p.length)
                .putInt(p.length)
                .putInt(crc(ByteBuffer.wrap(p)))
                .put(p)
                .array();
    }

    static byte[] encode(Cdr cdr) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream(160);
            DataOutputStream out = new DataOutputStream(b);
            out.writeUTF(cdr.id());
            out.writeUTF(cdr.callId());
            out.writeUTF(cdr.fromUri());
            out.writeUTF(cdr.toUri());
            out.writeLong(cdr.startEpochMs());
            out.writeLong(cdr.durationMs());
            out.writeUTF(cdr.disposition());
            if (cdr.kind() != Cdr.Kind.CDR) { // a CDR keeps the layout versions 1 and 2 wrote
                out.writeByte(cdr.kind().code);
                out.writeUTF(cdr.fromTag());
                out.writeUTF(cdr.toTag());
                out.writeShort(cdr.sipCode());
                out.writeUTF(cdr.destination());
                out.writeUTF(cdr.source());
            }
            return b.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory encoding failed", e);
        }
    }

    /** @return the record, or {@code null} if the bytes are not exactly one encoded record. */
    static Cdr decodeOrNull(byte[] payload) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        try {
            String id = in.readUTF();
            String callId = in.readUTF();
            String fromUri = in.readUTF();
            String toUri = in.readUTF();
            long start = in.readLong();
            long duration = in.readLong();
            String disposition = in.readUTF();
            if (in.available() == 0) {
                return new Cdr(id, callId, fromUri, toUri, start, duration, disposition);
            }
            Cdr.Kind kind = Cdr.Kind.ofCode(in.readUnsignedByte());
            if (kind == null || kind == Cdr.Kind.CDR) {
                return null;
            }
            Cdr cdr = new Cdr(
                    id,
                    callId,
                    fromUri,
                    toUri,
                    start,
                    duration,
                    disposition,
                    kind,
                    in.readUTF(),
                    in.readUTF(),
                    in.readUnsignedShort(),
                    in.readUTF(),
                    in.readUTF());
            return in.available() == 0 ? cdr : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** A payload length a record may have. */
    static boolean plausibleLength(int len) {
        return len >= MIN_PAYLOAD_BYTES && len <= MAX_PAYLOAD_BYTES;
    }

    /** Cheap test before a CRC: a payload starts with the id's 2-byte length. */
    static boolean plausibleIdLength(int idLen) {
        return idLen >= MIN_ID_BYTES && idLen <= MAX_ID_BYTES;
    }

    /** CRC32C of the buffer's remaining bytes; its position is left unchanged. */
    static int crc(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate());
        return (int) c.getValue();
    }
}
