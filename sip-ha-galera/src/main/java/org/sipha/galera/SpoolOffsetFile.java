package org.sipha.galera;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumed offset of a spool in {@code <spool>.offset}: offset:int64 | crc32c:int32, big-endian, written to
 * a temporary file and renamed over the old one. Used under the spool's monitor.
 */
final class SpoolOffsetFile {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolOffsetFile.class);
    private static final int BYTES = 12;
    private final Path file;
    private final Path tmp;

    SpoolOffsetFile(Path spool) {
        this.file = SpoolFiles.sibling(spool, "offset");
        this.tmp = SpoolFiles.sibling(file, "tmp");
    }

    /** @return the stored offset; the spool header's end (replay everything) if none is stored or it is damaged */
    long read() {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return SpoolFormat.HEADER_BYTES;
        } catch (IOException e) {
            LOG.warn(
                    "{} unreadable ({}); replaying the spool from its start (CDR ids make that harmless)",
                    file,
                    e.toString());
            return SpoolFormat.HEADER_BYTES;
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        if (b.length != BYTES || SpoolFormat.crc(bb.slice(0, 8)) != bb.getInt(8)) {
            LOG.warn(
                    "{} damaged ({} bytes, CRC mismatch); replaying the spool from its start (CDR ids make that "
                            + "harmless)",
                    file,
                    b.length);
            return SpoolFormat.HEADER_BYTES;
        }
        return bb.getLong(0);
    }

    void write(long offset) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(BYTES).putLong(offset);
        bb.putInt(SpoolFormat.crc(bb.slice(0, 8))).flip();
        Files.deleteIfExists(tmp); // created afresh, so with owner-only permissions
        try (FileChannel ch = FileChannel.open(
                tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), SpoolFiles.ownerOnly(tmp))) {
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        SpoolFiles.forceDirectory(file);
    }
}
