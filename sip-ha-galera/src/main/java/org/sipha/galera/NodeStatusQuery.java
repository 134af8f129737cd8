package org.sipha.galera;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Reads one node's wsrep status over a dedicated connection. Confined to the poll thread of that node.
 *
 * <p>Why not {@code Connection.isValid()}: an isolated node answers COM_PING and {@code SELECT 1} happily; only
 * the wsrep variables tell that it refuses application traffic. The connection carries a socket timeout equal to
 * the poll timeout, so a frozen (SIGSTOPped) server cannot block the poll thread beyond it; the statement also
 * gets a server-side query timeout.
 */
final class NodeStatusQuery implements NodeStatusSource {
    private static final String SQL = "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
            + " WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_STATUS','WSREP_READY','WSREP_LOCAL_STATE',"
            + "'WSREP_LOCAL_STATE_COMMENT','WSREP_CLUSTER_SIZE','WSREP_CLUSTER_STATE_UUID','WSREP_CLUSTER_CONF_ID',"
            + "'WSREP_FLOW_CONTROL_PAUSED')";

    private final GaleraNode node;
    private final GaleraClientConfig config;
    private Connection connection;

    NodeStatusQuery(GaleraNode node, GaleraClientConfig config) {
        this.node = node;
        this.config = config;
    }

    @Override
    public NodeStatus poll() {
        try {
            if (connection == null) {
                connection = open(node, config, config.pollTimeoutMs());
            }
            try (Statement st = connection.createStatement()) {
                st.setQueryTimeout(Math.max(1, (int) Math.ceil(config.pollTimeoutMs() / 1000.0)));
                Map<String, String> v = new HashMap<>();
                try (ResultSet rs = st.executeQuery(SQL)) {
                    while (rs.next()) {
                        v.put(rs.getString(1).toUpperCase(java.util.Locale.ROOT), rs.getString(2));
                    }
                }
                return parse(node, v, System.nanoTime());
            }
        } catch (SQLException | RuntimeException e) {
            close();
            return NodeStatus.unreachable(
                    node, e.getClass().getSimpleName() + ": " + e.getMessage(), System.nanoTime());
        }
    }

    static NodeStatus parse(GaleraNode node, Map<String, String> v, long nowNanos) {
        if (!v.containsKey("WSREP_CLUSTER_STATUS")) {
            return NodeStatus.unreachable(node, "no wsrep status variables (wsrep provider not loaded?)", nowNanos);
        }
        return new NodeStatus(
                node,
                true,
                null,
                v.get("WSREP_CLUSTER_STATUS"),
                "ON".equals(v.get("WSREP_READY")),
                (int) parseLong(v.get("WSREP_LOCAL_STATE"), 0),
                v.getOrDefault("WSREP_LOCAL_STATE_COMMENT", ""),
                (int) parseLong(v.get("WSREP_CLUSTER_SIZE"), 0),
                v.getOrDefault("WSREP_CLUSTER_STATE_UUID", ""),
                parseLong(v.get("WSREP_CLUSTER_CONF_ID"), -1),
                parseDouble(v.get("WSREP_FLOW_CONTROL_PAUSED")),
                nowNanos);
    }

    /** Opens a connection with connect and socket timeouts, so no call on it can block longer than them. */
    static Connection open(GaleraNode node, GaleraClientConfig config, int timeoutMs) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", config.user());
        p.setProperty("password", config.password());
        p.setProperty("connectTimeout", Integer.toString(timeoutMs));
        p.setProperty("socketTimeout", Integer.toString(timeoutMs));
        Connection c = DriverManager.getConnection(node.jdbcUrl(config.database()), p);
        c.setAutoCommit(true);
        return c;
    }

    private static long parseLong(String s, long dflt) {
        if (s == null) {
            return dflt;
        }
        try {
            // conf_id is an unsigned 64-bit value; a non-Primary node reports 2^64-1, which we map to -1
            return Long.parseUnsignedLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static double parseDouble(String s) {
        try {
            return s == null ? 0 : Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is being discarded because it failed; nothing to do
            }
            connection = null;
        }
    }
}
