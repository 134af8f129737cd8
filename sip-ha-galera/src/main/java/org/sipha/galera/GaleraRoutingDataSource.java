package org.sipha.galera;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * A pooled {@link DataSource} over the Galera nodes (one HikariCP pool per node) that routes to the local node
 * first and fails over to the other nodes the {@link SiteQuorumTracker} trusts.
 *
 * <p>Use {@link #execute(UnitOfWork, CommitProbe)}: it runs the unit of work in one transaction and handles
 * errors per {@link SqlErrorClassifier}: 1047/08S01/connection loss demote the node at once (the poller need
 * not notice first) and retry on the next node; 1213/40001/1205 rerun the whole unit after a jittered
 * exponential backoff; a link broken during COMMIT makes the outcome unknown, which the {@link CommitProbe}
 * (the caller's idempotency key) resolves on another node. {@link #getConnection()} is the plain, non-retrying
 * escape hatch: a connection from the first trusted node.
 *
 * <p>Thread-safe: any thread may call any method. Counters are for reports and tests.
 */
public final class GaleraRoutingDataSource implements DataSource, AutoCloseable {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(GaleraRoutingDataSource.class);
    private final GaleraClientConfig config;
    private final Supplier<ClusterView> view;
    private final BiConsumer<String, String> demoter;
    private final Map<String, HikariDataSource> pools = new LinkedHashMap<>();
    private final AtomicLong demotions = new AtomicLong();
    private final AtomicLong backoffRetries = new AtomicLong();
    private final AtomicLong unknownOutcomes = new AtomicLong();
    private final AtomicLong probeHits = new AtomicLong();
    private final AtomicLong busySkips = new AtomicLong();

    GaleraRoutingDataSource(GaleraClientConfig config, Supplier<ClusterView> view, BiConsumer<String, String> demoter) {
        this.config = config;
        this.view = view;
        this.demoter = demoter;
        for (GaleraNode n : config.nodes()) {
            pools.put(n.name(), newPool(n));
        }
    }

    private HikariDataSource newPool(GaleraNode n) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("galera-" + n.name());
        hc.setJdbcUrl(
                n.jdbcUrl(config.database()) + "?connectTimeout=2000&socketTimeout=" + config.statementTimeoutMs());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(0);
        hc.setConnectionTimeout(2000);
        hc.setValidationTimeout(1000);
        // the pool must come up even if this node is down now: the tracker decides whether it is used
        hc.setInitializationFailTimeout(-1);
        return new HikariDataSource(hc);
    }

    /** Runs {@code work} without an idempotency key: an unknown commit outcome throws
     *  {@link CommitOutcomeUnknownException}. */
    public <T> T execute(UnitOfWork<T> work) throws SQLException {
        return execute(work, null);
    }

    /**
     * Runs {@code work} in one transaction on the best trusted node, retrying as described in the class comment.
     *
     * @param probe resolves an unknown commit outcome; {@code null} to throw {@link CommitOutcomeUnknownException}
     * @throws NoQuorateNodeException when no trusted node is left or the attempts ran out
     * @throws SQLException           a FATAL error of the unit of work itself, rethrown unchanged
     */
    public <T> T execute(UnitOfWork<T> work, CommitProbe<T> probe) throws SQLException {
        Set<String> failed = new HashSet<>();
        Set<String> skipped = new HashSet<>(); // failed + nodes whose pool was busy this round
        boolean mustProbe = false;
        int backoffs = 0;
        SQLException lastError = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            GaleraNode node = pick(skipped);
            if (node == null && skipped.size() > failed.size()) {
                // every remaining node was only busy: wait a little and go round again
                skipped.retainAll(failed);
                sleepBackoff(backoffs++);
                node = pick(skipped);
            }
            if (node == null) {
                throw noNode("no trusted node left (tried " + failed + ")", lastError);
            }
            boolean committing = false;
            Connection borrowed;
            try {
                borrowed = pools.get(node.name()).getConnection();
            } catch (SQLException e) {
                lastError = e;
                if (e.getCause() == null) {
                    // pool exhausted (all connections busy, e.g. commits stalled cluster-wide while a member is
                    // being evicted): our congestion, not the node's fault; try the next node without demoting
                    skipped.add(node.name());
                    busySkips.incrementAndGet();
                    continue;
                }
                if (SqlErrorClassifier.classify(e) == SqlErrorClass.FATAL) {
                    throw e;
                }
                demote(node, failed, e);
                skipped.add(node.name());
                continue;
            }
            try (Connection c = borrowed) {
                if (mustProbe) {
                    Optional<T> done = probe(c, probe);
                    if (done.isPresent()) {
                        probeHits.incrementAndGet();
                        return done.get();
                    }
                    mustProbe = false;
                }
                c.setAutoCommit(false);
                T result = work.run(c);
                committing = true;
                c.commit();
                return result;
            } catch (SQLException e) {
                lastError = e;
                SqlErrorClass cls = SqlErrorClassifier.classify(e);
                if (cls == SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE) {
                    skipped.add(node.name());
                }
                if (committing && cls == SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE) {
                    demote(node, failed, e);
                    if (probe == null) {
                        throw new CommitOutcomeUnknownException(node.name(), e);
                    }
                    unknownOutcomes.incrementAndGet();
                    mustProbe = true;
                } else if (cls == SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE) {
                    demote(node, failed, e);
                } else if (cls == SqlErrorClass.RETRY_WITH_BACKOFF) {
                    backoffRetries.incrementAndGet();
                    sleepBackoff(backoffs++);
                } else {
                    throw e;
                }
            }
        }
        throw noNode("gave up after " + config.maxAttempts() + " attempts", lastError);
    }

    private <T> Optional<T> probe(Connection c, CommitProbe<T> probe) throws SQLException {
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION wsrep_sync_wait=1");
            try {
                return probe.findCommitted(c);
            } finally {
                st.execute("SET SESSION wsrep_sync_wait=0");
            }
        }
    }

    private void demote(GaleraNode node, Set<String> failed, SQLException e) {
        failed.add(node.name());
        LOG.debug("demoting {} after {}", node.name(), e.toString());
        demotions.incrementAndGet();
        demoter.accept(node.name(), "routing: " + e.getErrorCode() + "/" + e.getSQLState() + " " + e.getMessage());
        HikariDataSource pool = pools.get(node.name());
        if (pool.getHikariPoolMXBean() != null) {
            // idle connections to a node that failed are suspect (half-open after a freeze): drop them
            pool.getHikariPoolMXBean().softEvictConnections();
        }
    }

    private void sleepBackoff(int k) throws SQLException {
        long cap = Math.min(config.backoffMaxMs(), (long) config.backoffBaseMs() << Math.min(k, 16));
        long ms = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted during retry backoff", "HY008", ie);
        }
    }

    private GaleraNode pick(Set<String> failed) {
        for (GaleraNode n : view.get().usableNodesLocalFirst()) {
            if (!failed.contains(n.name())) {
                return n;
            }
        }
        return null;
    }

    private static NoQuorateNodeException noNode(String msg, SQLException cause) {
        NoQuorateNodeException e = new NoQuorateNodeException(msg);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /** A connection from the first trusted node; no retry or failover once handed out. */
    @Override
    public Connection getConnection() throws SQLException {
        GaleraNode node = pick(Set.of());
        if (node == null) {
            throw new NoQuorateNodeException("no trusted node");
        }
        return pools.get(node.name()).getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("credentials are fixed by GaleraClientConfig");
    }

    /** Attempts that skipped a node because its pool had no free connection in time (no demotion). */
    /**
     * Makes every node's pool record HikariCP's metrics into {@code meterRegistry} (a Micrometer
     * {@code MeterRegistry}), as {@code HikariDataSource#setMetricRegistry} does. Once; any thread.
     *
     * @throws IllegalStateException if a registry was set before
     * @throws IllegalArgumentException if {@code meterRegistry} is no registry HikariCP knows
     */
    public void setPoolMetricRegistry(Object meterRegistry) {
        pools.values().forEach(p -> p.setMetricRegistry(meterRegistry));
    }

    public long busySkips() {
        return busySkips.get();
    }
    /** Nodes demoted by this data source after an error. */
    public long demotions() {
        return demotions.get();
    }
    /** Units of work rerun after 1213/40001/1205. */
    public long backoffRetries() {
        return backoffRetries.get();
    }
    /** Commits whose outcome was unknown and went to a {@link CommitProbe}. */
    public long unknownOutcomes() {
        return unknownOutcomes.get();
    }
    /** Unknown outcomes the probe found committed. */
    public long probeHits() {
        return probeHits.get();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
    }
}
