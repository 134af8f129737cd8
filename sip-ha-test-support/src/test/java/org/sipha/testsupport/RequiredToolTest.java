package org.sipha.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The required-tool rule, with PATH and CI given to it instead of read from the environment. */
class RequiredToolTest {
    private static final String TOOL = "sipha-no-such-tool";

    @TempDir
    Path dir;

    @Test
    void findsAnExecutableOnThePathAndReturnsItsPath() throws IOException {
        Path tool = Files.createFile(
                dir.resolve(TOOL), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertEquals(tool, RequiredTool.require(TOOL, "sipha-pkg", Map.of("PATH", "/nonexistent:" + dir)));
    }

    @Test
    void aFileThatIsNotExecutableDoesNotCount() throws IOException {
        Files.createFile(dir.resolve(TOOL));
        assertNull(RequiredTool.find(TOOL, dir.toString()));
    }

    @Test
    void aMissingToolSkipsTheTestLocallyNamingToolAndPackage() {
        TestAbortedException e = assertThrows(
                TestAbortedException.class,
                () -> RequiredTool.require(TOOL, "sipha-pkg", Map.of("PATH", dir.toString())));
        assertTrue(e.getMessage().contains(TOOL) && e.getMessage().contains("sipha-pkg"), e.getMessage());
    }

    @Test
    void aMissingToolFailsTheTestUnderCiNamingToolAndPackage() {
        AssertionFailedError e = assertThrows(
                AssertionFailedError.class,
                () -> RequiredTool.require(TOOL, "sipha-pkg", Map.of("PATH", dir.toString(), "CI", "true")));
        assertTrue(
                e.getMessage().contains(TOOL) && e.getMessage().contains("apt-get install -y sipha-pkg"),
                e.getMessage());
    }

    @Test
    void onlyCiEqualToTrueMakesItAFailure() {
        assertThrows(
                TestAbortedException.class,
                () -> RequiredTool.require(TOOL, "sipha-pkg", Map.of("PATH", dir.toString(), "CI", "1")));
    }

    @Test
    void aMissingFileOrCapabilityFollowsTheSameRule() {
        Class<? extends Throwable> expected =
                RequiredTool.isCi(System.getenv()) ? AssertionFailedError.class : TestAbortedException.class;
        Path missing = dir.resolve("missing.so");
        assertThrows(expected, () -> RequiredTool.requireFile(missing, "sipha-pkg"));
        assertThrows(expected, () -> RequiredTool.requireExecutable(missing, "sipha-pkg"));
        assertThrows(expected, () -> RequiredTool.requireCapability(false, "a network namespace"));
        RequiredTool.requireCapability(true, "a network namespace");
    }
}
