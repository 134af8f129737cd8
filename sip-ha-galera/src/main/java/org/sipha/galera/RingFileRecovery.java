package org.sipha.galera;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sipha.core.accounting.CallEventRingFile;
import org.sipha.core.accounting.CallEventRings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the call accounting events a previous process left in its ring files ({@link CallEventRings#takeOver})
 * through a {@link DurableCdrWriter}, the way {@link CallAccountingWriter} would have, then deletes each file. The
 * events between a ring's durable tail and its head may include some already written before the crash: their ids
 * are the same, so they are stored once. A file that is not a ring file is renamed {@code <file>.refused} and kept.
 *
 * <p>Threading: one caller, before the rings of the new process are read.
 */
public final class RingFileRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(RingFileRecovery.class);

    private RingFileRecovery() {}

    /**
     * What the recovery did.
     *
     * @param events     events read and handed to the writer
     * @param skipped    slots whose content did not hold (torn or foreign), not recovered
     * @param unstorable events whose fields the table cannot hold
     * @param refused    files that were not ring files
     */
    public record Result(long events, long skipped, long unstorable, int refused) {}

    /**
     * Recovers {@code files} in order.
     *
     * @param batch records per write, at most
     * @throws IOException if a write fails (the file is kept, to be recovered at the next start)
     */
    public static Result writeAll(List<Path> files, DurableCdrWriter writer, int batch) throws IOException {
        long events = 0;
        long skipped = 0;
        long unstorable = 0;
        int refused = 0;
        for (Path f : files) {
            List<Cdr> cdrs = new ArrayList<>();
            long[] bad = new long[1];
            CallEventRingFile.Recovered r = CallEventRingFile.recover(f, e -> {
                try {
                    cdrs.add(CallAccountingWriter.toCdr(e));
                } catch (IllegalArgumentException x) {
                    bad[0]++;
                }
            });
            if (r.isRefused()) {
                LOG.error("call accounting: {} is not a ring file ({}); kept as {}.refused", f, r.refused(), f);
                Files.move(f, f.resolveSibling(f.getFileName() + ".refused"));
                refused++;
                continue;
            }
            for (int from = 0; from < cdrs.size(); from += batch) {
                writer.writeAll(cdrs.subList(from, Math.min(cdrs.size(), from + batch)));
            }
            Files.delete(f);
            if (r.events() > 0 || r.skipped() > 0) {
                LOG.warn(
                        "call accounting: recovered {} event(s) left by the previous process in {} ({} unreadable"
                                + " slot(s) skipped, {} unstorable)",
                        r.events(),
                        f,
                        r.skipped(),
                        bad[0]);
            }
            events += r.events();
            skipped += r.skipped();
            unstorable += bad[0];
        }
        return new Result(events, skipped, unstorable, refused);
    }
}
