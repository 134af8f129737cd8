package org.sipha.galera.config;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.sipha.galera.GaleraRoutingDataSource;

/**
 * Configuration versions in the Galera cluster ({@link ConfigSchema}): publish, read, list, diff and roll back,
 * through a {@link GaleraRoutingDataSource}, so every read and write goes to a node the quorum client trusts
 * (Primary, Synced, canary not failing) and is retried there by its rules.
 *
 * <p>A publish is one transaction: it locks the {@code sipha_config_active} row, takes the next number, writes the
 * version and its rows and moves the active pointer to it. Two publishes at once on different nodes conflict at
 * certification; the loser is rerun by the data source and gets the next number. Its {@code publish_id} lets a
 * publish whose COMMIT outcome was lost be found instead of published twice. A rollback republishes an older
 * version's content under a new number, so the active version only grows and every proxy can refuse to go back
 * to a version older than the one it runs (a node lagging behind another).
 *
 * <p>Thread-safe: any thread may call any method.
 */
public final class GaleraConfigStore implements ConfigSource {
    private static final String ACTIVE = "SELECT version FROM sipha_config_active WHERE id = 1";
    private static final String VERSION_COLUMNS =
            "version, created_at, created_by, comment, rolled_back_from, rr_secret, rr_previous_secret";

    private final GaleraRoutingDataSource dataSource;

