package org.sipha.galera;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-safe, bounded, append-only spool of CDRs kept while no quorate database node is reachable.
 *
 * <pre>
 * spool file:   +----------+---------+----------+
 *               | "SIPHACDR"| version | reserved |   16-byte header
 *               +----------+---------+----------+
 *               | length:int32 | crc32c:int32 | payload (length bytes) |   repeated, big-endian
 * payload:      id, callId, fromUri, toUri (modified UTF-8), startEpochMs, durationMs (int64), disposition
 * offset file:  &lt;spool&gt;.offset = consumed offset:int64 | crc32c:int32   (replaced atomically by rename)
 * </pre>
 *
 * <p>Durability: {@link #append} returns only after {@code fsync}. On {@link #open}, records are checked in
 * order; the first one that is short (torn by a crash mid-write), over-long or fails its CRC ends the valid
 * part and the file is truncated there. The consumed offset is written after the database accepted a batch;
 * a crash between the two replays that batch again, which the idempotent CDR id makes harmless, so each CDR is
 * stored exactly once. When everything is consumed the file is truncated back to its header.
 *
 * <p>Threading: every method is {@code synchronized}. CDRs are not on the forwarding path and every append
 * waits for an fsync anyway, so a monitor costs nothing measurable here.
 */
public final class CdrSpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CdrSpool.class);
    private static final byte[] MAGIC = "SIPHACDR".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    static final int HEADER_BYTES = 16;
    static final int RECORD_HEADER_BYTES = 8;
    /** No valid payload is longer: 5 fields of at most {@link Cdr#MAX_FIELD_BYTES} plus lengths and longs. */
    static final int MAX_PAYLOAD_BYTES = 5 * (Cdr.MAX_FIELD_BYTES + 2) + 16;

    private final Path file;
    private final Path offsetFile;
    private final long maxBytes;
    private final FileChannel channel;
    private long end;
    private long consumed;
    private long pending;
    private final long truncatedBytes;

    /** A batch read by {@link #peek}: the CDRs in spool order and the offset just past the last one. */
    public record Batch(List<Cdr> cdrs, long endOffset) { }

    private CdrSpool(Path file, long maxBytes) throws IOException {
        if (maxBytes < HEADER_BYTES + RECORD_HEADER_BYTES + MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("maxBytes too small for one CDR: " + maxBytes);
        }
        this.file = file;
        this.offsetFile = file.resolveSibling(file.getFileName() + ".offset");
        this.maxBytes = maxBytes;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            this.truncatedBytes = recover();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens (creating if absent) and recovers a spool: truncates a torn or corrupt tail and restores the
     * consumed offset.
     *
     * @param maxBytes the file never grows beyond this; {@link #append} throws {@link SpoolFullException}
     * @throws SpoolCorruptedException if the file exists but is not a CDR spool
     */
    public static CdrSpool open(Path file, long maxBytes) throws IOException {
        return new CdrSpool(file, maxBytes);
    }

    private long recover() throws IOException {
        long size = channel.size();
        if (size < HEADER_BYTES) {
            if (size != 0) {
                LOG.warn("spool {}: {} bytes, shorter than the header (crash during creation); reinitialising", file, size);
            }
            channel.truncate(0);
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).putInt(VERSION).putInt(0).flip();
            writeFully(h, 0);
            channel.force(true);
            size = HEADER_BYTES;
        } else {
            ByteBuffer h = readAt(0, HEADER_BYTES);
            byte[] magic = new byte[MAGIC.length];
            h.get(magic);
            int version = h.getInt();
            if (!java.util.Arrays.equals(magic, MAGIC) || version != VERSION) {
                throw new SpoolCorruptedException(file + " is not a CDR spool (magic/version mismatch)");
            }
        }
        long storedOffset = readOffsetFile();
        long pos = HEADER_BYTES;
        long count = 0;
        long countBeforeOffset = 0;
        boolean offsetOnBoundary = storedOffset == HEADER_BYTES;
        while (true) {
            long next = validRecordEnd(pos, size);
            if (next < 0) {
                break;
            }
            pos = next;
            count++;
            if (pos == storedOffset) {
                offsetOnBoundary = true;
                countBeforeOffset = count;
            }
        }
        long dropped = size - pos;
        if (dropped > 0) {
            LOG.warn("spool {}: dropping {} bytes of torn/corrupt tail at offset {} ({} valid records kept)",
                    file, dropped, pos, count);
            channel.truncate(pos);
            channel.force(true);
        }
        end = pos;
        if (!offsetOnBoundary) {
            // beyond the end: the file was truncated after a full drain but the offset not yet rewritten
            boolean drained = storedOffset > end;
            if (!drained) {
                LOG.warn("spool {}: consumed offset {} is not on a record boundary; replaying all {} records "
                        + "(idempotent ids make this safe)", file, storedOffset, count);
            }
            consumed = drained ? end : HEADER_BYTES;
            countBeforeOffset = drained ? count : 0;
            writeOffsetFile(consumed);
        } else {
            consumed = storedOffset;
        }
        pending = count - countBeforeOffset;
        return dropped;
    }

    /** @return the end of the valid record at {@code pos}, or -1 if there is none (end, torn or corrupt). */
    private long validRecordEnd(long pos, long size) throws IOException {
        if (size - pos < RECORD_HEADER_BYTES) {
            return -1;
        }
        ByteBuffer rh = readAt(pos, RECORD_HEADER_BYTES);
        int len = rh.getInt();
        int crc = rh.getInt();
        if (len <= 0 || len > MAX_PAYLOAD_BYTES || size - pos - RECORD_HEADER_BYTES < len) {
            return -1;
        }
        ByteBuffer payload = readAt(pos + RECORD_HEADER_BYTES, len);
        CRC32C c = new CRC32C();
        c.update(payload);
        if ((int) c.getValue() != crc) {
            return -1;
        }
        return pos + RECORD_HEADER_BYTES + len;
    }

    /** Appends the CDRs in order and fsyncs once; all or none are stored (none if the spool would overflow). */
    public synchronized void append(List<Cdr> cdrs) throws IOException {
        if (cdrs.isEmpty()) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(cdrs.size() * 160);
        for (Cdr cdr : cdrs) {
            byte[] p = encode(cdr);
            CRC32C c = new CRC32C();
            c.update(p);
            bytes.write(ByteBuffer.allocate(RECORD_HEADER_BYTES).putInt(p.length).putInt((int) c.getValue()).array());
            bytes.write(p);
        }
        if (end + bytes.size() > maxBytes) {
            throw new SpoolFullException(maxBytes, end + bytes.size());
        }
        try {
            writeFully(ByteBuffer.wrap(bytes.toByteArray()), end);
            channel.force(false);
        } catch (IOException e) {
            // a partial write beyond 'end' is invisible to us and truncated by the next open()
            channel.truncate(end);
            throw e;
        }
        end += bytes.size();
        pending += cdrs.size();
    }

    /** Reads up to {@code max} unconsumed CDRs in spool order, without consuming them. */
    public synchronized Batch peek(int max) throws IOException {
        List<Cdr> out = new ArrayList<>(Math.min(max, 1024));
        long pos = consumed;
        while (out.size() < max && pos < end) {
            ByteBuffer rh = readAt(pos, RECORD_HEADER_BYTES);
            int len = rh.getInt();
            ByteBuffer payload = readAt(pos + RECORD_HEADER_BYTES, len);
            out.add(decode(payload.array()));
            pos += RECORD_HEADER_BYTES + len;
        }
        return new Batch(out, pos);
    }

    /** Records that everything before {@code endOffset} (from {@link #peek}) is stored in the database. */
    public synchronized void markConsumed(Batch batch) throws IOException {
        if (batch.endOffset() < consumed || batch.endOffset() > end) {
            throw new IllegalArgumentException("offset " + batch.endOffset() + " outside [" + consumed + ", " + end + "]");
        }
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
        writeOffsetFile(consumed);
    }

    /** Number of CDRs waiting for the database. */
    public synchronized long pending() {
        return pending;
    }

    /** Current file size in bytes. */
    public synchronized long sizeBytes() {
        return end;
    }

    /** Bytes of torn or corrupt tail dropped when this spool was opened. */
    public long truncatedBytesOnOpen() {
        return truncatedBytes;
    }

    public Path file() {
        return file;
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
            return b.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory encoding failed", e);
        }
    }

    static Cdr decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        try {
            return new Cdr(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readLong(), in.readLong(),
                    in.readUTF());
        } catch (IllegalArgumentException e) {
            throw new SpoolCorruptedException("CRC-valid record does not decode: " + e.getMessage());
        }
    }

    private long readOffsetFile() {
        try {
            byte[] b = Files.readAllBytes(offsetFile);
            if (b.length != 12) {
                return HEADER_BYTES;
            }
            ByteBuffer bb = ByteBuffer.wrap(b);
            long off = bb.getLong();
            CRC32C c = new CRC32C();
            c.update(b, 0, 8);
            return (int) c.getValue() == bb.getInt() ? off : HEADER_BYTES;
        } catch (IOException e) {
            return HEADER_BYTES;
        }
    }

    private void writeOffsetFile(long off) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(12).putLong(off);
        CRC32C c = new CRC32C();
        c.update(bb.array(), 0, 8);
        bb.putInt((int) c.getValue());
        Path tmp = offsetFile.resolveSibling(offsetFile.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            bb.flip();
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(true);
        }
        Files.move(tmp, offsetFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path dir = offsetFile.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some platforms cannot fsync a directory; the rename is still atomic
        }
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

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
