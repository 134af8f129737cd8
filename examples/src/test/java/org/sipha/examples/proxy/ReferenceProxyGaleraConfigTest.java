package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.galera.GaleraClientConfig;
import org.sipha.galera.GaleraClusterExtension;
import org.sipha.galera.GaleraQuorumClient;
import org.sipha.galera.GaleraTestCluster;
import org.sipha.galera.config.ConfigContent;
import org.sipha.galera.config.ConfigWatchStatus;
import org.sipha.galera.config.DispatcherListText;
import org.sipha.galera.config.GaleraConfigStore;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * Configuration in Galera, applied by reference proxies ({@code --config-from-galera}) against the real 3-node
 * cluster with garbd ({@link GaleraClusterExtension}) and SIPp (127.0.0.1 ports 15500-15539; SIPp binds its media
 * port and that port + 2, hence media ports 4 apart): a push reaches two
 * proxies, under load; a version with an invalid URI is refused by both; a proxy whose only node is cut off keeps
 * its version, starts from its local copy, and catches up after the heal; Record-Route keys rotate under calls.
 */
@ExtendWith(GaleraClusterExtension.class)
class ReferenceProxyGaleraConfigTest {
    private static final String S1 = "first record-route passphrase of this test, 32+ bytes";
    private static final String S2 = "second record-route passphrase of this test, 32+ bytes";
    private static final String S3 = "third record-route passphrase of this test, 32+ bytes";
    private static final InetSocketAddress P1 = new InetSocketAddress("127.0.0.1", 15500);
    private static final InetSocketAddress P2 = new InetSocketAddress("127.0.0.1", 15501);
    private static final InetSocketAddress P3 = new InetSocketAddress("127.0.0.1", 15502);
    private static final InetSocketAddress R1 = new InetSocketAddress("127.0.0.1", 15504);
    private static final InetSocketAddress R2 = new InetSocketAddress("127.0.0.1", 15505);
    private static final int UAS_A = 15510;
    private static final int UAS_B = 15511;
    private static final String A = "1 sip:127.0.0.1:" + UAS_A + " 0 0 duid=pbx-a;weight=1\n";
    private static final String B = "1 sip:127.0.0.1:" + UAS_B + " 0 0 duid=pbx-b;weight=1\n";

    @TempDir
    Path dir;

    private final SippProcesses sipp = new SippProcesses();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private GaleraQuorumClient operator;
    private GaleraConfigStore store;

    @BeforeAll
    static void requireSipp() {
        SippProcess.requireSipp();
    }

    @BeforeEach
    void operator() throws Exception {
        GaleraClientConfig.Builder b = GaleraClientConfig.builder();
        for (int n = 1; n <= GaleraTestCluster.NODES; n++) {
            b.node("n" + n, "127.0.0.1", GaleraTestCluster.sqlPort(n));
        }
        operator = GaleraQuorumClient.start(b.localNode("n1")
                .voters(GaleraTestCluster.voters())
                .user(GaleraTestCluster.USER)
                .password(GaleraTestCluster.PASSWORD)
                .database("sipha")
                .canaryIntervalMs(0)
                .statementTimeoutMs(6000)
                .build());
        await(
                "the operator's client trusts a node",
                30_000,
                () -> operator.view().siteQuorate());
        store = new GaleraConfigStore(operator.dataSource());
    }

