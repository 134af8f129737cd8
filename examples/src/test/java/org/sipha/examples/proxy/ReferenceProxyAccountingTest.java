package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.galera.GaleraClusterExtension;
import org.sipha.galera.GaleraTestCluster;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;
import org.sipha.testsupport.SippStats;

/**
 * Call accounting of the reference proxy ({@code --accounting}) against a real 3-node Galera cluster with garbd
 * ({@link GaleraClusterExtension}) and SIPp callers and backends (127.0.0.1 ports 15600-15639): the records in the
 * {@code cdr} table match SIPp's own counts, one OUTCOME per INVITE and one START and one STOP per answered call,
 * also when the cluster loses quorum mid-run (the records spool and land once after the heal), and when the 200 and
 * the BYE are sent twice.
 */
@ExtendWith(GaleraClusterExtension.class)
class ReferenceProxyAccountingTest {
    private final SippProcesses sipp = new SippProcesses();
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private SipProxyServer server;
    private QuorumWiring quorum;
    private AccountingWiring accounting;

    @TempDir
    Path dir;

    @BeforeAll
    static void requireSipp() {
        SippProcess.requireSipp();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (accounting != null) {
            accounting.close();
        }
        if (quorum != null) {
            quorum.close();
        }
        sipp.close();
    }

