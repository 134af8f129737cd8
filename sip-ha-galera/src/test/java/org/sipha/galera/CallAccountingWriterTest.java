package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.galera.TestClients.await;
import static org.sipha.galera.TestClients.measure;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.core.accounting.CallEventRings;
import org.sipha.core.message.AsciiView;
import org.sipha.core.spi.CallAccountingSink;
import org.sipha.core.spi.CallEventKind;

/**
 * Call accounting events from the rings into the real cluster through {@link CallAccountingWriter}: repeats
 * collapse, the open-calls report finds answered calls without a STOP, and the writer's sustained rate.
 */
@ExtendWith(GaleraClusterExtension.class)
class CallAccountingWriterTest {
    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 5081);
    private static final InetSocketAddress CARRIER = new InetSocketAddress("192.0.2.7", 5060);

    @TempDir
    Path dir;

    private static AsciiView view(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new AsciiView().wrap(b, 0, b.length);
    }

    private static void record(CallAccountingSink sink, CallEventKind kind, String callId, long epochMs, int code) {
        sink.record(
                kind,
                epochMs,
                code,
                kind == CallEventKind.STOP ? 2 : 1,
                view(callId),
                view("caller"),
                code == 486 ? null : view("callee"),
                view("sip:+493012345@a.test"),
                view("sip:+494067890@b.test"),
                PBX,
                CARRIER);
    }

    /** Rows of {@code kind} whose Call-ID starts with {@code prefix}, read on n2 once it applied every commit. */
    static long rows(String prefix, String kind) throws Exception {
        try (Connection c = GaleraTestCluster.connect(2, 30_000);
                Statement st = c.createStatement();
                PreparedStatement ps =
                        c.prepareStatement("SELECT COUNT(*) FROM cdr WHERE call_id LIKE ? AND kind = ?")) {
            st.execute("SET SESSION wsrep_sync_wait = 1");
            ps.setString(1, prefix + "%");
            ps.setString(2, kind);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void repeatedEventsAreStoredOnceAndTheReportListsAnsweredCallsWithoutStop(GaleraTestCluster cluster)
            throws Exception {
        String prefix = "accw" + System.nanoTime() + "-";
        long now = System.currentTimeMillis();
        CallEventRings rings = new CallEventRings(1024, 512);
        CallAccountingSink loop0 = rings.sinkForLoop(0);
        CallAccountingSink loop1 = rings.sinkForLoop(1); // a second loop (or proxy) seeing the same BYE
        try (CdrSpool spool = CdrSpool.open(dir.resolve("acc.spool"), 64L << 20);
                GaleraQuorumClient client =
                        GaleraQuorumClient.start(TestClients.config(1).build());
                DurableCdrWriter durable = new DurableCdrWriter(client.dataSource(), client, spool, 500, 100);
                CallAccountingWriter writer = CallAccountingWriter.start(rings, durable, 500, "test-accounting")) {
            TestClients.awaitAllUp(client);
            // call 1: answered 5 h ago, ended; call 2: answered 5 h ago, no BYE seen; call 3: answered just now
            record(loop0, CallEventKind.OUTCOME, prefix + "1", now - 5 * 3_600_000L, 200);
            record(loop0, CallEventKind.START, prefix + "1", now - 5 * 3_600_000L, 200);
            record(loop0, CallEventKind.START, prefix + "1", now - 5 * 3_600_000L + 500, 200); // 200 retransmitted
            record(loop0, CallEventKind.STOP, prefix + "1", now - 4 * 3_600_000L, 0);
            record(loop1, CallEventKind.STOP, prefix + "1", now - 4 * 3_600_000L + 3, 0); // the same BYE elsewhere
            record(loop0, CallEventKind.OUTCOME, prefix + "2", now - 5 * 3_600_000L, 200);
            record(loop0, CallEventKind.START, prefix + "2", now - 5 * 3_600_000L, 200);
            record(loop1, CallEventKind.OUTCOME, prefix + "3", now, 200);
            record(loop1, CallEventKind.START, prefix + "3", now, 200);
            record(loop1, CallEventKind.OUTCOME, prefix + "4", now, 486);
            record(loop1, CallEventKind.OUTCOME, prefix + "4", now, 486); // a replay of the same transaction
            await("all written", 30_000, () -> writer.written() == 11);
            assertEquals(4, rows(prefix, "OUTCOME"));
            assertEquals(3, rows(prefix, "START"));
            assertEquals(1, rows(prefix, "STOP"));

            List<OpenCalls.OpenCall> open =
                    OpenCalls.find(client.dataSource(), now - 4 * 3_600_000L, now - 6 * 3_600_000L, 1000).stream()
                            .filter(c -> c.callId().startsWith(prefix))
                            .toList();
            assertEquals(1, open.size(), open.toString());
            OpenCalls.OpenCall c = open.get(0);
            assertEquals(prefix + "2", c.callId());
            assertEquals("caller", c.callerTag());
            assertEquals("callee", c.calleeTag());
            assertEquals("127.0.0.1:5081", c.destination());
            assertEquals("192.0.2.7:5060", c.source());
            assertEquals(0, writer.lost());

            try (Connection db = GaleraTestCluster.connect(2, 30_000);
                    Statement st = db.createStatement()) {
                st.execute("SET SESSION wsrep_sync_wait = 1");
                List<String> cdrs = query(db, CDRS_SQL, now - 6 * 3_600_000L, now + 1);
                List<String> mine =
                        cdrs.stream().filter(r -> r.startsWith(prefix)).toList();
                assertEquals(1, mine.size(), cdrs.toString());
                String[] f = mine.get(0).split("\t");
                assertEquals(prefix + "1", f[0]);
                long duration = Long.parseLong(f[7]);
                assertTrue(duration >= 3_600_000 && duration <= 3_600_003, "the first STOP stored wins: " + duration);
                List<String> failed = query(db, FAILED_SQL, now - 1000, now + 1);
                assertTrue(failed.contains("192.0.2.7:5060\t127.0.0.1:5081\t486\tBUSY\t1"), failed.toString());
            }
        }
    }

    /**
     * A writer stored some events and died before it freed their slots: at the next start every event in the ring
     * files is written again, and each OUTCOME, START and STOP is stored once.
     */
    @Test
    void ringFilesLeftByACrashAreStoredOnceThoughPartlyWrittenBefore(GaleraTestCluster cluster) throws Exception {
        String prefix = "accr" + System.nanoTime() + "-";
        long now = System.currentTimeMillis();
        Path ringPrefix = dir.resolve("acc.spool");
        CallEventRings dead = CallEventRings.inFiles(ringPrefix, 64, 512);
        CallAccountingSink loop0 = dead.sinkForLoop(0);
        CallAccountingSink loop1 = dead.sinkForLoop(1);
        for (int i = 0; i < 10; i++) {
            CallAccountingSink s = i % 2 == 0 ? loop0 : loop1;
            record(s, CallEventKind.OUTCOME, prefix + i, now, 200);
            record(s, CallEventKind.START, prefix + i, now, 200);
            record(s, CallEventKind.STOP, prefix + i, now + 1000, 0);
        }
        List<Cdr> read = new java.util.ArrayList<>();
        dead.read(e -> read.add(CallAccountingWriter.toCdr(e)), 100); // read, never released
        try (CdrSpool spool = CdrSpool.open(dir.resolve("acc.spool"), 64L << 20);
                GaleraQuorumClient client =
                        GaleraQuorumClient.start(TestClients.config(1).build());
                DurableCdrWriter durable = new DurableCdrWriter(client.dataSource(), client, spool, 500, 100)) {
            TestClients.awaitAllUp(client);
            assertEquals(30, read.size());
            assertEquals(DurableCdrWriter.Outcome.STORED, durable.writeAll(read.subList(0, 17))); // then the crash

            List<Path> files = CallEventRings.takeOver(ringPrefix);
            RingFileRecovery.Result r = RingFileRecovery.writeAll(files, durable, 7);
            assertEquals(new RingFileRecovery.Result(30, 0, 0, 0), r);
            for (Path f : files) {
                assertTrue(java.nio.file.Files.notExists(f), "recovered files are deleted: " + f);
            }
            assertEquals(10, rows(prefix, "OUTCOME"));
            assertEquals(10, rows(prefix, "START"));
            assertEquals(10, rows(prefix, "STOP"));
        }
    }

    /** The queries of docs/accounting.md: START/STOP pairs as CDRs, and failed attempts. */
    static final String CDRS_SQL = "SELECT s.call_id, s.from_uri, s.to_uri, s.source, s.destination,"
            + " FROM_UNIXTIME(s.start_ms / 1000) AS answered, FROM_UNIXTIME(e.start_ms / 1000) AS ended,"
            + " e.start_ms - s.start_ms AS duration_ms"
            + " FROM cdr s JOIN cdr e ON e.kind = 'STOP' AND e.call_id = s.call_id"
            + " AND e.from_tag = s.from_tag AND e.to_tag = s.to_tag"
            + " WHERE s.kind = 'START' AND s.start_ms >= ? AND s.start_ms < ? ORDER BY s.start_ms";

    static final String FAILED_SQL = "SELECT source, destination, sip_code, disposition, COUNT(*) AS attempts"
            + " FROM cdr WHERE kind = 'OUTCOME' AND sip_code >= 300 AND start_ms >= ? AND start_ms < ?"
            + " GROUP BY source, destination, sip_code, disposition ORDER BY attempts DESC";

    /** Rows of {@code sql} with two time parameters, each row's columns joined by tabs. */
    private static List<String> query(Connection c, String sql, long from, long to) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, from);
            ps.setLong(2, to);
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        row.append(i == 1 ? "" : "\t").append(rs.getString(i));
                    }
                    out.add(row.toString());
                }
            }
        }
        return out;
    }

    /** How many records per second one writer thread moves from the rings into the cluster, by batch size. */
    @Test
    void measuresTheRateTheWriterSustains(GaleraTestCluster cluster) throws Exception {
        for (int batch : new int[] {1000, 250, 1000}) {
            measureRate(batch, 30_000);
        }
    }

    private void measureRate(int batch, int total) throws Exception {
        String prefix = "accrate" + System.nanoTime() + "-";
        CallEventRings rings = new CallEventRings(1 << 16, 256);
        CallAccountingSink sink = rings.sinkForLoop(0);
        try (CdrSpool spool = CdrSpool.open(dir.resolve("rate" + batch + ".spool"), 256L << 20);
                GaleraQuorumClient client =
                        GaleraQuorumClient.start(TestClients.config(1).build());
                DurableCdrWriter durable = new DurableCdrWriter(client.dataSource(), client, spool, 500, 100)) {
            TestClients.awaitAllUp(client);
            long now = System.currentTimeMillis();
            for (int i = 0; i < total; i++) { // filled before the writer starts: it runs flat out from the start
                CallEventKind kind = CallEventKind.values()[i % 3];
                record(sink, kind, prefix + (i / 3), now, kind == CallEventKind.STOP ? 0 : 200);
            }
            long t0 = System.nanoTime();
            try (CallAccountingWriter writer = CallAccountingWriter.start(rings, durable, batch, "test-accounting")) {
                await("all written", 300_000, () -> writer.written() == total);
                long ns = System.nanoTime() - t0;
                measure(
                        "MEASURED call accounting writer, batches of " + batch + ", 3-node Galera on one shared host",
                        String.format(
                                "%d records in %.1f s = %.0f records/s (%d through the spool)",
                                total, ns / 1e9, total / (ns / 1e9), durable.spooled()));
            }
            await("spool drained", 120_000, () -> durable.pending() == 0);
        }
        assertEquals(total / 3, rows(prefix, "OUTCOME"));
        assertEquals(total / 3, rows(prefix, "START"));
        assertEquals(total / 3, rows(prefix, "STOP"));
        deleteRows(prefix); // the next measurement starts from the same table size
    }

    private static void deleteRows(String prefix) throws Exception {
        try (Connection c = GaleraTestCluster.connect(2, 30_000);
                PreparedStatement ps = c.prepareStatement("DELETE FROM cdr WHERE call_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            ps.executeUpdate();
        }
    }
}
