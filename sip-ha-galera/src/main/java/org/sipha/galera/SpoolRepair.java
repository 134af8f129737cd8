package org.sipha.galera;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on what a {@link SpoolScanner} found: copies each corrupt span to the quarantine file (fsync'd), then
 * overwrites the span with fill and cuts off the tail, so no byte leaves the spool before it is safe elsewhere.
 * Used under the spool's monitor.
 */
final class SpoolRepair {
    private static final Logger LOG = LoggerFactory.getLogger(CdrSpool.class);
    private final Path file;
    private final FileChannel channel;
    private final SpoolQuarantine quarantine;
    private long spansQuarantined;

    SpoolRepair(Path file, FileChannel channel, SpoolQuarantine quarantine) {
        this.file = file;
        this.channel = channel;
        this.quarantine = quarantine;
    }

    /** @param size the scanned size; the file is cut back to {@code r.validEnd} */
    void apply(SpoolScanner.Result r, long size) throws IOException {
        List<SpoolQuarantine.Entry> entries = new ArrayList<>();
        for (SpoolScanner.Span s : r.corrupt) {
            entries.add(new SpoolQuarantine.Entry(s.start(), s.length(), "corrupt: no valid record in these bytes"));
        }
        if (r.corruptTail != null) {
            entries.add(new SpoolQuarantine.Entry(
                    r.corruptTail.start(),
                    r.corruptTail.length(),
                    "corrupt end of file: no valid record in these bytes"));
        }
        quarantine.add(channel, entries);
        for (SpoolQuarantine.Entry e : entries) {
            LOG.warn(
                    "spool {}: {} corrupt bytes at offset {} moved to {}",
                    file,
                    e.length(),
                    e.offset(),
                    quarantine.file());
        }
        spansQuarantined += entries.size();
        for (SpoolScanner.Span s : r.corrupt) {
            fill(s);
        }
        if (r.tornBytes > 0) {
            LOG.warn(
                    "spool {}: cutting off {} bytes of a write torn by a crash at offset {} ({} valid records kept)",
                    file,
                    r.tornBytes,
                    r.validEnd,
                    r.records);
        }
        if (r.validEnd < size) {
            channel.truncate(r.validEnd);
        }
        if (!entries.isEmpty() || r.validEnd < size) {
            channel.force(true);
        }
    }

    /** Corrupt spans and tails quarantined so far. */
    long spansQuarantined() {
        return spansQuarantined;
    }

    private void fill(SpoolScanner.Span s) throws IOException {
        byte[] chunk = new byte[(int) Math.min(s.length(), 64 * 1024)];
        Arrays.fill(chunk, SpoolFormat.FILL);
        for (long p = s.start(); p < s.end(); p += chunk.length) {
            ByteBuffer b = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, s.end() - p));
            while (b.hasRemaining()) {
                channel.write(b, p + b.position());
            }
        }
    }
}
