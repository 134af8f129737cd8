package org.sipha.galera.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher's decisions, against an in-memory source (the cluster tests drive it against Galera). */
class ConfigWatcherTest {
    @TempDir
    Path dir;

    private final MemorySource source = new MemorySource();
    private final List<String> applied = new ArrayList<>();
    /** Refuses any version with a destination that does not start with sip:, as the wiring's parser would. */
    private final ConfigWatcher.Validator validator = v -> {
        for (DispatcherRow r : v.content().rows()) {
            if (!r.destination().startsWith("sip:")) {
                throw new ConfigRefusedException("bad destination: " + r.destination());
            }
        }
    };

    private ConfigWatcher watcher(ConfigVersion current) {
        ConfigWatcher w = ConfigWatcher.create(source, dir.resolve("copy"), validator, 250);
        w.prepare(current, (next, previous, diff) -> applied.add(next.number() + ": " + diff.summary()));
        return w;
    }

    @Test
    void aNewerVersionIsAppliedOnceWithItsDiffAndKeptOnDisk() throws Exception {
        ConfigVersion v1 = source.publish("1 sip:10.0.0.11:5060\n");
        ConfigWatcher w = watcher(v1);
        w.poll();
        assertTrue(applied.isEmpty(), "nothing new");

        source.publish("1 sip:10.0.0.11:5060\n1 sip:10.0.0.12:5060\n");
        w.poll();
        w.poll();

        assertEquals(List.of("2: 1 added, 0 removed, 0 changed, keys unchanged"), applied);
        assertEquals(2, w.status().appliedVersion());
        assertEquals(
                2, new LocalConfigCopy(dir.resolve("copy")).read().orElseThrow().number());
    }

    @Test
    void anInvalidVersionIsRefusedOnceAndTheLastGoodStaysUntilANewerGoodOne() throws Exception {
        ConfigWatcher w = watcher(source.publish("1 sip:10.0.0.11:5060\n"));
        source.publish("1 sips-typo:10.0.0.12:5060\n");
        w.poll();
        w.poll();
        assertTrue(applied.isEmpty());
        assertEquals(1, w.status().appliedVersion());
        assertEquals(2, w.status().refusedVersion());
        assertTrue(w.status().refusedReason().contains("sips-typo"), w.status().refusedReason());
        assertEquals(1, source.reads.get(2L), "a refused version is not read again");

        source.publish("1 sip:10.0.0.13:5060\n");
        w.poll();
        assertEquals(3, w.status().appliedVersion());
        assertEquals(0, w.status().refusedVersion(), "the refusal is over once a newer version applies");
        assertNull(w.status().refusedReason());
    }

    @Test
    void anOlderActiveVersionIsIgnoredAndFailedPollsKeepTheVersionInForce() throws Exception {
        source.publish("1 sip:10.0.0.11:5060\n");
        ConfigWatcher w = watcher(source.publish("1 sip:10.0.0.12:5060\n"));
        source.active = 1; // a node lagging behind the one read before
        w.poll();
        assertTrue(applied.isEmpty());

        source.down = true;
        w.poll();
        w.poll();
        assertEquals(2, w.status().consecutivePollFailures());
        assertEquals(2, w.status().appliedVersion());
        source.down = false;
        w.poll();
        assertEquals(0, w.status().consecutivePollFailures());
    }

    @Test
    void itStartsFromTheDatabaseElseFromTheLocalCopyAndRefusesAnInvalidVersionThere() throws Exception {
        ConfigWatcher first = watcher(null);
        assertTrue(first.startingVersion(0).isEmpty(), "nothing published, no copy");

        source.publish("1 sip:10.0.0.11:5060\n");
        assertEquals(1, watcher(null).startingVersion(0).orElseThrow().number(), "the database's, copied to disk");

        source.down = true;
        ConfigWatcher offline = watcher(null);
        assertEquals(1, offline.startingVersion(300).orElseThrow().number(), "the local copy");
        assertEquals(ConfigWatchStatus.Source.LOCAL_COPY, offline.status().appliedFrom());

        source.down = false;
        source.publish("1 bad:10.0.0.12:5060\n");
        ConfigWatcher refusing = watcher(null);
        assertEquals(1, refusing.startingVersion(0).orElseThrow().number(), "the last good one");
        assertEquals(2, refusing.status().refusedVersion());
    }

    /** Versions in memory; {@link #down} makes every call fail as with no trusted node. */
    private static final class MemorySource implements ConfigSource {
        private final Map<Long, ConfigVersion> versions = new ConcurrentHashMap<>();
        final Map<Long, Integer> reads = new ConcurrentHashMap<>();
        volatile long active;
        volatile boolean down;

        ConfigVersion publish(String list) {
            long n = versions.size() + 1;
            ConfigVersion v = new ConfigVersion(
                    n, java.time.Instant.now(), "test", "", 0, ConfigDiffTest.content(list, null, null));
            versions.put(n, v);
            active = n;
            return v;
        }

        @Override
        public long activeVersion() throws SQLException {
            check();
            return active;
        }

        @Override
        public Optional<ConfigVersion> read(long number) throws SQLException {
            check();
            reads.merge(number, 1, Integer::sum);
            return Optional.ofNullable(versions.get(number));
        }

        @Override
        public Optional<ConfigVersion> readActive() throws SQLException {
            check();
            return active == 0 ? Optional.empty() : read(active);
        }

        private void check() throws SQLException {
            if (down) {
                throw new SQLException("no trusted node");
            }
        }
    }
}
