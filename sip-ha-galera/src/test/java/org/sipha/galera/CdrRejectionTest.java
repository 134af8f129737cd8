package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.galera.TestClients.await;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.core.spi.SiteQuorumSignal;

/** A CDR the database refuses goes to the quarantine file; one it cannot reach stays spooled. */
@ExtendWith(GaleraClusterExtension.class)
class CdrRejectionTest {
    @TempDir
    Path dir;

    @Test
    void cdrTheDatabaseRefusesIsQuarantinedAndTheCdrsAfterItAreStored(GaleraTestCluster cluster) throws Exception {
        String prefix = "rej" + System.nanoTime();
        List<Cdr> good = CdrFixtures.range(prefix, 0, 20);
        String callId = prefix + "-poison@cdr.sipha.test";
        Cdr poison = new Cdr(Cdr.idFor(callId, "ft"), callId, "sip:a@a.test", "sip:b@b.test", 1L, 1L, "POISON");
        try (Connection c = GaleraTestCluster.connect(1, 30_000);
                Statement st = c.createStatement()) {
            st.execute(DurableCdrWriter.TABLE_DDL);
            st.execute("ALTER TABLE cdr ADD CONSTRAINT cdr_test_poison CHECK (disposition <> 'POISON')");
        }
        Path spoolPath = dir.resolve("cdr.spool");
        try (CdrSpool spool = CdrSpool.open(spoolPath, 1 << 20)) {
            spool.append(good.subList(0, 10));
            spool.append(List.of(poison));
            spool.append(good.subList(10, 20));
            try (GaleraQuorumClient client =
                            GaleraQuorumClient.start(TestClients.config(1).build());
                    DurableCdrWriter writer = new DurableCdrWriter(client.dataSource(), client, spool, 8, 50)) {
                // the counters follow the spool's consumption, so wait for them too, not for the spool alone
                await(
                        "spool drained past the refused CDR",
                        60_000,
                        () -> writer.pending() == 0 && writer.replayed() + writer.rejected() >= 21);
                assertEquals(1, writer.rejected());
                assertEquals(20, writer.replayed());
                assertEquals(1, spool.recordsQuarantined());
            }
        } finally {
            try (Connection c = GaleraTestCluster.connect(1, 30_000);
                    Statement st = c.createStatement()) {
                st.execute("ALTER TABLE cdr DROP CONSTRAINT cdr_test_poison");
            }
        }
        assertArrayEquals(
                CdrFixtures.expected(prefix, 20),
                CdrFixtures.stored(prefix),
                "the 20 good CDRs stored, the refused one not");
        List<String> q = Files.readAllLines(dir.resolve("cdr.spool.quarantine"));
        assertEquals(1, q.size(), q.toString());
        assertTrue(q.get(0).contains(poison.id()) && q.get(0).contains("cdr_test_poison"), q.get(0));
    }

    @Test
    void cdrThatCannotReachTheDatabaseStaysSpooled(GaleraTestCluster cluster) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        GaleraClientConfig unreachable = GaleraClientConfig.builder()
                .node("gone", "127.0.0.1", closedPort)
                .user(GaleraTestCluster.USER)
                .password(GaleraTestCluster.PASSWORD)
                .database("sipha")
                .build();
        SiteQuorumSignal claimsQuorate = new SiteQuorumSignal() {
            @Override
            public boolean isSiteQuorate() {
                return true;
            }

            @Override
            public void addSiteQuorumListener(Listener listener) {}
        };
        Path spoolPath = dir.resolve("cdr.spool");
        try (CdrSpool spool = CdrSpool.open(spoolPath, 1 << 20);
                GaleraQuorumClient client = GaleraQuorumClient.start(unreachable);
                DurableCdrWriter writer = new DurableCdrWriter(client.dataSource(), claimsQuorate, spool, 8, 60_000)) {
            spool.append(CdrFixtures.range("unreachable", 0, 5));
            assertThrows(SQLException.class, writer::replayOnce);
            assertEquals(5, writer.pending());
        }
        assertFalse(Files.exists(dir.resolve("cdr.spool.quarantine")));
    }
}
