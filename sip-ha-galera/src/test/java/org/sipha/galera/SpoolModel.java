package org.sipha.galera;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reference reading of a spool file's bytes for the fuzz test, written for clarity, not speed: from the header on,
 * a fill run is skipped, a valid record at the position is taken (plausible length, matching CRC, a payload that
 * decodes), and anything else is skipped up to the next position where a valid record starts; bytes after the last
 * one hold none. What {@link CdrSpool} reads must be exactly the CDRs this finds.
 */
record SpoolModel(List<Cdr> cdrs, List<long[]> recordSpans) {
    static SpoolModel of(byte[] b) {
        List<Cdr> cdrs = new ArrayList<>();
        List<long[]> spans = new ArrayList<>();
        int pos = SpoolFormat.HEADER_BYTES;
        while (pos < b.length) {
            if (b[pos] == SpoolFormat.FILL) {
                pos++;
                continue;
            }
            Cdr c = recordAt(b, pos);
            if (c != null) {
                int len = SpoolFormat.RECORD_HEADER_BYTES + ByteBuffer.wrap(b).getInt(pos);
                cdrs.add(c);
                spans.add(new long[] {pos, pos + len});
                pos += len;
                continue;
            }
            int next = pos + 1;
            while (next < b.length && recordAt(b, next) == null) {
                next++;
            }
            pos = next;
        }
        return new SpoolModel(cdrs, spans);
    }

    /** Whether a file of these bytes opens: shorter than a header (it is started afresh) or magic and version. */
    static boolean headerIsValid(byte[] b) {
        if (b.length < SpoolFormat.HEADER_BYTES) {
            return true;
        }
        int version = ByteBuffer.wrap(b).getInt(SpoolFormat.MAGIC.length);
        return Arrays.equals(b, 0, SpoolFormat.MAGIC.length, SpoolFormat.MAGIC, 0, SpoolFormat.MAGIC.length)
                && version >= SpoolFormat.OLDEST_READABLE_VERSION
                && version <= SpoolFormat.VERSION;
    }

    /** Whether {@code cdr}, at [pos, pos + len), was read, or a record read overlaps it (they cannot both be). */
    boolean keeps(long pos, int len, Cdr cdr) {
        for (int i = 0; i < cdrs.size(); i++) {
            long[] s = recordSpans.get(i);
            if (s[0] == pos && cdrs.get(i).equals(cdr)) {
                return true;
            }
            if (s[0] < pos + len && s[1] > pos) {
                return true;
            }
        }
        return false;
    }

    private static Cdr recordAt(byte[] b, int pos) {
        if (b.length - pos < SpoolFormat.RECORD_HEADER_BYTES + SpoolFormat.MIN_PAYLOAD_BYTES) {
            return null;
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        int len = bb.getInt(pos);
        if (!SpoolFormat.plausibleLength(len) || len > b.length - pos - SpoolFormat.RECORD_HEADER_BYTES) {
            return null;
        }
        ByteBuffer payload =
                ByteBuffer.wrap(b, pos + SpoolFormat.RECORD_HEADER_BYTES, len).slice();
        if (SpoolFormat.crc(payload) != bb.getInt(pos + 4)) {
            return null;
        }
        byte[] p = new byte[len];
        payload.get(p);
        return SpoolFormat.decodeOrNull(p);
    }
}
