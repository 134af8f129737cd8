package org.sipha.galera;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.sipha.core.spi.SiteQuorumSignal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes CDRs and call accounting records ({@link Cdr.Kind}) to the {@code cdr} table when the site is quorate and
 * to the {@link CdrSpool} otherwise, and replays the spool in order when quorum returns. Every insert is idempotent
 * ({@code ON DUPLICATE KEY UPDATE id = id} on the content-derived {@link Cdr#id()}), so a replay after a crash or
 * an unknown commit outcome, or a record made twice, stores nothing twice. A table made before the accounting
 * columns existed gets them on first use.
 *
 * <p>Ordering: while the spool holds anything, new CDRs are appended to it rather than inserted directly, so
 * CDRs reach the database in the order they were written.
 *
 * <p>A CDR the database refuses as data ({@link SqlErrorClassifier#isDataRejection}, e.g. a constraint) would
 * block the replay forever: it is moved to the spool's quarantine file with the error, counted in
 * {@link #rejected()}, and the replay goes on. Any other error (no quorum, a lost link) keeps it spooled.
 *
 * <p>Threading: {@link #write}/{@link #writeAll} may be called from any thread; each returns once the CDRs are
 * in the database or fsync'd in the spool. One private thread replays the spool.
 */
public final class DurableCdrWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DurableCdrWriter.class);
    static final String TABLE_DDL = "CREATE TABLE IF NOT EXISTS cdr (id CHAR(32) NOT NULL PRIMARY KEY,"
            + " call_id VARCHAR(1024) NOT NULL, from_uri VARCHAR(1024) NOT NULL, to_uri VARCHAR(1024) NOT NULL,"
            + " start_ms BIGINT NOT NULL, duration_ms BIGINT NOT NULL, disposition VARCHAR(1024) NOT NULL,"
            + " kind VARCHAR(8) NOT NULL DEFAULT 'CDR', from_tag VARCHAR(1024) NOT NULL DEFAULT '',"
            + " to_tag VARCHAR(1024) NOT NULL DEFAULT '', sip_code SMALLINT NOT NULL DEFAULT 0,"
            + " destination VARCHAR(1024) NOT NULL DEFAULT '', source VARCHAR(1024) NOT NULL DEFAULT '',"
            + " KEY cdr_kind_start (kind, start_ms), KEY cdr_call (call_id(64))) ENGINE=InnoDB";
    /** Brings a table created before the accounting columns up to {@link #TABLE_DDL}; a no-op if already there. */
    static final String ACCOUNTING_COLUMNS_DDL = "ALTER TABLE cdr"
            + " ADD COLUMN IF NOT EXISTS kind VARCHAR(8) NOT NULL DEFAULT 'CDR',"
            + " ADD COLUMN IF NOT EXISTS from_tag VARCHAR(1024) NOT NULL DEFAULT '',"
            + " ADD COLUMN IF NOT EXISTS to_tag VARCHAR(1024) NOT NULL DEFAULT '',"
            + " ADD COLUMN IF NOT EXISTS sip_code SMALLINT NOT NULL DEFAULT 0,"
            + " ADD COLUMN IF NOT EXISTS destination VARCHAR(1024) NOT NULL DEFAULT '',"
            + " ADD COLUMN IF NOT EXISTS source VARCHAR(1024) NOT NULL DEFAULT '',"
            + " ADD KEY IF NOT EXISTS cdr_kind_start (kind, start_ms), ADD KEY IF NOT EXISTS cdr_call (call_id(64))";

    private static final String HAS_ACCOUNTING_COLUMNS = "SELECT COUNT(*) FROM information_schema.COLUMNS"
            + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'cdr' AND COLUMN_NAME = 'source'";
    private static final String INSERT_HEAD = "INSERT INTO cdr (id, call_id, from_uri, to_uri, start_ms, duration_ms,"
            + " disposition, kind, from_tag, to_tag, sip_code, destination, source) VALUES ";
    /** Rows per INSERT statement: at most about 9 KiB each, so a statement stays far below max_allowed_packet. */
    private static final int ROWS_PER_STATEMENT = 250;

    private final GaleraRoutingDataSource dataSource;
    private final SiteQuorumSignal quorum;
    private final CdrSpool spool;
    private final int replayBatch;
    private final ScheduledExecutorService replayer;
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean tableReady;

    /** Whether a write went to the database or to the spool. */
    public enum Outcome {
        STORED,
        SPOOLED
    }

    /**
     * @param replayBatch        CDRs per replay transaction
     * @param replayIntervalMs   how often the replayer checks for work
     */
    public DurableCdrWriter(
            GaleraRoutingDataSource dataSource,
            SiteQuorumSignal quorum,
            CdrSpool spool,
            int replayBatch,
            long replayIntervalMs) {
        if (replayBatch <= 0 || replayIntervalMs <= 0) {
            throw new IllegalArgumentException("replayBatch and replayIntervalMs must be > 0");
        }
        this.dataSource = dataSource;
        this.quorum = quorum;
        this.spool = spool;
        this.replayBatch = replayBatch;
        this.replayer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cdr-replayer");
            t.setDaemon(true);
            return t;
        });
        replayer.scheduleWithFixedDelay(this::replaySafely, replayIntervalMs, replayIntervalMs, TimeUnit.MILLISECONDS);
    }

    public Outcome write(Cdr cdr) throws IOException {
        return writeAll(List.of(cdr));
    }

    /**
     * Stores the CDRs in the database, or spools them (one fsync for the whole list).
     *
     * @throws SpoolFullException when they had to be spooled and the spool is full
     */
    public Outcome writeAll(List<Cdr> cdrs) throws IOException {
        if (spool.pending() == 0 && quorum.isSiteQuorate()) {
            try {
                insert(cdrs);
                inserted.addAndGet(cdrs.size());
                return Outcome.STORED;
            } catch (SQLException e) {
                LOG.info("CDR insert failed ({}); spooling {} CDRs", e.toString(), cdrs.size());
            }
        }
        spool.append(cdrs);
        spooled.addAndGet(cdrs.size());
        return Outcome.SPOOLED;
    }

    /**
     * Replays one batch from the spool if the site is quorate. Called by the replay thread; public so tests
     * and operators can force progress. A batch the database refuses as data is retried one CDR at a time, and
     * the CDR it refuses is quarantined.
     *
     * @return CDRs taken off the spool (stored or quarantined), 0 if nothing was pending or the site is not
     *         quorate
     */
    public synchronized int replayOnce() throws IOException, SQLException {
        if (spool.pending() == 0 || !quorum.isSiteQuorate()) {
            return 0;
        }
        CdrSpool.Batch batch = spool.peek(replayBatch);
        try {
            insert(batch.cdrs());
        } catch (SQLException e) {
            if (!SqlErrorClassifier.isDataRejection(e)) {
                throw e;
            }
            return replayOneByOneUpToTheRefused(batch.cdrs().size());
        }
        spool.markConsumed(batch);
        replayed.addAndGet(batch.cdrs().size());
        return batch.cdrs().size();
    }

    /** Stores up to {@code max} CDRs one per transaction; the first one the database refuses is quarantined. */
    private int replayOneByOneUpToTheRefused(int max) throws IOException, SQLException {
        for (int i = 0; i < max; i++) {
            CdrSpool.Batch one = spool.peek(1);
            if (one.cdrs().isEmpty()) {
                return i;
            }
            try {
                insert(one.cdrs());
            } catch (SQLException e) {
                if (!SqlErrorClassifier.isDataRejection(e)) {
                    throw e;
                }
                Cdr cdr = one.cdrs().get(0);
                spool.quarantine(
                        one,
                        "database refused CDR " + cdr.id() + " (Call-ID " + cdr.callId() + "): SQLState "
                                + e.getSQLState() + ", error " + e.getErrorCode() + ": " + e.getMessage());
                rejected.incrementAndGet();
                return i + 1;
            }
            spool.markConsumed(one);
            replayed.incrementAndGet();
        }
        return max;
    }

    private void replaySafely() {
        try {
            while (replayOnce() > 0) {
                // keep draining while it works
            }
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.info("spool replay paused: {}", e.toString());
        }
    }

    private void insert(List<Cdr> cdrs) throws SQLException {
        dataSource.execute(
                c -> {
                    if (!tableReady) {
                        ensureTable(c);
                        tableReady = true;
                    }
                    for (int from = 0; from < cdrs.size(); from += ROWS_PER_STATEMENT) {
                        insertRows(c, cdrs.subList(from, Math.min(cdrs.size(), from + ROWS_PER_STATEMENT)));
                    }
                    return null;
                },
                CommitProbe.idempotentWork());
    }

    /** One multi-row INSERT: one round trip and one statement for the server to parse. */
    private static void insertRows(Connection c, List<Cdr> rows) throws SQLException {
        StringBuilder sql = new StringBuilder(INSERT_HEAD.length() + rows.size() * 30).append(INSERT_HEAD);
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?,?,?,?,?,?)");
        }
        sql.append(" ON DUPLICATE KEY UPDATE id = id");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (Cdr cdr : rows) {
                ps.setString(p++, cdr.id());
                ps.setString(p++, cdr.callId());
                ps.setString(p++, cdr.fromUri());
                ps.setString(p++, cdr.toUri());
                ps.setLong(p++, cdr.startEpochMs());
                ps.setLong(p++, cdr.durationMs());
                ps.setString(p++, cdr.disposition());
                ps.setString(p++, cdr.kind().name());
                ps.setString(p++, cdr.fromTag());
                ps.setString(p++, cdr.toTag());
                ps.setInt(p++, cdr.sipCode());
                ps.setString(p++, cdr.destination());
                ps.setString(p++, cdr.source());
            }
            ps.executeUpdate();
        }
    }

    /** Creates the table, or adds the accounting columns to one made before them. */
    static void ensureTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(TABLE_DDL);
            try (ResultSet rs = st.executeQuery(HAS_ACCOUNTING_COLUMNS)) {
                if (rs.next() && rs.getInt(1) > 0) {
                    return;
                }
            }
            st.execute(ACCOUNTING_COLUMNS_DDL);
        }
    }

    /** CDRs inserted directly. */
    public long inserted() {
        return inserted.get();
    }
    /** CDRs appended to the spool. */
    public long spooled() {
        return spooled.get();
    }
    /** CDRs replayed from the spool into the database. */
    public long replayed() {
        return replayed.get();
    }
    /** CDRs the database refused as data, moved to the spool's quarantine file. */
    public long rejected() {
        return rejected.get();
    }

    public long pending() {
        return spool.pending();
    }

    /** Stops the replay thread; the spool stays open (it belongs to the caller). */
    @Override
    public void close() {
        replayer.shutdownNow();
        try {
            replayer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
