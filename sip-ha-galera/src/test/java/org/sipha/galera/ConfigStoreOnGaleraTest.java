package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.galera.TestClients.awaitAllUp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.sipha.galera.config.ConfigContent;
import org.sipha.galera.config.ConfigDiff;
import org.sipha.galera.config.ConfigVersion;
import org.sipha.galera.config.DispatcherListText;
import org.sipha.galera.config.GaleraConfigStore;
import org.sipha.galera.config.VersionSummary;

/** Configuration versions in the real cluster: publish, read, list, diff, roll back, and publishes racing. */
@ExtendWith(GaleraClusterExtension.class)
class ConfigStoreOnGaleraTest {
    private static final String SECRET = "a passphrase of at least thirty-two bytes, one";

    private static ConfigContent content(String list, String secret, String previous) {
        return new ConfigContent(DispatcherListText.parse(list), secret, previous);
    }

    @Test
    void aPublishedVersionReadsBackWholeAndARollbackRepublishesAnOldOneUnderANewNumber(GaleraTestCluster cluster)
            throws Exception {
        try (GaleraQuorumClient client =
                GaleraQuorumClient.start(TestClients.config(1).build())) {
            awaitAllUp(client);
            GaleraConfigStore store = new GaleraConfigStore(client.dataSource());
            ConfigContent a =
                    content("1 sip:10.0.0.11:5060 0 10 duid=a;weight=50 # first\n2 sip:10.0.1.1:5060\n", SECRET, null);
            ConfigContent b = content(
                    "1 sip:10.0.0.11:5060 0 10 duid=a;weight=10\n1 sip:10.0.0.12:5060\n",
                    "a passphrase of at least thirty-two bytes, two",
                    SECRET);

            long va = store.publish(a, "tester", "first");
            long vb = store.publish(b, "tester", "second");

            assertEquals(va + 1, vb);
            assertEquals(vb, store.activeVersion());
            ConfigVersion read = store.read(va).orElseThrow();
            assertEquals(a, read.content());
            assertEquals("first", read.comment());
            assertEquals(b, store.readActive().orElseThrow().content());
            ConfigDiff d = store.diff(va, vb);
            assertEquals(1, d.rowChanges(ConfigDiff.Kind.ADDED).size(), d.toString());
            assertEquals(1, d.rowChanges(ConfigDiff.Kind.REMOVED).size(), d.toString());
            assertEquals(1, d.rowChanges(ConfigDiff.Kind.CHANGED).size(), d.toString());
            assertEquals(2, d.keyChanges().size(), d.toString());

            long vr = store.rollback(va, "tester", "back to the first");
            assertEquals(vb + 1, vr);
            ConfigVersion back = store.readActive().orElseThrow();
            assertEquals(vr, back.number());
            assertEquals(va, back.rolledBackFrom());
            assertEquals(a, back.content());
            List<VersionSummary> list = store.list(3);
            assertEquals(
                    List.of(vr, vb, va),
                    list.stream().map(VersionSummary::number).toList());
            assertTrue(list.get(0).active() && !list.get(1).active());
            assertEquals(ConfigContent.keyId(SECRET), list.get(1).previousKeyId());
            assertEquals(2, list.get(2).rows());
        }
    }

    @Test
    void publishesRacingOnTwoNodesGetOneNumberEachAndNoneIsLost(GaleraTestCluster cluster) throws Exception {
        try (GaleraQuorumClient c1 =
                        GaleraQuorumClient.start(TestClients.config(1).build());
                GaleraQuorumClient c2 =
                        GaleraQuorumClient.start(TestClients.config(2).build())) {
            awaitAllUp(c1);
            awaitAllUp(c2);
            GaleraConfigStore s1 = new GaleraConfigStore(c1.dataSource());
            GaleraConfigStore s2 = new GaleraConfigStore(c2.dataSource());
            s1.ensureSchema();
            long before = s1.activeVersion();
            int each = 8;
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<List<Long>>> runs = new ArrayList<>();
            for (GaleraConfigStore s : List.of(s1, s2)) {
                runs.add(pool.submit(() -> {
                    List<Long> got = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        got.add(s.publish(content("1 sip:10.0.0." + (i + 1) + ":5060\n", null, null), "race", ""));
                    }
                    return got;
                }));
            }
            Set<Long> numbers = new TreeSet<>();
            for (Future<List<Long>> f : runs) {
                numbers.addAll(f.get(120, TimeUnit.SECONDS));
            }
            pool.shutdown();

            assertEquals(2 * each, numbers.size(), "one number each: " + numbers);
            assertEquals(before + 2 * each, s2.activeVersion());
            for (long n : numbers) {
                assertEquals(1, s2.read(n).orElseThrow().content().rows().size(), "version " + n + " whole");
            }
            System.out.printf(
                    "MEASURED config publish race: %d publishes from 2 nodes, %d reruns after certification"
                            + " conflicts%n",
                    2 * each, c1.dataSource().backoffRetries() + c2.dataSource().backoffRetries());
        }
    }

    @Test
    void theSqlInTheDocsPublishesAndRollsBackVersionsTheStoreReads(GaleraTestCluster cluster) throws Exception {
        try (GaleraQuorumClient client =
                GaleraQuorumClient.start(TestClients.config(1).build())) {
            awaitAllUp(client);
            GaleraConfigStore store = new GaleraConfigStore(client.dataSource());
            ConfigContent first = content("1 sip:10.0.0.11:5060 0 10 duid=pbx1;weight=50\n", SECRET, null);
            long v0 = store.publish(first, "tester", "before the SQL");

            runScript(docBlock("plain-sql-publish"));
            ConfigVersion bySql = store.readActive().orElseThrow();
            assertEquals(v0 + 1, bySql.number());
            assertEquals(3, bySql.content().rows().size());
            assertEquals("duid=pbx3;weight=50", bySql.content().rows().get(2).attrs());
            assertEquals(SECRET, bySql.content().recordRouteSecret(), "the secrets of the version in force");
            assertEquals("add pbx3 by SQL", bySql.comment());

            runScript(docBlock("plain-sql-rollback").replace("SET @from = 41", "SET @from = " + v0));
            ConfigVersion back = store.readActive().orElseThrow();
            assertEquals(v0 + 2, back.number());
            assertEquals(v0, back.rolledBackFrom());
            assertEquals(first, back.content());
        }
    }

    /** The SQL block that follows {@code <!-- marker} in docs/configuration.md. */
    private static String docBlock(String marker) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        int at = doc.indexOf("<!-- " + marker);
        int start = doc.indexOf("```sql\n", at) + 7;
        return doc.substring(start, doc.indexOf("```", start));
    }

    /** Runs a script statement by statement (each ends with ';' at the end of a line) in one session on n2. */
    private static void runScript(String script) throws Exception {
        try (Connection c = GaleraTestCluster.connect(2, 10_000);
                Statement st = c.createStatement()) {
            for (String statement : script.split(";\\s*\n")) {
                if (!statement.isBlank()) {
                    st.execute(statement);
                }
            }
        }
    }
}
