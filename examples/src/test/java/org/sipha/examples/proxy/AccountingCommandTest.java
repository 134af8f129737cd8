package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.galera.Cdr;
import org.sipha.galera.CdrSpool;
import org.sipha.galera.DurableCdrWriter;
import org.sipha.galera.GaleraClusterExtension;
import org.sipha.galera.GaleraQuorumClient;
import org.sipha.galera.GaleraTestCluster;

/**
 * {@code accounting open-calls} against the real Galera cluster ({@link GaleraClusterExtension}; no SIP ports):
 * answered calls without a STOP older than the bound are listed, others are not; bad options exit 2.
 */
@ExtendWith(GaleraClusterExtension.class)
class AccountingCommandTest {
    @TempDir
    Path dir;

    private static List<String> galeraArgs() {
        List<String> a = new ArrayList<>();
        for (int n = 1; n <= GaleraTestCluster.NODES; n++) {
            a.addAll(List.of("--galera-node", "127.0.0.1:" + GaleraTestCluster.sqlPort(n)));
        }
        a.addAll(List.of(
                "--galera-voters",
                Integer.toString(GaleraTestCluster.voters()),
                "--galera-user",
                GaleraTestCluster.USER,
                "--galera-password",
                GaleraTestCluster.PASSWORD));
        return a;
    }

    private static Cdr event(Cdr.Kind kind, String callId, long epochMs) {
        return Cdr.event(
                kind,
                callId,
                "ft",
                "tt",
                "sip:a@a.test",
                "sip:b@b.test",
                epochMs,
                kind == Cdr.Kind.STOP ? 0 : 200,
                1,
                "127.0.0.1:5081",
                "192.0.2.7:5060");
    }

    @Test
    void listsAnsweredCallsWithoutStopOlderThanTheBound(GaleraTestCluster cluster) throws Exception {
        String prefix = "opencmd" + System.nanoTime() + "-";
        long now = System.currentTimeMillis();
        long fiveHoursAgo = now - Duration.ofHours(5).toMillis();
        ProxyOptions o = ProxyOptions.parse(galeraArgs().toArray(String[]::new));
        try (GaleraQuorumClient client = GaleraQuorumClient.start(QuorumWiring.config(o));
                CdrSpool spool = CdrSpool.open(dir.resolve("cmd.spool"), 1 << 24);
                DurableCdrWriter writer = new DurableCdrWriter(client.dataSource(), client, spool, 100, 100)) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!client.isSiteQuorate() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(
                    DurableCdrWriter.Outcome.STORED,
                    writer.writeAll(List.of(
                            event(Cdr.Kind.START, prefix + "ended", fiveHoursAgo),
                            event(Cdr.Kind.STOP, prefix + "ended", fiveHoursAgo + 60_000),
                            event(Cdr.Kind.START, prefix + "open", fiveHoursAgo),
                            event(Cdr.Kind.START, prefix + "recent", now))));
        }
        List<String> args = new ArrayList<>(List.of("open-calls", "--older-than", "4h", "--newer-than", "6h"));
        args.addAll(galeraArgs());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AccountingCommand.run(
                args.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        List<String> mine = out.toString(StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.contains(prefix))
                .toList();
        assertEquals(1, mine.size(), out.toString(StandardCharsets.UTF_8));
        String[] f = mine.get(0).split("\t");
        assertEquals(prefix + "open", f[2]);
        assertEquals("5h0m", f[1]);
        assertEquals("127.0.0.1:5081", f[7]);
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("answered_utc\tage\tcall_id\t"));
    }

    @Test
    void refusesMissingOrContradictoryBounds() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, AccountingCommand.run(new String[] {"open-calls"}, sink, sink));
        assertEquals(2, AccountingCommand.run(new String[] {"open-calls", "--older-than", "4x"}, sink, sink));
        assertEquals(
                2,
                AccountingCommand.run(
                        new String[] {"open-calls", "--older-than", "4h", "--newer-than", "1h"}, sink, sink));
        assertEquals(2, AccountingCommand.run(new String[] {"open-calls", "--older-than", "4h"}, sink, sink));
        assertEquals(2, AccountingCommand.run(new String[] {"closed-calls"}, sink, sink));
        assertEquals(Duration.ofMinutes(90), AccountingCommand.duration("90m", "--older-than"));
    }
}
