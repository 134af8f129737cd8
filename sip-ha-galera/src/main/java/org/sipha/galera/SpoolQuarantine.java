package org.sipha.galera;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Keeps bytes taken out of a spool in {@code <spool>.quarantine}, one text line per entry:
 * {@code <UTC time> offset=<n> length=<n> base64=<the raw bytes> reason=<text to the end of the line>}.
 * {@link #add} is fsync'd before it returns, and a failed call leaves the file as it was, so the spool may
 * change its copy afterwards. Used under the spool's monitor.
 */
final class SpoolQuarantine {
    /** Bytes [offset, offset + length) of the spool, and why they are quarantined. */
    record Entry(long offset, long length, String reason) {}

    /** A multiple of 3, so base64 chunks join without padding. */
    private static final int CHUNK_BYTES = 3 * 16 * 1024;

    private final Path file;

    SpoolQuarantine(Path spool) {
        this.file = SpoolFiles.sibling(spool, "quarantine");
    }

    Path file() {
        return file;
    }

    /** Appends one line per entry, copying its bytes from {@code spool}. */
    void add(FileChannel spool, List<Entry> entries) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        boolean created = !Files.exists(file);
        try (FileChannel out = FileChannel.open(
                file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), SpoolFiles.ownerOnly(file))) {
            long start = out.size();
            try {
                long pos = start;
                for (Entry e : entries) {
                    pos = writeLine(out, pos, spool, e);
                }
                out.force(true);
            } catch (IOException e) {
                try {
                    out.truncate(start);
                } catch (IOException t) {
                    e.addSuppressed(t);
                }
                throw e;
            }
        }
        if (created) {
            SpoolFiles.forceDirectory(file);
        }
    }

    private static long writeLine(FileChannel out, long at, FileChannel spool, Entry e) throws IOException {
        long pos = write(out, at, Instant.now() + " offset=" + e.offset() + " length=" + e.length() + " base64=");
        Base64.Encoder base64 = Base64.getEncoder();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        for (long p = e.offset(); p < e.offset() + e.length(); p += chunk.limit()) {
            chunk.clear().limit((int) Math.min(CHUNK_BYTES, e.offset() + e.length() - p));
            while (chunk.hasRemaining()) {
                if (spool.read(chunk, p + chunk.position()) < 0) {
                    throw new IOException("spool ended at " + (p + chunk.position()) + " while quarantining " + e);
                }
            }
            pos += writeFully(out, pos, base64.encode(chunk.flip()));
        }
        return write(out, pos, " reason=" + e.reason().replaceAll("[\\r\\n]+", " ") + "\n");
    }

    private static long write(FileChannel out, long at, String text) throws IOException {
        return at + writeFully(out, at, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static int writeFully(FileChannel out, long at, ByteBuffer b) throws IOException {
        int n = b.remaining();
        while (b.hasRemaining()) {
            out.write(b, at + n - b.remaining());
        }
        return n;
    }
}
