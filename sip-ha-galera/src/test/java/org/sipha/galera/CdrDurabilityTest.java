package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.galera.TestClients.await;
import static org.sipha.galera.TestClients.measure;
import static org.sipha.galera.TestClients.ms;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** CDRs written while no quorate node is reachable end up exactly once in the database, across a writer crash. */
@ExtendWith(GaleraClusterExtension.class)
class CdrDurabilityTest {
    static final int TOTAL = 10_000;
    static final int BATCH = 50;

    @TempDir
    Path dir;

    @Test
    void cdrsSpooledDuringTotalQuorumLossAreStoredExactlyOnceAfterRecoveryAcrossAWriterKill(GaleraTestCluster cluster)
            throws Exception {
        String prefix = "run" + System.nanoTime();
        long confBefore = Long.parseLong(cluster.statusOrNull(2).get("WSREP_CLUSTER_CONF_ID"));
        Path spoolPath = dir.resolve("cdr.spool");
        // total loss: the local node isolated, the other two frozen
        cluster.isolate(1);
        cluster.sigstop(2);
        cluster.sigstop(3);
        try {
            cluster.awaitOwnClusterStatus(1, "non-Primary", 20_000);

            int acked = runChildAndKillMidway(spoolPath, prefix);

            try (CdrSpool spool = CdrSpool.open(spoolPath, 64L << 20);
                    GaleraQuorumClient client =
                            GaleraQuorumClient.start(TestClients.config(1).build());
                    DurableCdrWriter writer = new DurableCdrWriter(client.dataSource(), client, spool, 500, 100)) {
                measure(
                        "writer JVM SIGKILLed after ACK of",
                        acked + " CDRs; spool reopened with " + spool.pending() + " pending, torn tail dropped: "
                                + spool.truncatedBytesOnOpen() + " bytes");
                assertTrue(spool.pending() >= acked, "every acknowledged CDR survived: " + spool.pending());
                // the restarted writer goes on from the last acknowledged CDR (some may be spooled twice)
                for (int i = acked; i < TOTAL; i += BATCH) {
                    assertEquals(
                            DurableCdrWriter.Outcome.SPOOLED,
                            writer.writeAll(CdrFixtures.range(prefix, i, Math.min(TOTAL, i + BATCH))));
                }
                long spooledTotal = spool.pending();
                assertTrue(spooledTotal >= TOTAL, "spool holds all: " + spooledTotal);

                AtomicLong quorateAt = new AtomicLong();
                java.util.List<String> ups = new java.util.concurrent.CopyOnWriteArrayList<>();
                client.addListener(e -> {
                    if (e instanceof GaleraEvent.SiteQuorumChanged q && q.quorate()) {
                        quorateAt.compareAndSet(0, System.nanoTime());
                    }
                    if (e instanceof GaleraEvent.NodeUp u) {
                        ups.add(u.reason());
                    }
                });
                long tHeal = System.nanoTime();
                cluster.sigcont(2);
                cluster.sigcont(3);
                cluster.unisolate(1);
                await("site quorate again", 90_000, () -> quorateAt.get() != 0);
                measure(
                        "recovery started (SIGCONT n2,n3 + unisolate n1) -> our SiteQuorumChanged(true)",
                        ms(quorateAt.get() - tHeal));
                await("spool drained", 120_000, () -> writer.pending() == 0);
                measure(
                        "spool of " + spooledTotal + " CDRs replayed, quorum regained -> drained",
                        ms(System.nanoTime() - quorateAt.get()));
                // n2 and n3 resume from SIGSTOP claiming Primary/Synced/size 4 with the pre-freeze conf_id for
                // seconds (a stale view, both alike, so no peer contradicts them): none may be trusted with it
                for (String up : ups) {
                    long conf = Long.parseLong(up.replaceAll(".*conf=(\\d+).*", "$1"));
                    assertTrue(conf > confBefore, "trusted a node with its pre-fault view: " + up);
                }
            }
            assertArrayEquals(
                    CdrFixtures.expected(prefix, TOTAL),
                    CdrFixtures.stored(prefix),
                    "count, SUM(duration_ms), BIT_XOR(CRC32(id)) in the database");
        } finally {
            cluster.heal();
        }
    }

    private int runChildAndKillMidway(Path spoolPath, String prefix) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        cp,
                        CdrWriterChild.class.getName(),
                        spoolPath.toString(),
                        prefix,
                        Integer.toString(TOTAL),
                        Integer.toString(BATCH))
                .redirectError(dir.resolve("child-stderr.log").toFile())
                .start();
        int acked = 0;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            String line;
            while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    String[] f = line.split(" ");
                    acked = Integer.parseInt(f[1]);
                    assertEquals("SPOOLED", f[2], "no quorate node: must spool");
                    if (acked >= TOTAL * 2 / 5) {
                        break;
                    }
                }
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no flush
            child.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(acked >= TOTAL * 2 / 5, "child acknowledged " + acked + "; see " + dir.resolve("child-stderr.log"));
        return acked;
    }
}
