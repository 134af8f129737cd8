package org.sipha.examples.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.sipha.core.accounting.CallEventRings;
import org.sipha.galera.CallAccountingWriter;
import org.sipha.galera.CdrSpool;
import org.sipha.galera.DurableCdrWriter;
import org.sipha.galera.GaleraQuorumClient;
import org.sipha.galera.RingFileRecovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Call accounting in the reference proxy ({@code --accounting}): the engine's loops record into {@link #rings()},
 * and once the Galera quorum client runs, {@link #start} opens the spool and starts the writer thread
 * ({@value #THREAD}) that moves the records into the cluster's {@code cdr} table, or into the spool while the site
 * has no quorum (replayed when it returns). The rings live in files beside the spool ({@code <spool>.ring-<n>}), so
 * a SIGKILL loses no recorded event: {@link #prepare} hands the ring files of the previous process to recovery, and
 * {@link #start} writes their events before the writer starts. Made and started by the main thread; closed after
 * the event loops.
 */
final class AccountingWiring implements AutoCloseable {
    static final String THREAD = "sipha-accounting";
    private static final Logger LOG = LoggerFactory.getLogger(AccountingWiring.class);
    private static final int REPLAY_BATCH = 1000;
    private static final long REPLAY_INTERVAL_MS = 200;

    private final AccountingOptions.Settings settings;
    private final CallEventRings rings;
    /** Ring files of the previous process, written by {@link #start}. */
    private final List<Path> leftOver;

    private CdrSpool spool;
    private DurableCdrWriter durable;
    private CallAccountingWriter writer;

    private AccountingWiring(AccountingOptions.Settings settings) {
        this.settings = settings;
        try {
            this.leftOver = CallEventRings.takeOver(settings.spool());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take over the accounting ring files of " + settings.spool(), e);
        }
        this.rings = CallEventRings.inFiles(settings.spool(), settings.queue(), CallEventRings.DEFAULT_TEXT_BYTES);
    }

    /**
     * The wiring if {@code --accounting} is on, else null; the ring files a previous process left are renamed for
     * {@link #start} to recover, nothing runs yet.
     */
    static AccountingWiring prepare(ProxyOptions o) {
        if (!o.accounting.enabled()) {
            return null;
        }
        return new AccountingWiring(o.accounting.resolve(o.galeraNodes.size()));
    }

    /** What the engine records into: give it to {@code ProxyConfig.Builder.callAccounting}. */
    CallEventRings rings() {
        return rings;
    }

    /**
     * Opens (and recovers) the spool, writes the events the previous process left in its ring files, and starts
     * writing through {@code client}'s data source.
     *
     * @throws IOException if the spool cannot be opened (another process holds it, or it is not a spool), or the
     *     recovered events can be neither stored nor spooled (their files are kept)
     */
    void start(GaleraQuorumClient client) throws IOException {
        spool = CdrSpool.open(settings.spool(), settings.spoolMaxBytes());
        durable = new DurableCdrWriter(client.dataSource(), client, spool, REPLAY_BATCH, REPLAY_INTERVAL_MS);
        if (!leftOver.isEmpty()) {
            RingFileRecovery.Result r = RingFileRecovery.writeAll(leftOver, durable, settings.batch());
            LOG.info(
                    "call accounting: {} event(s) recovered from {} ring file(s) of the previous process ({} slot(s)"
                            + " unreadable, {} unstorable, {} file(s) refused)",
                    r.events(),
                    leftOver.size(),
                    r.skipped(),
                    r.unstorable(),
                    r.refused());
        }
        writer = CallAccountingWriter.start(rings, durable, settings.batch(), THREAD);
        LOG.info(
                "call accounting on: spool {} ({} record(s) waiting to be replayed), {} event(s) per loop queued at"
                        + " most, {} per write",
                settings.spool(),
                spool.pending(),
                settings.queue(),
                settings.batch());
    }

    /** Records the writer handed to the database or the spool. */
    long written() {
        return writer == null ? 0 : writer.written();
    }

    /** Events recorded but not yet written to the database or the spool. */
    long backlog() {
        return writer == null ? rings.waiting() : writer.backlog();
    }

    /** Events the loops could not queue (counted by the rings). */
    long lost() {
        return rings.lost();
    }

    /** Records that went to the spool because the site had no quorum (or an insert failed). */
    long spooled() {
        return durable == null ? 0 : durable.spooled();
    }

    /** Records in the spool waiting for the database. */
    long pending() {
        return durable == null ? 0 : durable.pending();
    }

    /** Writes what the loops recorded (call it once they have stopped), then closes the writer and the spool. */
    @Override
    public void close() {
        if (writer != null) {
            writer.close();
            LOG.info(
                    "call accounting: {} record(s) written, {} lost, {} waiting in the spool",
                    writer.written(),
                    rings.lost(),
                    durable.pending());
        }
        if (durable != null) {
            durable.close();
        }
        if (spool != null) {
            try {
                spool.close();
            } catch (IOException e) {
                LOG.warn("closing the accounting spool: {}", e.toString());
            }
        }
    }
}
