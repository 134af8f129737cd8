package org.sipha.galera;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The reconciliation report of call accounting: answered calls (a START record) with no STOP, answered within a
 * time window, oldest first. After an outage these are the calls whose BYE was lost or never routed through a
 * proxy, for billing to close. Reads through the {@link GaleraRoutingDataSource} (a trusted node only) and waits
 * for that node to have applied every write the cluster committed before the query ({@code wsrep_sync_wait}).
 *
 * <p>Threading: any thread.
 */
public final class OpenCalls {
    /** Parameters: answered before (epoch ms), answered at or after (epoch ms), the most rows. */
    public static final String SQL = "SELECT s.call_id, s.from_tag, s.to_tag, s.from_uri, s.to_uri, s.start_ms,"
            + " s.destination, s.source FROM cdr s WHERE s.kind = 'START' AND s.start_ms < ? AND s.start_ms >= ?"
            + " AND NOT EXISTS (SELECT 1 FROM cdr e WHERE e.kind = 'STOP' AND e.call_id = s.call_id"
            + " AND e.from_tag = s.from_tag AND e.to_tag = s.to_tag) ORDER BY s.start_ms LIMIT ?";

    private OpenCalls() {}

    /**
     * One answered call without a STOP.
     *
     * @param answeredEpochMs when the 2xx went through the proxy
     */
    public record OpenCall(
            String callId,
            String callerTag,
            String calleeTag,
            String callerUri,
            String calleeUri,
            long answeredEpochMs,
            String destination,
            String source) {}

    /**
     * Answered calls with no STOP, answered in [{@code answeredSinceEpochMs}, {@code answeredBeforeEpochMs}),
     * oldest first, at most {@code limit}.
     *
     * @throws NoQuorateNodeException when no trusted node can run the query
     */
    public static List<OpenCall> find(
            GaleraRoutingDataSource dataSource, long answeredBeforeEpochMs, long answeredSinceEpochMs, int limit)
            throws SQLException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1: " + limit);
        }
        return dataSource.execute(c -> query(c, answeredBeforeEpochMs, answeredSinceEpochMs, limit));
    }

    private static List<OpenCall> query(Connection c, long before, long since, int limit) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION wsrep_sync_wait = 1");
        }
        List<OpenCall> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            ps.setLong(1, before);
            ps.setLong(2, since);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OpenCall(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getLong(6),
                            rs.getString(7),
                            rs.getString(8)));
                }
            }
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("SET SESSION wsrep_sync_wait = 0");
            }
        }
        return out;
    }
}
