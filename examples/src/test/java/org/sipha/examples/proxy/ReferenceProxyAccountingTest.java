package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
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
 * also when the cluster loses quorum mid-run (the records spool and land once after the heal) and a second proxy is
 * SIGKILLed with records in its spool and started again, and when the 200 and the BYE are sent twice.
 */
@ExtendWith(GaleraClusterExtension.class)
class ReferenceProxyAccountingTest {
    private final SippProcesses sipp = new SippProcesses();
    private final List<Process> children = new ArrayList<>();
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
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The reference proxy's arguments: {@code port}, accounting into {@code spool}, the test cluster. */
    private static List<String> proxyArgs(int port, Path spool, String... backends) {
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
                spool.toString()));
        for (int n = 1; n <= GaleraTestCluster.NODES; n++) {
            args.addAll(List.of("--galera-node", "127.0.0.1:" + GaleraTestCluster.sqlPort(n)));
        }
        for (String b : backends) {
            args.addAll(List.of("--backend", b));
        }
        return args;
    }

    /** Starts the reference proxy on {@code port} with accounting, in this JVM, wired as its main method wires it. */
    private void startProxy(int port, String... backends) throws Exception {
        List<String> args = proxyArgs(port, dir.resolve("accounting-" + port + ".spool"), backends);
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

    /** The reference proxy's main in a child JVM (the jar's entry point), logging to {@code log}. */
    private Process startChildProxy(List<String> args, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ReferenceProxy.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        children.add(p);
        return p;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /**
     * Two proxies, each with its own spool: P1 in this JVM carries SIPp's main run; P2, the jar's main in a child
     * JVM, carries a second caller while the cluster has no quorum, is SIGKILLed with its records in its spool, and
     * replays them when it is started again after the heal. The records of both equal SIPp's counts.
     */
    @Test
    void recordsMatchSippsCountsAcrossAQuorumLossAndAProxyKilledWithAFullSpool(GaleraTestCluster cluster)
            throws Exception {
        long t0 = System.currentTimeMillis();
        int calls = 600;
        int rate = 30;
        int runS = calls / rate + 90;
        String[] backends = {"sip:127.0.0.1:15601", "sip:127.0.0.1:15602", "sip:127.0.0.1:15603"};
        sipp.start(SippProcess.uas("uas_answer.xml", 15601, 15611, 15620)
                .answerOptions()
                .globalTimeoutS(runS + 60));
        sipp.start(SippProcess.uas("uas_486.xml", 15602, 15612, 15624)
                .answerOptions()
                .globalTimeoutS(runS + 60));
        sipp.start(SippProcess.uas("uas_503.xml", 15603, 15613, 15628)
                .answerOptions()
                .globalTimeoutS(runS + 60));
        startProxy(15600, backends);
        Path p2Log = dir.resolve("p2.log");
        List<String> p2Args = proxyArgs(15605, dir.resolve("p2.spool"), backends);
        Process p2 = startChildProxy(p2Args, p2Log);
        await(() -> read(p2Log).contains("call accounting on"), 30_000, "P2 started: " + p2Log);
        SippProcess uac = sipp.start(SippProcess.uac("uac_call.xml", "127.0.0.1:15600", 15604, 15614, 15632)
                .calls(calls)
                .rate(rate)
                .globalTimeoutS(runS));
        Thread.sleep(5_000);
        cluster.splitTwoTwo(); // n1, n2 hold 2 of 4 votes: no node of the site may be trusted
        await(() -> !quorum.isQuorate(), 30_000, "site quorum lost");
        await(() -> read(p2Log).contains("site quorum LOST"), 30_000, "P2 sees the loss");
        long spooledBefore = accounting.spooled();
        SippProcess uac2 = sipp.start(SippProcess.uac("uac_call.xml", "127.0.0.1:15605", 15607, 15617, 15636)
                .calls(60)
                .rate(30));
        assertTrue(uac2.waitFor(60_000), "the second caller ended");
        Thread.sleep(1_000); // P2's writer appends what its loop recorded to its spool within milliseconds
        p2.destroyForcibly(); // SIGKILL
        assertTrue(p2.waitFor(10, TimeUnit.SECONDS));
        long spooledDuringLoss = accounting.spooled() - spooledBefore;
        cluster.heal();
        await(quorum::isQuorate, 60_000, "site quorate again");
        startChildProxy(p2Args, p2Log);
        await(() -> read(p2Log).split("call accounting on", -1).length > 2, 30_000, "P2 restarted: " + p2Log);
        String replay = read(p2Log).replaceAll("(?s).*spool \\S+ \\((\\d+) record\\(s\\) waiting.*", "$1");
        assertTrue(uac.waitFor(runS * 1000L), "SIPp ended");
        SippStats stats = uac.stats();
        SippStats stats2 = uac2.stats();
        awaitWritten();
        await(() -> folded(rowsOrEmpty("127.0.0.1:15607", t0)).equals(expected(stats2)), 60_000, "P2's spool replayed");
        Map<String, Long> rows = rows("127.0.0.1:15604", t0);
        Map<String, Long> rows2 = rows("127.0.0.1:15607", t0);
        System.out.printf(
                "MEASURED accounting across a quorum loss: P1 (SIPp %s) records %s, %d of them spooled while the site"
                        + " had no quorum, all replayed, %d lost; P2 (SIPp %s) SIGKILLed with %s record(s) in its spool,"
                        + " replayed after its restart: records %s%n",
                stats, rows, spooledDuringLoss, accounting.lost(), stats2, replay, rows2);
        assertTrue(spooledDuringLoss > 0, "records went to the spool during the loss");
        assertTrue(stats.successfulCalls() > 0 && stats.failedCalls() > 0, stats.toString());
        assertEquals(expected(stats), folded(rows), "one OUTCOME per INVITE, one START and one STOP per answered call");
        assertEquals(stats.callsCreated(), stats.successfulCalls() + stats.failedCalls(), stats.toString());
        assertEquals(expected(stats2), folded(rows2), "P2's records, through its spool and a SIGKILL");
        assertTrue(Long.parseLong(replay) > 0, "P2 restarted with records to replay: " + replay);
        assertEquals(0, accounting.lost());
    }

    /**
     * The run: SIPp calls P1 (this JVM) and P2 (the jar's main in a child JVM) at half the rate each; mid-run
     * P2 is SIGKILLed and started again while its caller goes on calling it (SIPp retransmits the INVITEs and BYEs
     * it sent meanwhile), then Galera node n1 is isolated and brought back. Per proxy the records equal SIPp's counts
     * by this rule: a successful call has one OUTCOME 200, one START and one STOP; a failed call that got a final
     * answer (486, or the proxy's 503) one OUTCOME; a failed call that got no answer at all (SIPp gave up
     * retransmitting to the dead proxy: no proxy forwarded it) none. No call has two rows of one kind. Size:
     * {@code -Dsipha.accounting.calls} (default 400) at {@code -Dsipha.accounting.rate} calls/s (default 40).
     */
    @Test
    void callsThroughTwoProxiesWhileOneIsKilledAndRestartedAndAGaleraNodeIsIsolated(GaleraTestCluster cluster)
            throws Exception {
        long t0 = System.currentTimeMillis();
        int calls = Integer.getInteger("sipha.accounting.calls", 400);
        int rate = Integer.getInteger("sipha.accounting.rate", 40);
        long runMs = 1000L * calls / rate;
        int globalS = (int) (runMs / 1000) + 180; // SIPp's -timeout: the backends must outlive the calls
        String[] backends = {"sip:127.0.0.1:15601", "sip:127.0.0.1:15602", "sip:127.0.0.1:15603"};
        List<SippProcess> uas = List.of(
                sipp.start(SippProcess.uas("uas_answer.xml", 15601, 15611, 15620)
                        .answerOptions()
                        .globalTimeoutS(globalS)),
                sipp.start(SippProcess.uas("uas_486.xml", 15602, 15612, 15624)
                        .answerOptions()
                        .globalTimeoutS(globalS)),
                sipp.start(SippProcess.uas("uas_503.xml", 15603, 15613, 15628)
                        .answerOptions()
                        .globalTimeoutS(globalS)));
        startProxy(15600, backends);
        Path p2Log = dir.resolve("p2.log");
        List<String> p2Args = proxyArgs(15605, dir.resolve("p2.spool"), backends);
        Process p2 = startChildProxy(p2Args, p2Log);
        await(() -> read(p2Log).contains("call accounting on"), 30_000, "P2 started: " + p2Log);
        SippProcess uac1 = sipp.start(SippProcess.uac("uac_call.xml", "127.0.0.1:15600", 15604, 15614, 15632)
                .calls(calls / 2)
                .rate(rate / 2)
                .globalTimeoutS(globalS));
        SippProcess uac2 = sipp.start(SippProcess.uac("uac_call.xml", "127.0.0.1:15605", 15607, 15617, 15636)
                .calls(calls - calls / 2)
                .rate(rate - rate / 2)
                .globalTimeoutS(globalS));
        long callsStartNs = System.nanoTime();

        sleepUntil(callsStartNs, Math.max(2_000, runMs / 5));
        p2.destroyForcibly(); // SIGKILL, while its caller goes on
        assertTrue(p2.waitFor(10, TimeUnit.SECONDS));
        long killedNs = System.nanoTime();
        startChildProxy(p2Args, p2Log);
        await(() -> read(p2Log).split("call accounting on", -1).length > 2, 60_000, "P2 restarted: " + p2Log);
        long p2DeadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
        String replayed = read(p2Log).replaceAll("(?s).*spool \\S+ \\((\\d+) record\\(s\\) waiting.*", "$1");

        sleepUntil(callsStartNs, Math.max(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - callsStartNs), runMs / 2));
        long spooledBefore = accounting.spooled();
        cluster.isolate(1);
        sleepUntil(
                callsStartNs,
                Math.max(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - callsStartNs) + 5_000, runMs * 4 / 5));
        cluster.unisolate(1);
        cluster.waitAllSynced(60_000);
        long p1Spooled = accounting.spooled() - spooledBefore;

        assertTrue(uac1.waitFor(globalS * 1000L), "SIPp to P1 ended");
        assertTrue(uac2.waitFor(globalS * 1000L), "SIPp to P2 ended");
        for (SippProcess b : uas) {
            assertTrue(b.isAlive(), "every backend answered to the end: " + b.log());
        }
        SippStats s1 = uac1.stats();
        SippStats s2 = uac2.stats();
        awaitWritten();
        Map<String, Long> want1 = expected(s1.successfulCalls(), answeredFailures(s1));
        Map<String, Long> want2 = expected(s2.successfulCalls(), answeredFailures(s2));
        try {
            await(
                    () -> folded(rowsOrEmpty("127.0.0.1:15604", t0)).equals(want1)
                            && folded(rowsOrEmpty("127.0.0.1:15607", t0)).equals(want2),
                    60_000,
                    "records equal SIPp's counts");
        } catch (AssertionError differs) { // the assertions below say how
        }
        Map<String, Long> rows1 = rows("127.0.0.1:15604", t0);
        Map<String, Long> rows2 = rows("127.0.0.1:15607", t0);
        long p2SpooledByItsWriters = spoolingLines(read(p2Log));
        System.out.printf(
                "MEASURED %d calls at %d/s through two proxies: P1 SIPp %s (unanswered %d), records %s, %d spooled"
                        + " while n1 was isolated, %d lost; P2 SIPp %s (unanswered %d), records %s, SIGKILLed and dead"
                        + " %d ms, %s record(s) replayed from its spool at the restart, %d spooled by its writers;"
                        + " SIPp's failures P1 %s, P2 %s%n",
                calls,
                rate,
                s1,
                unanswered(s1),
                rows1,
                p1Spooled,
                accounting.lost(),
                s2,
                unanswered(s2),
                rows2,
                p2DeadMs,
                replayed,
                p2SpooledByItsWriters,
                failures(s1),
                failures(s2));
        assertEquals(s1.callsCreated(), s1.successfulCalls() + s1.failedCalls(), s1.toString());
        assertEquals(s2.callsCreated(), s2.successfulCalls() + s2.failedCalls(), s2.toString());
        assertEquals(want1, folded(rows1), "P1: one OUTCOME per answered attempt, one START and one STOP per call");
        assertEquals(want2, folded(rows2), "P2: the same, across its SIGKILL and restart");
        assertEquals(Map.of(), duplicatedCalls(t0), "calls with two rows of one kind");
        assertEquals(0, accounting.lost());
    }

    private static void sleepUntil(long startNs, long afterMs) throws InterruptedException {
        long waitMs = afterMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        if (waitMs > 0) {
            Thread.sleep(waitMs);
        }
    }

    /** SIPp's failed calls that never got a final answer: it gave up retransmitting, or waited in vain. */
    private static long unanswered(SippStats s) {
        return s.counter("FailedMaxUDPRetrans(C)")
                + s.counter("FailedTimeoutOnRecv(C)")
                + s.counter("FailedCannotSendMessage(C)");
    }

    private static long answeredFailures(SippStats s) {
        return s.failedCalls() - unanswered(s);
    }

    /** SIPp's non-zero failure counters, for the report. */
    private static Map<String, Long> failures(SippStats s) {
        Map<String, Long> m = new TreeMap<>();
        for (String c : List.of(
                "FailedCannotSendMessage(C)",
                "FailedMaxUDPRetrans(C)",
                "FailedUnexpectedMessage(C)",
                "FailedCallRejected(C)",
                "FailedTimeoutOnRecv(C)",
                "FailedTimeoutOnSend(C)",
                "FailedOutboundCongestion(C)")) {
            long n = s.counter(c);
            if (n > 0) {
                m.put(c, n);
            }
        }
        return m;
    }

    /** "spooling N CDRs" lines of a proxy's log, summed. */
    private static long spoolingLines(String log) {
        long n = 0;
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("spooling (\\d+) CDRs").matcher(log);
        while (m.find()) {
            n += Long.parseLong(m.group(1));
        }
        return n;
    }

    /** Per source and kind, rows beyond one per call since {@code sinceMs} (none: nothing duplicated). */
    private static Map<String, Long> duplicatedCalls(long sinceMs) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = GaleraTestCluster.connect(2, 30_000);
                Statement st = c.createStatement()) {
            st.execute("SET SESSION wsrep_sync_wait = 1");
            try (ResultSet rs = st.executeQuery("SELECT CONCAT(source, ' ', kind), COUNT(*) - COUNT(DISTINCT call_id)"
                    + " FROM cdr WHERE start_ms >= " + sinceMs + " GROUP BY 1")) {
                while (rs.next()) {
                    if (rs.getLong(2) != 0) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The rows a run must leave, as {@link #folded}: SIPp's answered calls (200) and failed ones (the 486 backend's,
     * or a 503 when every backend was tried).
     */
    private static Map<String, Long> expected(SippStats s) {
        return expected(s.successfulCalls(), s.failedCalls());
    }

    private static Map<String, Long> expected(long answered, long failed) {
        Map<String, Long> m = new TreeMap<>();
        if (answered > 0) {
            m.put("OUTCOME 200", answered);
            m.put("START 200", answered);
            m.put("STOP 0", answered);
        }
        if (failed > 0) {
            m.put("OUTCOME failed", failed);
        }
        return m;
    }

    /** {@code rows} with the OUTCOME rows of every final answer but 200 summed as "OUTCOME failed". */
    private static Map<String, Long> folded(Map<String, Long> rows) {
        Map<String, Long> m = new TreeMap<>();
        rows.forEach((k, n) ->
                m.merge(k.startsWith("OUTCOME ") && !k.equals("OUTCOME 200") ? "OUTCOME failed" : k, n, Long::sum));
        return m;
    }

    private static Map<String, Long> rowsOrEmpty(String source, long sinceMs) {
        try {
            return rows(source, sinceMs);
        } catch (Exception | AssertionError e) {
            return Map.of();
        }
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