    @AfterEach
    void stop() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
        sipp.close();
        operator.close();
    }

    @Test
    void aPushIsAppliedByTwoProxiesAndMeasuredFromCommitToApplied() throws Exception {
        startUas(UAS_A, 15518, 15524);
        startUas(UAS_B, 15519, 15528);
        long first = publish(A, S1);
        GaleraConfiguredProxy p1 = proxy(P1, 1, "p1", true);
        GaleraConfiguredProxy p2 = proxy(P2, 2, "p2", true);
        awaitApplied(p1, first);
        awaitApplied(p2, first);

        List<Long> lat1 = new ArrayList<>();
        List<Long> lat2 = new ArrayList<>();
        java.util.Random phase = new java.util.Random(20);
        for (int i = 1; i <= 20; i++) {
            Thread.sleep(phase.nextInt(250)); // not in step with the proxies' polls
            String list = A.replace("weight=1", "weight=" + (i + 1)) + (i % 5 == 3 ? "" : B);
            long v = publish(list, S1);
            long committed = System.currentTimeMillis();
            awaitApplied(p1, v);
            awaitApplied(p2, v);
            lat1.add(p1.status().appliedAtMillis() - committed);
            lat2.add(p2.status().appliedAtMillis() - committed);
        }
        assertEquals(List.of("pbx-a", "pbx-b"), p1.destinationIds());
        assertEquals(p1.destinationIds(), p2.destinationIds());
        System.out.printf(
                "MEASURED config apply, commit -> applied over 20 pushes: proxy 1 (local n1) p50 %d ms max %d ms;"
                        + " proxy 2 (local n2) p50 %d ms max %d ms (poll every 250 ms)%n",
                p50(lat1), Collections.max(lat1), p50(lat2), Collections.max(lat2));
        assertTrue(Collections.max(lat1) < 10_000 && Collections.max(lat2) < 10_000, lat1 + " " + lat2);
    }

    @Test
    void underLoadAcrossChangesNoCallFailsAndTheNewDestinationGetsCalls() throws Exception {
        SippProcess a = startUas(UAS_A, 15518, 15524);
        SippProcess b = startUas(UAS_B, 15519, 15528);
        publish(A, S1);
        GaleraConfiguredProxy p1 = proxy(P1, 1, "p1", true);
        GaleraConfiguredProxy p2 = proxy(P2, 2, "p2", true);
        SippProcess uac1 = load(P1, 15515, 15520, 15532);
        SippProcess uac2 = load(P2, 15516, 15521, 15536);

        Thread.sleep(3_000);
        long withB = publish(A + B, S1);
        awaitApplied(p1, withB);
        awaitApplied(p2, withB);
        long callsToA = calls(a);
        Thread.sleep(3_000);
        long withoutA = publish(B, S1);
        awaitApplied(p1, withoutA);
        awaitApplied(p2, withoutA);

        int rc1 = uac1.await(90_000);
        int rc2 = uac2.await(90_000);
        long answered = uac1.stats().successfulCalls() + uac2.stats().successfulCalls();
        await("the backends' counts reach the callers'", 10_000, () -> calls(a) + calls(b) >= answered);
        System.out.printf(
                "MEASURED config change under load: 2 x 100 calls/s through two proxies, B added then A removed:"
                        + " proxy 1 %s, proxy 2 %s; backend A took %d calls (%d before B came), B took %d%n",
                uac1.stats(), uac2.stats(), calls(a), callsToA, calls(b));
        assertEquals(0, uac1.stats().failedCalls(), uac1.stats().toString());
        assertEquals(0, uac2.stats().failedCalls(), uac2.stats().toString());
        assertEquals(0, rc1, uac1.output());
        assertEquals(0, rc2, uac2.output());
        assertTrue(callsToA > 0, "A took calls before the change");
        assertTrue(calls(b) > 0, "the new destination took calls");
    }

    @Test
    void aVersionWithAnInvalidUriIsRefusedByBothProxiesAndTheRunningConfigurationStays() throws Exception {
        startUas(UAS_A, 15518, 15524);
        long good = publish(A, S1);
        GaleraConfiguredProxy p1 = proxy(P1, 1, "p1", false);
        GaleraConfiguredProxy p2 = proxy(P2, 2, "p2", false);
        awaitApplied(p1, good);
        awaitApplied(p2, good);

        String invalid = A + "1 http://127.0.0.1:" + UAS_B + " 0 0 duid=pbx-b\n";
        Path listFile = Files.writeString(dir.resolve("invalid.list"), invalid);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ConfigCommand.run(
                commandArgs("push", listFile.toString()),
                Map.of(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, rc, "config push refuses it: " + err);
        assertEquals(good, store.activeVersion(), "nothing published by the command");

        long bad = publish(invalid, S1); // as plain SQL could
        for (GaleraConfiguredProxy p : List.of(p1, p2)) {
            await("refused by " + p.options.listen, 10_000, () -> p.status().refusedVersion() == bad);
            ConfigWatchStatus s = p.status();
            assertEquals(good, s.appliedVersion());
            assertTrue(s.refusedReason().contains("line 2"), s.refusedReason());
            assertEquals(List.of("pbx-a"), p.destinationIds(), "the running configuration is unchanged");
        }
        System.out.printf(
                "MEASURED invalid version %d refused: %s%n", bad, p1.status().refusedReason());
        assertEquals(0, uac(P1, 15515, 15520, 15532).calls(1).run(30_000), "calls still go to A");
    }

    @Test
    void aProxyCutOffFromTheClusterKeepsItsVersionStartsFromItsCopyAndCatchesUpAfterTheHeal(GaleraTestCluster cluster)
            throws Exception {
        startUas(UAS_A, 15518, 15524);
        startUas(UAS_B, 15519, 15528);
        Path copy = dir.resolve("p3.copy");
        long v1 = publish(A, S1);
        GaleraConfiguredProxy p3 = proxy(P3, copy, "--galera-node", node(3));
        awaitApplied(p3, v1);

        cluster.isolate(3);
        long t0 = System.nanoTime();
        await("p3 sees no trusted node", 30_000, () -> !p3.quorate());
        long lossMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long v2 = publish(A + B, S1); // through n1, which p3 cannot reach
        Thread.sleep(1_500);
        assertEquals(v1, p3.status().appliedVersion(), "keeps its last good version");
        assertTrue(p3.status().consecutivePollFailures() > 0, p3.status().toString());
        assertEquals(0, uac(P3, 15515, 15520, 15532).calls(1).run(30_000), "and routes by it");

        closing.remove(p3);
        p3.close();
        GaleraConfiguredProxy restarted = proxy(P3, copy, "--galera-node", node(3), "--config-start-wait-ms", "1500");
        assertEquals(ConfigWatchStatus.Source.LOCAL_COPY, restarted.status().appliedFrom());
        assertEquals(v1, restarted.status().appliedVersion());
        assertEquals(List.of("pbx-a"), restarted.destinationIds());
        assertEquals(0, uac(P3, 15515, 15520, 15532).calls(1).run(30_000), "started on its copy, it routes");

        cluster.unisolate(3);
        long healed = System.nanoTime();
        while (!synced(cluster, 3)) { // its own status, read about every 50 ms
            if (System.nanoTime() - healed > TimeUnit.SECONDS.toNanos(60)) {
                fail("n3 not Primary and Synced within 60 s of the heal");
            }
            Thread.sleep(50);
        }
        long syncedNs = System.nanoTime();
        await("p3 trusts n3 again", 30_000, restarted::quorate);
        long trustedNs = System.nanoTime();
        awaitApplied(restarted, v2);
        long appliedNs = System.nanoTime();
        assertEquals(List.of("pbx-a", "pbx-b"), restarted.destinationIds());
        System.out.printf(
                "MEASURED isolated node: p3 lost its only node %d ms after the isolation; after gmcast.isolate=0, n3"
                        + " Synced at +%d ms, trusted by p3's quorum client at +%d ms, version %d applied at +%d ms"
                        + " (%d ms after Synced, %d ms after trusted)%n",
                lossMs,
                ms(syncedNs - healed),
                ms(trustedNs - healed),
                v2,
                ms(appliedNs - healed),
                ms(appliedNs - syncedNs),
                ms(appliedNs - trustedNs));
    }

    @Test
    void dialogsSetUpBeforeAKeyRotationEndAfterItThroughEitherProxy() throws Exception {
        startUas(UAS_A, 15518, 15524);
        long v1 = publish(A, S1);
        // two proxies of one site: the same advertised address, as anycast gives them
        GaleraConfiguredProxy r1 = proxy(R1, 1, "r1", false, "--advertise", "127.0.0.1:15504");
        GaleraConfiguredProxy r2 = proxy(R2, 2, "r2", false, "--advertise", "127.0.0.1:15504");
        awaitApplied(r1, v1);
        awaitApplied(r2, v1);
        try (RawDialogClient caller = new RawDialogClient(15517)) {
            RawDialogClient.Dialog before = caller.invite(R1);
            caller.ack(before, R1);
            RawDialogClient.Dialog stale = caller.invite(R2);
            caller.ack(stale, R2);
            assertEquals(ConfigContent.keyId(S1), before.keyId());
            SippProcess calls = uac(R1, 15515, 15520, 15532)
                    .rate(20)
                    .calls(80)
                    .args("-d", "3000")
                    .start();
            Thread.sleep(2_000); // calls up, their BYEs to come after the rotation

            long v2 = publish(A, S2, S1);
            awaitApplied(r1, v2);
            awaitApplied(r2, v2);
            assertEquals(200, caller.bye(before, R2), "BYE of a dialog set up before the rotation, through r2");

            RawDialogClient.Dialog after = caller.invite(R2);
            caller.ack(after, R2);
            assertEquals(ConfigContent.keyId(S2), after.keyId(), "new dialogs are signed with the new key");
            assertEquals(200, caller.bye(after, R1), "and routed by the other proxy");

            assertEquals(0, calls.await(60_000), calls.output());
            assertEquals(0, calls.stats().failedCalls(), calls.stats().toString());

            long v3 = publish(A, S3, S2);
            awaitApplied(r1, v3);
            awaitApplied(r2, v3);
            assertEquals(403, caller.bye(stale, R2), "a token two keys old is refused");
            System.out.printf(
                    "MEASURED key rotation: %s through r1 across the rotation, BYE of a pre-rotation dialog through"
                            + " r2 200, a token two keys old 403%n",
                    calls.stats());
        }
    }

    @Test
    void theProgramFollowsTheClusterAndItsConfigCommandPublishesListsDiffsAndRollsBack() throws Exception {
        SippProcess a = startUas(UAS_A, 15518, 15524);
        SippProcess b = startUas(UAS_B, 15519, 15528);
        Path listA = Files.writeString(dir.resolve("a.list"), A);
        Path listB = Files.writeString(dir.resolve("b.list"), B);
        Path secret = Files.writeString(dir.resolve("rr.secret"), S1 + "\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Program push = configProgram(
                dir.resolve("push-a.log"),
                "push",
                listA.toString(),
                "--record-route-secret-file",
                secret.toString(),
                "--comment",
                "pbx a");
        assertEquals(0, push.exit(), push.log());
        long va = store.activeVersion();
        assertTrue(push.log().contains("published version " + va), push.log());

        List<String> args = new ArrayList<>(List.of(
                "--listen",
                "udp:127.0.0.1:15503",
                "--config-from-galera",
                dir.resolve("program.copy").toString(),
                "--galera-voters",
                Integer.toString(GaleraTestCluster.voters()),
                "--galera-user",
                GaleraTestCluster.USER,
                "--galera-password",
                GaleraTestCluster.PASSWORD,
                "--warmup-calls",
                "0",
                "--probe-interval-ms",
                "500",
                "--probe-timeout-ms",
                "400"));
        for (int n = 1; n <= GaleraTestCluster.NODES; n++) {
            args.addAll(List.of("--galera-node", node(n)));
        }
        Program proxy = program(dir.resolve("proxy.log"), args.toArray(new String[0]));
        await(
                "the program follows the cluster",
                60_000,
                () -> proxy.log().contains("following the configuration in the Galera cluster"));
        assertEquals(
                0,
                uac(new InetSocketAddress("127.0.0.1", 15503), 15515, 15520, 15532)
                        .calls(1)
                        .run(30_000));
        await("version " + va + " routes to A", 10_000, () -> calls(a) == 1);

        Program pushB = configProgram(dir.resolve("push-b.log"), "push", listB.toString());
        assertEquals(0, pushB.exit(), pushB.log());
        long vb = store.activeVersion();
        await(
                "the program applies version " + vb,
                20_000,
                () -> proxy.log().contains("configuration version " + vb + " in force"));
        assertEquals(
                0,
                uac(new InetSocketAddress("127.0.0.1", 15503), 15515, 15520, 15532)
                        .calls(1)
                        .run(30_000));
        await("version " + vb + " routes to B", 10_000, () -> calls(b) == 1);
        assertEquals(1, calls(a), "and no longer to A");
        assertEquals(ConfigContent.keyId(S1), store.list(1).get(0).keyId(), "push kept the secret in force");

        String list = command("list");
        assertTrue(list.contains("*") && list.contains(Long.toString(vb)) && list.contains("pbx a"), list);
        String diff = command("diff", Long.toString(va), Long.toString(vb));
        assertTrue(diff.contains("+ 1 sip:127.0.0.1:" + UAS_B) && diff.contains("- 1 sip:127.0.0.1:" + UAS_A), diff);
        String show = command("show", Long.toString(va));
        assertTrue(show.contains("1 sip:127.0.0.1:" + UAS_A + " 0 0 duid=pbx-a;weight=1") && !show.contains(S1), show);
        String back = command("rollback", Long.toString(va));
        long vr = store.activeVersion();
        assertTrue(back.contains("published version " + vr + " with the content of version " + va), back);
        await(
                "the program applies the rollback",
                20_000,
                () -> proxy.log().contains("configuration version " + vr + " in force"));

        proxy.process().destroy(); // SIGTERM: drains and exits 0
        assertTrue(proxy.process().waitFor(30, TimeUnit.SECONDS), proxy.log());
        assertEquals(0, proxy.process().exitValue(), proxy.log());
    }

    // ------------------------------------------------------------------ helpers

    /** The reference proxy's program in a child JVM, as {@code java -jar sip-ha-proxy.jar ARGS} runs it. */
    private Program program(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ReferenceProxy.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Program program = new Program(p, log);
        closing.add(program);
        return program;
    }

    /** {@code java -jar sip-ha-proxy.jar config COMMAND} with the cluster's options, in a child JVM. */
    private Program configProgram(Path log, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(ConfigCommand.NAME));
        args.addAll(List.of(commandArgs(command)));
        return program(log, args.toArray(new String[0]));
    }

    /**
     * Calls a SIPp UAS took to their end, as its statistics file says (written once a second); 0 before its first
     * row. Not {@code callsCreated}: every health probe (OPTIONS, answered by {@code -aa}) creates a call there.
     */
    private static long calls(SippProcess uas) {
        try {
            return uas.stats().successfulCalls();
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** A child JVM and its output. */
    private record Program(Process process, Path logFile) implements AutoCloseable {
        int exit() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                fail("still running after 60 s: " + log());
            }
            return process.exitValue();
        }

        String log() {
            try {
                return Files.readString(logFile);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** {@code config ARGS} in process; what it printed (it must exit 0). */
    private String command(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ConfigCommand.run(
                commandArgs(args),
                Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private long publish(String list, String secret) throws Exception {
        return publish(list, secret, null);
    }

    private long publish(String list, String secret, String previous) throws Exception {
        return store.publish(new ConfigContent(DispatcherListText.parse(list), secret, previous), "test", "");
    }

    /** A proxy whose first (local) Galera node is n{@code local}, then the other two. */
    private GaleraConfiguredProxy proxy(
            InetSocketAddress listen, int local, String name, boolean health, String... more) throws Exception {
        List<String> args = new ArrayList<>();
        for (int n : new int[] {local, local % 3 + 1, (local + 1) % 3 + 1}) {
            args.add("--galera-node");
            args.add(node(n));
        }
        if (!health) {
            args.add("--no-health");
        }
        args.addAll(List.of(more));
        return proxy(listen, dir.resolve(name + ".copy"), args.toArray(new String[0]));
    }

    private GaleraConfiguredProxy proxy(InetSocketAddress listen, Path copy, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--listen",
                "udp:127.0.0.1:" + listen.getPort(),
                "--config-from-galera",
                copy.toString(),
                "--galera-voters",
                Integer.toString(GaleraTestCluster.voters()),
                "--galera-user",
                GaleraTestCluster.USER,
                "--galera-password",
                GaleraTestCluster.PASSWORD,
                "--quorum-loss",
                "ignore",
                "--warmup-calls",
                "0",
                "--event-loops",
                "1",
                "--probe-interval-ms",
                "500",
                "--probe-timeout-ms",
                "400"));
        args.addAll(List.of(more));
        GaleraConfiguredProxy p = GaleraConfiguredProxy.start(args.toArray(new String[0]));
        closing.add(p);
        return p;
    }

    private String[] commandArgs(String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        for (int n = 1; n <= GaleraTestCluster.NODES; n++) {
            args.add("--galera-node");
            args.add(node(n));
        }
        args.addAll(List.of(
                "--galera-voters", Integer.toString(GaleraTestCluster.voters()),
                "--galera-user", GaleraTestCluster.USER,
                "--galera-password", GaleraTestCluster.PASSWORD));
        return args.toArray(new String[0]);
    }

    private static String node(int n) {
        return "127.0.0.1:" + GaleraTestCluster.sqlPort(n);
    }

    private SippProcess startUas(int port, int control, int media) throws Exception {
        return sipp.start(
                SippProcess.uas("uas_answer.xml", port, control, media).answerOptions());
    }

    private static SippProcess.Builder uac(InetSocketAddress proxy, int port, int control, int media) {
        return SippProcess.uac("uac_call.xml", "127.0.0.1:" + proxy.getPort(), port, control, media);
    }

    /** 100 calls/s for 12 s through {@code proxy}. */
    private SippProcess load(InetSocketAddress proxy, int port, int control, int media) throws Exception {
        return sipp.start(uac(proxy, port, control, media)
                .rate(100)
                .calls(1200)
                .recvTimeoutMs(10_000)
                .globalTimeoutS(90));
    }

    private static void awaitApplied(GaleraConfiguredProxy p, long version) throws InterruptedException {
        await(
                p.options.listen + " applies version " + version,
                20_000,
                () -> p.status().appliedVersion() >= version);
    }

    private static boolean synced(GaleraTestCluster cluster, int n) {
        Map<String, String> s = cluster.statusOrNull(n);
        return s != null
                && "Primary".equals(s.get("WSREP_CLUSTER_STATUS"))
                && "Synced".equals(s.get("WSREP_LOCAL_STATE_COMMENT"))
                && "ON".equals(s.get("WSREP_READY"));
    }

    /** Bounded wait for a condition another thread makes true (not a timing assertion). */
    private static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + timeoutMs + " ms: " + what);
            }
            Thread.sleep(5);
        }
    }

    private static long p50(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