    public GaleraConfigStore(GaleraRoutingDataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Creates the tables that do not exist yet. */
    public void ensureSchema() throws SQLException {
        dataSource.execute(c -> {
            ConfigSchema.ensure(c);
            return null;
        });
    }

    /**
     * The version in force, 0 if none was ever published: one indexed single-row read in autocommit mode on the
     * first trusted node, cheap enough to poll several times a second. Not retried: the caller polls again.
     */
    @Override
    public long activeVersion() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(ACTIVE)) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            if (e.getErrorCode() == ConfigSchema.NO_SUCH_TABLE) {
                return 0;
            }
            throw e;
        }
    }

    /**
     * Publishes {@code content} as the next version and makes it the one in force, in one transaction.
     *
     * @param createdBy who publishes (stored as given)
     * @param comment   why; may be empty
     * @return the new version's number
     */
    public long publish(ConfigContent content, String createdBy, String comment) throws SQLException {
        return publish(content, createdBy, comment, 0);
    }

    /**
     * Publishes the content of {@code version} again as the next version (a rollback), in one transaction.
     *
     * @return the new version's number
     * @throws IllegalArgumentException if {@code version} does not exist
     */
    public long rollback(long version, String createdBy, String comment) throws SQLException {
        ConfigVersion old = read(version)
                .orElseThrow(() -> new IllegalArgumentException("there is no configuration version " + version));
        return publish(old.content(), createdBy, comment, version);
    }

    private long publish(ConfigContent content, String createdBy, String comment, long rolledBackFrom)
            throws SQLException {
        Objects.requireNonNull(content, "content");
        ensureSchema();
        String publishId = UUID.randomUUID().toString();
        return dataSource.execute(
                c -> insertVersion(c, publishId, content, createdBy, comment, rolledBackFrom),
                c -> findPublished(c, publishId));
    }

    private static long insertVersion(
            Connection c, String publishId, ConfigContent content, String createdBy, String comment, long from)
            throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeQuery(ACTIVE + " FOR UPDATE").close(); // the serialisation point of concurrent publishes
        }
        long next;
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) + 1 FROM sipha_config_version")) {
            rs.next();
            next = rs.getLong(1);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO sipha_config_version (version, publish_id,"
                        + " created_by, comment, rolled_back_from, rr_secret, rr_previous_secret) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, next);
            ps.setString(2, publishId);
            ps.setString(3, truncate(createdBy, 128));
            ps.setString(4, truncate(comment, 1024));
            ps.setLong(5, from);
            ps.setBytes(6, bytes(content.recordRouteSecret()));
            ps.setBytes(7, bytes(content.previousRecordRouteSecret()));
            ps.executeUpdate();
        }
        if (!content.rows().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sipha_config_dispatcher (version, line, setid,"
                    + " destination, flags, priority, attrs, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                int line = 0;
                for (DispatcherRow r : content.rows()) {
                    ps.setLong(1, next);
                    ps.setInt(2, ++line);
                    ps.setInt(3, r.setId());
                    ps.setString(4, r.destination());
                    ps.setInt(5, r.flags());
                    ps.setInt(6, r.priority());
                    ps.setString(7, r.attrs());
                    ps.setString(8, r.description());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sipha_config_active (id, version, activated_at)"
                + " VALUES (1, ?, NOW(6)) ON DUPLICATE KEY UPDATE version = VALUES(version),"
                + " activated_at = VALUES(activated_at)")) {
            ps.setLong(1, next);
            ps.executeUpdate();
        }
        return next;
    }

    private static Optional<Long> findPublished(Connection c, String publishId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT version FROM sipha_config_version WHERE publish_id = ?")) {
            ps.setString(1, publishId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            if (e.getErrorCode() == ConfigSchema.NO_SUCH_TABLE) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Version {@code number} with its rows, read in one transaction; empty if this node has no such version. */
    @Override
    public Optional<ConfigVersion> read(long number) throws SQLException {
        return dataSource.execute(c -> {
            try {
                return readVersion(c, number);
            } catch (SQLException e) {
                if (e.getErrorCode() == ConfigSchema.NO_SUCH_TABLE) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** The version in force with its rows (read together in one transaction), or empty if none was published. */
    @Override
    public Optional<ConfigVersion> readActive() throws SQLException {
        return dataSource.execute(c -> {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(ACTIVE)) {
                return rs.next() ? readVersion(c, rs.getLong(1)) : Optional.<ConfigVersion>empty();
            } catch (SQLException e) {
                if (e.getErrorCode() == ConfigSchema.NO_SUCH_TABLE) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    private static Optional<ConfigVersion> readVersion(Connection c, long number) throws SQLException {
        ConfigVersion header;
        try (PreparedStatement ps =
                c.prepareStatement("SELECT " + VERSION_COLUMNS + " FROM sipha_config_version WHERE version = ?")) {
            ps.setLong(1, number);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                header = header(rs, List.of());
            }
        }
        List<DispatcherRow> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT setid, destination, flags, priority, attrs,"
                + " description FROM sipha_config_dispatcher WHERE version = ? ORDER BY line")) {
            ps.setLong(1, number);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new DispatcherRow(
                            rs.getInt(1),
                            rs.getString(2),
                            rs.getInt(3),
                            rs.getInt(4),
                            rs.getString(5),
                            rs.getString(6)));
                }
            }
        }
        ConfigContent h = header.content();
        return Optional.of(new ConfigVersion(
                header.number(),
                header.createdAt(),
                header.createdBy(),
                header.comment(),
                header.rolledBackFrom(),
                new ConfigContent(rows, h.recordRouteSecret(), h.previousRecordRouteSecret())));
    }

    private static ConfigVersion header(ResultSet rs, List<DispatcherRow> rows) throws SQLException {
        Timestamp at = rs.getTimestamp(2);
        return new ConfigVersion(
                rs.getLong(1),
                at.toInstant(),
                rs.getString(3),
                rs.getString(4),
                rs.getLong(5),
                new ConfigContent(rows, text(rs.getBytes(6)), text(rs.getBytes(7))));
    }

    /** The newest {@code limit} versions, newest first, the one in force marked. */
    public List<VersionSummary> list(int limit) throws SQLException {
        return dataSource.execute(c -> {
            long active;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(ACTIVE)) {
                active = rs.next() ? rs.getLong(1) : 0;
            } catch (SQLException e) {
                if (e.getErrorCode() == ConfigSchema.NO_SUCH_TABLE) {
                    return List.<VersionSummary>of();
                }
                throw e;
            }
            List<VersionSummary> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT v." + VERSION_COLUMNS.replace(", ", ", v.")
                    + ", (SELECT COUNT(*) FROM sipha_config_dispatcher d WHERE d.version = v.version)"
                    + " FROM sipha_config_version v ORDER BY v.version DESC LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ConfigVersion h = header(rs, List.of());
                        out.add(new VersionSummary(
                                h.number(),
                                h.createdAt(),
                                h.createdBy(),
                                h.comment(),
                                h.rolledBackFrom(),
                                rs.getInt(8),
                                ConfigContent.keyId(h.content().recordRouteSecret()),
                                ConfigContent.keyId(h.content().previousRecordRouteSecret()),
                                h.number() == active));
                    }
                }
            }
            return out;
        });
    }

    /**
     * What changes from version {@code from} to version {@code to}.
     *
     * @throws IllegalArgumentException if either does not exist
     */
    public ConfigDiff diff(long from, long to) throws SQLException {
        return ConfigDiff.between(require(from).content(), require(to).content());
    }

    private ConfigVersion require(long number) throws SQLException {
        return read(number)
                .orElseThrow(() -> new IllegalArgumentException("there is no configuration version " + number));
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static String truncate(String s, int max) {
        String t = s == null ? "" : s;
        return t.length() <= max ? t : t.substring(0, max);
    }
}
