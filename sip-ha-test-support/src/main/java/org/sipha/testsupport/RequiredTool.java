package org.sipha.testsupport;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The rule for an external tool (or capability) a test needs: when it is missing the test is skipped (a JUnit
 * assumption), except under {@code CI=true}, where the test fails with a message naming the tool and the Debian
 * package that provides it. Call it first in a test, a {@code @BeforeEach} or a {@code @BeforeAll}.
 *
 * <p>Stateless: any thread may call any method.
 */
public final class RequiredTool {
    /** Searched after {@code PATH}: daemons live here and a non-root {@code PATH} often lacks them. */
    static final List<String> SBIN_DIRS = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

    private RequiredTool() {}

    /**
     * The executable {@code command} found on {@code PATH} (then in the sbin folders); skips the test when it is
     * missing, fails it under {@code CI=true}.
     *
     * @param debianPackage the package to install for it, named in the message
     */
    public static Path require(String command, String debianPackage) {
        return require(command, debianPackage, System.getenv());
    }

    /** The executable at {@code path}; skips the test when it is missing, fails it under {@code CI=true}. */
    public static Path requireExecutable(Path path, String debianPackage) {
        if (!Files.isExecutable(path)) {
            missing(path.toString(), debianPackage, System.getenv());
        }
        return path;
    }

    /**
     * The file at {@code path}, such as a shared library that need not be executable; skips the test when it is
     * missing, fails it under {@code CI=true}.
     */
    public static Path requireFile(Path path, String debianPackage) {
        if (!Files.isRegularFile(path)) {
            missing(path.toString(), debianPackage, System.getenv());
        }
        return path;
    }

    /**
     * A capability that is not one tool, such as creating a network namespace (root and iproute2): skips the test
     * when {@code available} is false, fails it under {@code CI=true}.
     *
     * @param what what the test needs, e.g. "a network namespace (needs root and iproute2's ip)"
     */
    public static void requireCapability(boolean available, String what) {
        if (!available) {
            unavailable(what, isCi(System.getenv()));
        }
    }

    static Path require(String command, String debianPackage, Map<String, String> env) {
        Path found = find(command, env.getOrDefault("PATH", ""));
        if (found == null) {
            missing(command, debianPackage, env);
        }
        return found;
    }

    /** {@code command} in the folders of {@code pathVariable}, then in {@link #SBIN_DIRS}; null if in none. */
    static Path find(String command, String pathVariable) {
        List<String> dirs = new ArrayList<>(List.of(pathVariable.split(File.pathSeparator)));
        dirs.addAll(SBIN_DIRS);
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return Path.of(dir, command);
            }
        }
        return null;
    }

    static boolean isCi(Map<String, String> env) {
        return "true".equals(env.get("CI"));
    }

    private static void missing(String tool, String debianPackage, Map<String, String> env) {
        unavailable(
                tool + " (Debian package " + debianPackage + ", apt-get install -y " + debianPackage + ")", isCi(env));
    }

    /** Throws: the test fails under CI, else it is aborted (reported as skipped). */
    static void unavailable(String what, boolean ci) {
        if (ci) {
            Assertions.fail("CI=true and this test needs " + what + ", which is not available");
        }
        Assumptions.abort(what + " is not available; skipping (under CI=true this fails)");
    }
}
