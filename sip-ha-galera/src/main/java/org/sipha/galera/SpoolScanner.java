package org.sipha.galera;

import static org.sipha.galera.SpoolFormat.FILL;
import static org.sipha.galera.SpoolFormat.MAX_PAYLOAD_BYTES;
import static org.sipha.galera.SpoolFormat.MIN_PAYLOAD_BYTES;
import static org.sipha.galera.SpoolFormat.RECORD_HEADER_BYTES;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Walks a region of a spool file element by element: a record (plausible length, matching CRC, payload that
 * decodes), a fill run, or a corrupt span, which ends where the next valid record starts (every byte offset is
 * tried). Bytes after the last element that hold no valid record are the tail: a torn write or corrupt.
 * Only reads; one instance per scan, on the thread that holds the spool's monitor.
 */
final class SpoolScanner {
    private static final int WINDOW_BYTES = 64 * 1024;

    /** Bytes [start, end) of the file. */
    record Span(long start, long end) {
        long length() {
            return end - start;
        }
    }

    /** What a scan found. */
    static final class Result {
        /** Corrupt spans followed by a valid record, in file order. */
        final List<Span> corrupt = new ArrayList<>();
        /** A corrupt tail [validEnd, size) to quarantine and cut off, or null. */
        Span corruptTail;
        /** Bytes of a torn write at [validEnd, size) to cut off. */
        long tornBytes;
        /** End of the last record or fill run. */
        long validEnd;

        long records;
        /** The offset on a boundary: itself, or the start of the fill run or corrupt span it falls into; -1 if it
         *  falls inside a record or the tail. */
        long offset = -1;

        long recordsBeforeOffset;
    }

    private final FileChannel channel;
    private final long size;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
    private long windowStart;
    private int windowBytes;

    SpoolScanner(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    /**
     * @param offset          a consumed offset to place on a boundary
     * @param tornTailPossible whether a crash may have cut the last append (on open); if not, any tail is corrupt
     */
    Result scan(long from, long offset, boolean tornTailPossible) throws IOException {
        Result r = new Result();
        long pos = from;
        while (pos < size) {
            resolve(r, pos, offset);
            long next;
            boolean record = false;
            if (byteAt(pos) == FILL) {
                next = fillEnd(pos);
            } else {
                int n = recordBytes(pos);
                record = n > 0;
                next = record ? pos + n : resync(pos + 1);
                if (next < 0) {
                    tail(r, pos, tornTailPossible);
                    break;
                }
                if (!record) {
                    r.corrupt.add(new Span(pos, next));
                }
            }
            if (!record && pos < offset && offset < next) {
                resolve(r, pos, pos);
            }
            r.records += record ? 1 : 0;
            pos = next;
        }
        r.validEnd = pos;
        resolve(r, pos, offset);
        return r;
    }

    private static void resolve(Result r, long pos, long offset) {
        if (r.offset < 0 && pos == offset) {
            r.offset = pos;
            r.recordsBeforeOffset = r.records;
        }
    }

    private void tail(Result r, long pos, boolean tornTailPossible) throws IOException {
        if (tornTailPossible && torn(pos)) {
            r.tornBytes = size - pos;
        } else {
            r.corruptTail = new Span(pos, size);
        }
    }

    /**
     * A torn write: shorter than a record header, or zeros (the file grew but the data never reached the disk),
     * or a plausible length running past the end with no shorter prefix matching the CRC (which would mean a
     * complete record whose length was damaged).
     */
    private boolean torn(long pos) throws IOException {
        long n = size - pos;
        if (n < RECORD_HEADER_BYTES || allZero(pos)) {
            return true;
        }
        int len = intAt(pos);
        return SpoolFormat.plausibleLength(len) && len > n - RECORD_HEADER_BYTES && !somePrefixMatchesCrc(pos);
    }

    private boolean somePrefixMatchesCrc(long pos) throws IOException {
        int crc = intAt(pos + 4);
        long payloadStart = pos + RECORD_HEADER_BYTES;
        long max = Math.min(size - payloadStart, MAX_PAYLOAD_BYTES);
        CRC32C c = new CRC32C();
        for (int i = 0; i < max; i++) {
            c.update(byteAt(payloadStart + i));
            if (i + 1 >= MIN_PAYLOAD_BYTES && (int) c.getValue() == crc) {
                return true;
            }
        }
        return false;
    }

    private boolean allZero(long pos) throws IOException {
        for (long p = pos; p < size; p++) {
            if (byteAt(p) != 0) {
                return false;
            }
        }
        return true;
    }

    /** @return the first offset at or after {@code from} where a valid record starts, or -1 */
    private long resync(long from) throws IOException {
        for (long p = from; p <= size - RECORD_HEADER_BYTES - MIN_PAYLOAD_BYTES; p++) {
            if (byteAt(p) == 0 && recordBytes(p) > 0) {
                return p;
            }
        }
        return -1;
    }

    private long fillEnd(long pos) throws IOException {
        long p = pos;
        while (p < size && byteAt(p) == FILL) {
            p++;
        }
        return p;
    }

    /** @return header plus payload bytes of the valid record at {@code pos}, or -1 */
    private int recordBytes(long pos) throws IOException {
        if (size - pos < RECORD_HEADER_BYTES + MIN_PAYLOAD_BYTES) {
            return -1;
        }
        int len = intAt(pos);
        if (!SpoolFormat.plausibleLength(len) || len > size - pos - RECORD_HEADER_BYTES) {
            return -1;
        }
        ByteBuffer rec = bytes(pos, RECORD_HEADER_BYTES + len);
        ByteBuffer payload = rec.slice(RECORD_HEADER_BYTES, len);
        if (!SpoolFormat.plausibleIdLength(Short.toUnsignedInt(payload.getShort(0)))
                || SpoolFormat.crc(payload) != rec.getInt(4)) {
            return -1;
        }
        byte[] p = new byte[len];
        payload.get(p);
        return SpoolFormat.decodeOrNull(p) == null ? -1 : RECORD_HEADER_BYTES + len;
    }

    private byte byteAt(long pos) throws IOException {
        return window.get(inWindow(pos, 1));
    }

    private int intAt(long pos) throws IOException {
        return window.getInt(inWindow(pos, 4));
    }

    private ByteBuffer bytes(long pos, int n) throws IOException {
        return window.slice(inWindow(pos, n), n);
    }

    /** Slides the window forward over [pos, pos + n) if needed; returns the index of pos in it. */
    private int inWindow(long pos, int n) throws IOException {
        if (pos < windowStart || pos + n > windowStart + windowBytes) {
            window.clear().limit((int) Math.min(WINDOW_BYTES, size - pos));
            while (window.hasRemaining()) {
                if (channel.read(window, pos + window.position()) < 0) {
                    throw new IOException("spool shorter than " + size + " bytes while scanning it");
                }
            }
            windowStart = pos;
            windowBytes = window.position();
        }
        return (int) (pos - windowStart);
    }
}
