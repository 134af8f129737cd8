package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the loop one run at a time (no thread, no clock) with a real command whose output the test rewrites. */
class CommandCheckLoopTest {
    @TempDir
    Path dir;

    private final List<String> reports = new ArrayList<>();

    @Test
    void reportsTheCountsBehindTheVerdictOnlyAfterRiseOrFallRuns() throws Exception {
        Path out = dir.resolve("out");
        CommandCheck check =
                new CommandCheck("cat '" + out + "'", 5_000, CommandCheck.Counting.KAMAILIO_DISPATCHER, null, 2);
        CommandCheckLoop loop = new CommandCheckLoop(check, (up, total) -> reports.add(up + "/" + total), 1_000, 2, 2);

        write(out, "AX", "AP", "IX");
        loop.runOnce();
        assertEquals(List.of(), reports, "one pass is not yet a verdict (rise=2)");
        loop.runOnce();
        assertEquals(List.of("2/3"), reports, "risen: the counts of the run that decided");

        write(out, "AX", "IP", "IX");
        loop.runOnce();
        assertEquals(List.of("2/3", "2/3"), reports, "one failing run keeps the verdict (fall=2)");
        loop.runOnce();
        assertEquals(List.of("2/3", "2/3", "1/3"), reports, "fallen after two failing runs");

        Files.delete(out); // cat fails: a failing run like any other
        loop.runOnce();
        assertEquals(List.of("2/3", "2/3", "1/3", "1/3"), reports, "still down: the verdict's counts again");

        write(out, "AX", "AP", "AX");
        loop.runOnce();
        assertEquals("1/3", reports.get(reports.size() - 1), "one pass is not yet back (rise=2)");
        loop.runOnce();
        assertEquals("3/3", reports.get(reports.size() - 1), "back after two passing runs");
    }

    private static void write(Path out, String... flags) throws Exception {
        StringBuilder b = new StringBuilder("{\n\tNRSETS: 1\n");
        for (String f : flags) {
            b.append("\t\t\t\tDEST: {\n\t\t\t\t\tURI: sip:pbx\n\t\t\t\t\tFLAGS: ")
                    .append(f)
                    .append("\n\t\t\t\t}\n");
        }
        Files.writeString(out, b.append("}\n"));
    }
}
