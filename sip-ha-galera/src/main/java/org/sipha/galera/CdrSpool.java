package org.sipha.galera;

import static org.sipha.galera.SpoolFormat.FILL;
import static org.sipha.galera.SpoolFormat.HEADER_BYTES;
import static org.sipha.galera.SpoolFormat.MAX_PAYLOAD_BYTES;
import static org.sipha.galera.SpoolFormat.RECORD_HEADER_BYTES;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-safe, bounded, append-only spool of CDRs kept while no quorate database node is reachable.
 *
 * <pre>
 * spool file:   | "SIPHACDR" | version:int32 = 3 | reserved:int32 |        16-byte header
 *               then, repeated, either a record: | length:int32 | crc32c:int32 | payload (length bytes) |
 *                               or a fill run:   | 0xFF 0xFF ... |           (a quarantined span)
 * payload:      id, callId, fromUri, toUri (modified UTF-8), startEpochMs, durationMs (int64), disposition
 *               and, for an accounting record only (Cdr.Kind other than CDR):
 *               kind:int8, fromTag, toTag (modified UTF-8), sipCode:uint16, destination, source (modified UTF-8)
 * offset file:  &lt;spool&gt;.offset = consumed offset:int64 | crc32c:int32   (replaced atomically by rename)
 * quarantine:   &lt;spool&gt;.quarantine, a line per entry:
 *               &lt;UTC time&gt; offset=&lt;n&gt; length=&lt;n&gt; base64=&lt;raw bytes&gt; reason=&lt;text&gt;
 * </pre>
 * Big-endian. A record's length is below 2^24, so it starts with a 0 byte, never with the fill byte. Files of
 * versions 1 and 2 (CDRs only, no fill in version 1) are read as they are and marked version 3 on open; a reader
 * older than version 3 refuses a version 3 file rather than take its accounting records for corruption.
 *
 * <p>Recovery on {@link #open}: a record is valid if its length is plausible, its CRC matches and its payload
 * decodes. Bytes that are neither a valid record nor fill form a corrupt span, which ends where the next valid
 * record starts (found by trying each offset): the span is copied to the quarantine file (fsync'd), then
 * overwritten with fill, so every later record is kept and the next open reports nothing new (a crash between
 * the two repeats the quarantine entry). At the end of the file, a write torn by a crash (shorter than a
 * header; zeros; or a length running past the end with no shorter prefix matching the CRC) was never
 * acknowledged and is cut off; a corrupt end is quarantined, then cut off. A record found bad by {@link #peek}
 * while open is quarantined the same way.
 *
 * <p>Exactly once: the consumed offset is written after the database accepted a batch; a crash between the two
 * replays that batch again, which the idempotent CDR id makes harmless. On open, an offset inside a quarantined
 * span moves to the span's start, one beyond the end (a crash after a full drain cut the file back) means all
 * consumed, and a damaged offset file or an offset inside a record replays everything from the start:
 * duplicates the id absorbs, never a skipped record. When everything is consumed the file is cut back to its
 * header.
 *
 * <p>Faults: {@link #append} returns only after {@code fsync}; one that fails (the bound, a full disk, an I/O
 * error) leaves the file exactly as it was, a partial write cut back. After a failed offset write, appends
 * wait for it to succeed (a stale offset past a drain's cut could land on a new record's boundary).
 * {@link #open} locks the file for one writer ({@link SpoolLockedException} otherwise). The spool, offset and
 * quarantine files are created 0600.
 *
 * <p>Threading: every method is {@code synchronized}. CDRs are not on the forwarding path and every append
 * waits for an fsync anyway, so a monitor costs nothing measurable here.
 */
public final class CdrSpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CdrSpool.class);

    private final Path file;
    private final long maxBytes;
    private final SpoolLock lock;
    private final FileChannel channel;
    private final SpoolOffsetFile offsetFile;
    private final SpoolQuarantine quarantine;
    private final SpoolRepair repair;
    private final long truncatedBytes;
    private long end;
    private long consumed;
    private long pending;
    private long recordsQuarantined;
    /** The last offset file write failed: it may point past a drain's cut, onto the boundary of a new record. */
    private boolean offsetFileBehind;

    /** A batch read by {@link #peek}: the CDRs in spool order and the offset just past the last one. */
    public record Batch(List<Cdr> cdrs, long endOffset) {}

    private CdrSpool(Path file, long maxBytes, SpoolLock lock) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.lock = lock;
        this.channel = lock.channel();
        this.offsetFile = new SpoolOffsetFile(file);
        this.quarantine = new SpoolQuarantine(file);
        this.repair = new SpoolRepair(file, channel, quarantine);
        this.truncatedBytes = recover();
    }

    /**
     * Opens (creating if absent), locks and recovers a spool: quarantines corrupt records, cuts off a torn tail
     * and restores the consumed offset.
     *
     * @param maxBytes the file never grows beyond this; {@link #append} throws {@link SpoolFullException}
     * @throws SpoolCorruptedException if the file exists but is not a CDR spool (it is left untouched)
     * @throws SpoolLockedException    if another {@code CdrSpool}, here or in another process, has it open
     */
    public static CdrSpool open(Path file, long maxBytes) throws IOException {
        if (maxBytes < HEADER_BYTES + RECORD_HEADER_BYTES + MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("maxBytes too small for one CDR: " + maxBytes);
        }
        SpoolLock lock = SpoolLock.acquire(file);
        try {
            return new CdrSpool(file, maxBytes, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private long recover() throws IOException {
        long size = channel.size();
        if (size < HEADER_BYTES) {
            if (size != 0) {
                LOG.warn(
                        "spool {}: {} bytes, shorter than the header (crash during creation); reinitialising",
                        file,
                        size);
            }
            channel.truncate(0);
            writeFully(SpoolFormat.fileHeader(), 0);
            channel.force(true);
            SpoolFiles.forceDirectory(file);
            size = HEADER_BYTES;
        } else {
            checkHeader();
        }
        long stored = offsetFile.read();
        SpoolScanner.Result r = new SpoolScanner(channel, size).scan(HEADER_BYTES, stored, true);
        repair.apply(r, size);
        end = r.validEnd;
        if (r.offset >= 0) {
            consumed = r.offset;
            pending = r.records - r.recordsBeforeOffset;
        } else if (stored > end) {
            // a crash after a full drain cut the file back, or a consumed corrupt tail was cut off
            consumed = end;
            pending = 0;
        } else {
            LOG.warn(
                    "spool {}: consumed offset {} is not on a record boundary; replaying all {} records "
                            + "(idempotent ids make this safe)",
                    file,
                    stored,
                    r.records);
            consumed = HEADER_BYTES;
            pending = r.records;
        }
        if (consumed != stored) {
            offsetFile.write(consumed);
        }
        return r.tornBytes;
    }

    private void checkHeader() throws IOException {
        ByteBuffer h = readAt(0, HEADER_BYTES);
        byte[] magic = new byte[SpoolFormat.MAGIC.length];
        h.get(magic);
        int version = h.getInt();
        if (!Arrays.equals(magic, SpoolFormat.MAGIC)
                || version < SpoolFormat.OLDEST_READABLE_VERSION
                || version > SpoolFormat.VERSION) {
            throw new SpoolCorruptedException(file + " is not a CDR spool (magic/version mismatch)");
        }
        if (version < SpoolFormat.VERSION) {
            // from now on it may hold fill, which an older reader would take for corruption
            writeFully(ByteBuffer.allocate(4).putInt(0, SpoolFormat.VERSION), SpoolFormat.MAGIC.length);
            channel.force(true);
        }
    }

    /**
     * Appends the CDRs in order and fsyncs once; all or none are stored.
     *
     * @throws SpoolFullException if they would take the file past its bound or the disk is full
     */
    public synchronized void append(List<Cdr> cdrs) throws IOException {
        if (cdrs.isEmpty()) {
            return;
        }
        if (offsetFileBehind) {
            writeOffsetFile();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(cdrs.size() * 160);
        for (Cdr cdr : cdrs) {
            bytes.write(SpoolFormat.record(cdr));
        }
        long newEnd = end + bytes.size();
        if (newEnd > maxBytes) {
            throw SpoolFullException.atBound(file, maxBytes, newEnd);
        }
        try {
            writeFully(ByteBuffer.wrap(bytes.toByteArray()), end);
            channel.force(false);
        } catch (IOException e) {
            throw cutBack(e, bytes.size());
        }
        end = newEnd;
        pending += cdrs.size();
    }

    /** Removes whatever a failed append left beyond {@code end}; a full disk becomes a SpoolFullException. */
    private IOException cutBack(IOException e, long needed) {
        try {
            channel.truncate(end);
            channel.force(true);
        } catch (IOException t) {
            e.addSuppressed(t); // the next open cuts a partial record off as a torn write
        }
        long free;
        try {
            free = Files.getFileStore(file).getUsableSpace();
        } catch (IOException t) {
            return e;
        }
        return free < needed ? SpoolFullException.diskFull(file, free, needed, e) : e;
    }

    /** Reads up to {@code max} unconsumed CDRs in spool order, without consuming them. */
    public synchronized Batch peek(int max) throws IOException {
        Batch b = read(max);
        if (b == null) {
            LOG.warn("spool {}: a record after offset {} fails its checks while open; quarantining", file, consumed);
            quarantineCorruptUnconsumed();
            b = read(max);
            if (b == null) {
                throw new SpoolCorruptedException(
                        "spool " + file + " keeps changing under us after offset " + consumed);
            }
        }
        return b;
    }

    /** @return the batch, or null if a record fails its checks */
    private Batch read(int max) throws IOException {
        List<Cdr> out = new ArrayList<>(Math.min(max, 1024));
        long pos = consumed;
        while (pos < end) {
            ByteBuffer rh = readAt(pos, (int) Math.min(RECORD_HEADER_BYTES, end - pos));
            if (rh.get(0) == FILL) {
                pos = skipFill(pos); // also past the last record, so a batch can reach the end and drain
                continue;
            }
            if (out.size() >= max) {
                break;
            }
            int len = rh.limit() == RECORD_HEADER_BYTES ? rh.getInt() : -1;
            if (!SpoolFormat.plausibleLength(len) || len > end - pos - RECORD_HEADER_BYTES) {
                return null;
            }
            ByteBuffer payload = readAt(pos + RECORD_HEADER_BYTES, len);
            Cdr cdr = SpoolFormat.crc(payload) == rh.getInt() ? SpoolFormat.decodeOrNull(payload.array()) : null;
            if (cdr == null) {
                return null;
            }
            out.add(cdr);
            pos += RECORD_HEADER_BYTES + len;
        }
        return new Batch(out, pos);
    }

    private long skipFill(long pos) throws IOException {
        long p = pos;
        while (p < end) {
            ByteBuffer b = readAt(p, (int) Math.min(end - p, 512));
            while (b.hasRemaining()) {
                if (b.get() != FILL) {
                    return p + b.position() - 1;
                }
            }
            p += b.limit();
        }
        return p;
    }

    private void quarantineCorruptUnconsumed() throws IOException {
        SpoolScanner.Result r = new SpoolScanner(channel, end).scan(consumed, consumed, false);
        repair.apply(r, end);
        end = r.validEnd;
        pending = r.records;
    }

    /** Records that everything before {@code endOffset} (from {@link #peek}) is stored in the database. */
    public synchronized void markConsumed(Batch batch) throws IOException {
        checkOffset(batch);
        pending -= batch.cdrs().size();
        if (batch.endOffset() == end) {
            // fully drained: shrink back to the header first; a crash before the offset rewrite is detected on
            // open (offset beyond the end) and means "all consumed"
            channel.truncate(HEADER_BYTES);
            channel.force(true);
            end = HEADER_BYTES;
            consumed = HEADER_BYTES;
            pending = 0;
        } else {
            consumed = batch.endOffset();
        }
        writeOffsetFile();
    }

    private void writeOffsetFile() throws IOException {
        offsetFileBehind = true;
        offsetFile.write(consumed);
        offsetFileBehind = false;
    }

    /**
     * Moves the records of {@code batch} (from {@link #peek}) to the quarantine file with {@code reason}, then
     * consumes them: for CDRs the database refuses for good. A crash in between quarantines them again later.
     */
    public synchronized void quarantine(Batch batch, String reason) throws IOException {
        checkOffset(batch);
        List<SpoolQuarantine.Entry> entries = new ArrayList<>();
        for (long pos = skipFill(consumed); pos < batch.endOffset(); pos = skipFill(pos)) {
            int len = readAt(pos, RECORD_HEADER_BYTES).getInt();
            long next = SpoolFormat.plausibleLength(len) ? pos + RECORD_HEADER_BYTES + len : batch.endOffset();
            next = Math.min(next, batch.endOffset());
            entries.add(new SpoolQuarantine.Entry(pos, next - pos, reason));
            pos = next;
        }
        quarantine.add(channel, entries);
        for (SpoolQuarantine.Entry e : entries) {
            LOG.warn("spool {}: record at offset {} moved to {}: {}", file, e.offset(), quarantine.file(), reason);
        }
        recordsQuarantined += entries.size();
        markConsumed(batch);
    }

    private void checkOffset(Batch batch) {
        if (batch.endOffset() < consumed || batch.endOffset() > end) {
            throw new IllegalArgumentException(
                    "offset " + batch.endOffset() + " outside [" + consumed + ", " + end + "]");
        }
    }

    /** Number of CDRs waiting for the database. */
    public synchronized long pending() {
        return pending;
    }

    /** Current file size in bytes. */
    public synchronized long sizeBytes() {
        return end;
    }

    /** Bytes of a write torn by a crash, cut off when this spool was opened. */
    public long truncatedBytesOnOpen() {
        return truncatedBytes;
    }

    /** Corrupt byte ranges moved to the {@link #quarantineFile()} since this spool was opened (on open or by peek). */
    public synchronized long corruptSpansQuarantined() {
        return repair.spansQuarantined();
    }

    /** Records moved to the {@link #quarantineFile()} by {@link #quarantine} since this spool was opened. */
    public synchronized long recordsQuarantined() {
        return recordsQuarantined;
    }

    public Path file() {
        return file;
    }

    /** {@code <spool>.quarantine}; it exists once something was quarantined. */
    public Path quarantineFile() {
        return quarantine.file();
    }

    private ByteBuffer readAt(long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (channel.read(b, pos + b.position()) < 0) {
                throw new IOException("unexpected end of spool at " + (pos + b.position()));
            }
        }
        return b.flip();
    }

    private void writeFully(ByteBuffer b, long pos) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            p += channel.write(b, p);
        }
    }

    /** Closes the file and releases its lock. */
    @Override
    public synchronized void close() throws IOException {
        lock.close();
    }
}
