package org.sipha.galera;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Writes one heartbeat row per node ({@code sipha_canary}, keyed by node name so nodes never conflict) and
 * reports whether the commit finished within the canary timeout. Catches "Primary and Synced, but commits
 * hang", which status variables do not show. Confined to the canary thread of its node.
 */
final class CommitCanary implements AutoCloseable {
    static final String TABLE_DDL = "CREATE TABLE IF NOT EXISTS sipha_canary (node VARCHAR(64) NOT NULL PRIMARY KEY,"
            + " beat BIGINT NOT NULL) ENGINE=InnoDB";

    private final GaleraNode node;
    private final GaleraClientConfig config;
    private Connection connection;
    private boolean tableReady;
    private long beat;

    CommitCanary(GaleraNode node, GaleraClientConfig config) {
        this.node = node;
        this.config = config;
    }

    /** @return {@code null} on success, else a short description of the failure. */
    String beat() {
        try {
            if (connection == null) {
                connection = NodeStatusQuery.open(node, config, config.canaryTimeoutMs());
            }
            if (!tableReady) {
                try (Statement st = connection.createStatement()) {
                    st.execute(TABLE_DDL);
                }
                tableReady = true;
            }
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO sipha_canary (node, beat) VALUES (?, ?) ON DUPLICATE KEY UPDATE beat = VALUES(beat)")) {
                ps.setString(1, node.name());
                ps.setLong(2, ++beat);
                ps.executeUpdate();
            }
            return null;
        } catch (SQLException | RuntimeException e) {
            close();
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // discarding a failed connection
            }
            connection = null;
        }
    }
}
