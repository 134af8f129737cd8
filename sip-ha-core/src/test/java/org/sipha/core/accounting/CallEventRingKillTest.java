package org.sipha.core.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.core.spi.CallEventKind;

/** A process that recorded into file rings is SIGKILLed; every event it had not released is read back. */
class CallEventRingKillTest {
    private static final int EVENTS = 20_000;
    private static final int RELEASED = 7_000;

    @TempDir
    Path dir;

    @Test
    void everyEventNotReleasedSurvivesASigkill() throws Exception {
        Path prefix = dir.resolve("acc.spool");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CallEventRingChild.class.getName(),
                        prefix.toString(),
                        Integer.toString(EVENTS),
                        Integer.toString(RELEASED))
                .redirectErrorStream(true)
                .start();
        String line;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
            assertEquals("RECORDED " + (EVENTS - RELEASED) + " lost 0", line);
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no unmap, no flush
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(137, p.exitValue(), "killed by SIGKILL");

        List<Path> files = CallEventRings.takeOver(prefix);
        assertEquals(2, files.size());
        TreeSet<Integer> seen = new TreeSet<>();
        long skipped = 0;
        for (Path f : files) {
            List<String> bad = new ArrayList<>();
            CallEventRingFile.Recovered r = CallEventRingFile.recover(f, e -> {
                int i = Integer.parseInt(e.callId().substring("call-".length()));
                if (e.kind() != CallEventKind.values()[i % 3] || e.cseq() != i || e.epochMs() != 1000 + i) {
                    bad.add(e.callId());
                }
                assertTrue(seen.add(i), "once: " + i);
            });
            assertEquals(List.of(), bad);
            skipped += r.skipped();
        }
        assertEquals(0, skipped);
        assertEquals(EVENTS - RELEASED, seen.size(), "exactly the events not released");
        assertEquals(RELEASED, seen.first());
        assertEquals(EVENTS - 1, seen.last());
    }
}