    /** Starts the reference proxy on {@code port} with accounting, wired as its main method wires it. */
    private void startProxy(int port, String... backends) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--listen",
                "udp:127.0.0.1:" + port,
                "--no-health",
                "--warmup-calls",
                "0",
                "--event-loops",
                "1",
                "--quorum-loss",
                "ignore", // calls go on while the records spool
                "--galera-voters",
                Integer.toString(GaleraTestCluster.voters()),
                "--galera-user",
                GaleraTestCluster.USER,
                "--galera-password",
                GaleraTestCluster.PASSWORD,
                "--accounting",
                "--accounting-spool",
                dir.resolve("accounting-" + port + ".spool").toString()));
        for (int n = 1; n <= GaleraTestCluster.NODES; n++) {
            args.addAll(List.of("--galera-node", "127.0.0.1:" + GaleraTestCluster.sqlPort(n)));
        }
        for (String b : backends) {
            args.addAll(List.of("--backend", b));
        }
        ProxyOptions o = ProxyOptions.parse(args.toArray(String[]::new));
        accounting = AccountingWiring.prepare(o);
        server = SipProxyServer.start(ReferenceProxy.config(
                o,
                new DispatcherNextHopSelector(ReferenceProxy.routingTable(o), 1),
                ForwardingOutcomeListener.NONE,
                accounting));
        quorum = QuorumWiring.start(o, server);
        accounting.start(quorum.client());
        await(quorum::isQuorate, 30_000, "site quorate");
    }

    @Test
    void recordsMatchSippsCountsAcrossAQuorumLossMidRun(GaleraTestCluster cluster) throws Exception {
        long t0 = System.currentTimeMillis();
        sipp.start(SippProcess.uas("uas_answer.xml", 15601, 15611, 15620).answerOptions());
        sipp.start(SippProcess.uas("uas_486.xml", 15602, 15612, 15624).answerOptions());
        sipp.start(SippProcess.uas("uas_503.xml", 15603, 15613, 15628).answerOptions());
        startProxy(15600, "sip:127.0.0.1:15601", "sip:127.0.0.1:15602", "sip:127.0.0.1:15603");
        SippProcess uac = sipp.start(SippProcess.uac("uac_call.xml", "127.0.0.1:15600", 15604, 15614, 15632)
                .calls(900)
                .rate(30)
                .globalTimeoutS(120));
        Thread.sleep(8_000);
        cluster.splitTwoTwo(); // n1, n2 hold 2 of 4 votes: no node of the site may be trusted
        await(() -> !quorum.isQuorate(), 30_000, "site quorum lost");
        long spooledBefore = accounting.spooled();
        Thread.sleep(6_000);
        long spooledDuringLoss = accounting.spooled() - spooledBefore;
        cluster.heal();
        await(quorum::isQuorate, 60_000, "site quorate again");
        assertTrue(uac.waitFor(120_000), "SIPp ended");
        SippStats stats = uac.stats();
        awaitWritten();
        Map<String, Long> rows = rows("127.0.0.1:15604", t0);
        System.out.printf(
                "MEASURED accounting across a quorum loss: SIPp %s; records %s; %d spooled while the site had no"
                        + " quorum, all replayed; %d lost%n",
                stats, rows, spooledDuringLoss, accounting.lost());
        assertTrue(spooledDuringLoss > 0, "records went to the spool during the loss");
        assertTrue(stats.successfulCalls() > 0 && stats.failedCalls() > 0, stats.toString());
        assertEquals(stats.callsCreated(), sum(rows, "OUTCOME"), "one OUTCOME per INVITE: " + rows);
        assertEquals(stats.successfulCalls(), rows.getOrDefault("OUTCOME 200", 0L), "answered: " + rows);
        assertEquals(stats.failedCalls(), rows.getOrDefault("OUTCOME 486", 0L), "busy: " + rows);
        assertEquals(stats.successfulCalls(), rows.getOrDefault("START 200", 0L), "one START per answered call");
        assertEquals(stats.successfulCalls(), rows.getOrDefault("STOP 0", 0L), "one STOP per answered call");
        assertEquals(0, accounting.lost());
    }

    @Test
    void aRetransmitted200AndARetransmittedByeAreStoredOnce(GaleraTestCluster cluster) throws Exception {
        long t0 = System.currentTimeMillis();
        SippProcess uas = sipp.start(
                SippProcess.uas("uas_late_bye_answer.xml", 15606, 15616, 15620).answerOptions());
        startProxy(15605, "sip:127.0.0.1:15606");
        SippProcess uac = sipp.start(SippProcess.uac("uac_late_ack.xml", "127.0.0.1:15605", 15607, 15617, 15624)
                .calls(50)
                .rate(25));
        assertEquals(0, uac.await(60_000), uac.output());
        awaitWritten();
        Map<String, Long> rows = rows("127.0.0.1:15607", t0);
        System.out.printf(
                "MEASURED repeated messages: the callee retransmitted %d 200s, the caller %d BYEs; records %s%n",
                uas.stats().retransmissions(), uac.stats().retransmissions(), rows);
        assertTrue(uas.stats().retransmissions() >= 50, "every 200 was sent again: " + uas.stats());
        assertTrue(uac.stats().retransmissions() >= 50, "every BYE was sent again: " + uac.stats());
        assertEquals(Map.of("OUTCOME 200", 50L, "START 200", 50L, "STOP 0", 50L), rows);
        assertTrue(accounting.written() >= 250, "the repeats were written too, and absorbed: " + accounting.written());
    }

    @Test
    void callsEveryBackendRefusesRecordTheProxys503(GaleraTestCluster cluster) throws Exception {
        long t0 = System.currentTimeMillis();
        sipp.start(SippProcess.uas("uas_503.xml", 15609, 15619, 15620).answerOptions());
        startProxy(15608, "sip:127.0.0.1:15609");
        SippProcess uac = sipp.start(SippProcess.uac("uac_expect_503.xml", "127.0.0.1:15608", 15610, 15618, 15624)
                .calls(20)
                .rate(20));
        assertEquals(0, uac.await(60_000), uac.output());
        awaitWritten();
        assertEquals(Map.of("OUTCOME 503", 20L), rows("127.0.0.1:15610", t0));
    }

    /** Until every recorded event is in the database: none in the rings or the writer's hands, none spooled. */
    private void awaitWritten() throws InterruptedException {
        await(() -> accounting.backlog() == 0 && accounting.pending() == 0, 60_000, "records written");
    }

    /** Rows from {@code source} since {@code sinceMs}, counted by "KIND code", read once n2 applied every commit. */
    private static Map<String, Long> rows(String source, long sinceMs) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = GaleraTestCluster.connect(2, 30_000);
                Statement st = c.createStatement();
                PreparedStatement ps = c.prepareStatement("SELECT CONCAT(kind, ' ', sip_code), COUNT(*),"
                        + " COUNT(DISTINCT call_id) FROM cdr WHERE source = ? AND start_ms >= ? GROUP BY 1")) {
            st.execute("SET SESSION wsrep_sync_wait = 1");
            ps.setString(1, source);
            ps.setLong(2, sinceMs);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertEquals(rs.getLong(2), rs.getLong(3), "one row per call for " + rs.getString(1));
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    private static long sum(Map<String, Long> rows, String kind) {
        return rows.entrySet().stream()
                .filter(e -> e.getKey().startsWith(kind + " "))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    private static void await(java.util.function.BooleanSupplier c, long timeoutMs, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
