package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.dispatcher.engine.ProxyConfig;

/** Where the reference proxy takes its secrets from, and what it refuses or warns about. */
class ProxySecretOptionsTest {
    private static final String SECRET = "shared by every proxy of the deployment";
    private static final String OLD_SECRET = "the secret every proxy used until yesterday";
    private static final String BACKEND = "sip:127.0.0.1:5081";
    private static final Map<String, String> NO_ENV = Map.of();

    @TempDir
    Path dir;

    private Path privateFile(String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private static ProxyOptions parse(Map<String, String> env, String... args) {
        return ProxyOptions.parse(args, env);
    }

    private static void assertRefused(String prefix, Map<String, String> env, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(env, args));
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }

    private static boolean warned(ProxyOptions o, String prefix) {
        return o.warnings.stream().anyMatch(w -> w.startsWith(prefix));
    }

    @Test
    void readsTheSecretFromAFileWithoutItsTrailingNewline() throws Exception {
        Path f = privateFile("rr.secret", SECRET + "\n");
        ProxyOptions o = parse(NO_ENV, "--record-route-secret-file", f.toString(), "--backend", BACKEND);
        assertEquals(SECRET, o.recordRouteSecret());
        assertTrue(o.warnings.isEmpty(), o.warnings.toString());
        ProxyConfig inline =
                ReferenceProxy.config(parse(NO_ENV, "--record-route-secret", SECRET, "--backend", BACKEND));
        assertArrayEquals(
                inline.recordRouteKey(),
                ReferenceProxy.config(o).recordRouteKey(),
                "the file's text is the passphrase");
        Path crlf = privateFile("crlf.secret", SECRET + "\r\n");
        assertEquals(
                SECRET,
                parse(NO_ENV, "--record-route-secret-file", crlf.toString()).recordRouteSecret());
    }

    @Test
    void readsTheSecretFromTheEnvironmentAndTheCommandLineOverridesIt() throws Exception {
        Map<String, String> env = Map.of("SIPHA_RECORD_ROUTE_SECRET", SECRET);
        assertEquals(SECRET, parse(env).recordRouteSecret());
        Path yaml = dir.resolve("proxy.yaml");
        Files.writeString(yaml, "record-route-secret: \"" + OLD_SECRET + "\"\n");
        assertEquals(SECRET, parse(env, "--config", yaml.toString()).recordRouteSecret(), "env overrides YAML");
        Path f = privateFile("cli.secret", OLD_SECRET);
        assertEquals(
                OLD_SECRET,
                parse(env, "--record-route-secret-file", f.toString()).recordRouteSecret(),
                "the command line overrides the environment");
        Path fromYaml = privateFile("yaml.secret", SECRET + "\n");
        Path yamlFile = dir.resolve("file.yaml");
        Files.writeString(yamlFile, "record-route-secret-file: " + fromYaml + "\n");
        assertEquals(SECRET, parse(NO_ENV, "--config", yamlFile.toString()).recordRouteSecret());
    }

    @Test
    void warnsThatASecretOnTheCommandLineIsVisibleToPs() {
        ProxyOptions o = parse(NO_ENV, "--record-route-secret", SECRET, "--galera-password", "pw");
        assertEquals(SECRET, o.recordRouteSecret());
        assertTrue(warned(o, "--record-route-secret:"), o.warnings.toString());
        assertTrue(warned(o, "--galera-password:"), o.warnings.toString());
        assertTrue(o.warnings.stream().allMatch(w -> w.contains("ps")), o.warnings.toString());
        assertFalse(
                o.warnings.stream().anyMatch(w -> w.contains(SECRET) || w.contains("pw ")),
                "a warning never shows the secret");
    }

    @Test
    void warnsAboutASecretFileThatItsGroupOrOthersCanRead() throws Exception {
        Path f = privateFile("open.secret", SECRET);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        ProxyOptions o = parse(NO_ENV, "--record-route-secret-file", f.toString());
        assertEquals(SECRET, o.recordRouteSecret(), "warned, not refused");
        assertTrue(warned(o, "--record-route-secret-file:"), o.warnings.toString());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        assertTrue(warned(parse(NO_ENV, "--record-route-secret-file", f.toString()), "--record-route-secret-file:"));
        Path pw = privateFile("galera.pw", "pw\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw----r--"));
        ProxyOptions g = parse(NO_ENV, "--galera-password-file", pw.toString());
        assertEquals("pw", g.galeraPassword());
        assertTrue(warned(g, "--galera-password-file:"), g.warnings.toString());
    }

    @Test
    void refusesAPassphraseShorterThan32Bytes() throws Exception {
        String short31 = "x".repeat(31);
        assertRefused("--record-route-secret:", NO_ENV, "--record-route-secret", short31);
        assertRefused(
                "--record-route-secret-file:",
                NO_ENV,
                "--record-route-secret-file",
                privateFile("short", short31 + "\n").toString());
        assertRefused("SIPHA_RECORD_ROUTE_SECRET:", Map.of("SIPHA_RECORD_ROUTE_SECRET", short31));
        Path yaml = dir.resolve("short.yaml");
        Files.writeString(yaml, "record-route-secret: \"" + short31 + "\"\n");
        assertRefused("record-route-secret:", NO_ENV, "--config", yaml.toString());
        assertRefused(
                "--record-route-secret-file:",
                NO_ENV,
                "--record-route-secret-file",
                privateFile("empty", "\n").toString());
        assertEquals(
                32,
                parse(NO_ENV, "--record-route-secret", "x".repeat(32))
                        .recordRouteSecret()
                        .length());
    }

    @Test
    void refusesANonLoopbackListenAddressWithoutASecret() {
        assertRefused("--record-route-secret-file:", NO_ENV, "--listen", "udp:0.0.0.0:5060", "--backend", BACKEND);
        assertRefused(
                "--record-route-secret-file:",
                NO_ENV,
                "--listen",
                "udp:127.0.0.1:5060",
                "--listen",
                "tcp:192.0.2.10:5060",
                "--backend",
                BACKEND);
        assertRefused("--record-route-secret-file:", NO_ENV, "--listen", "udp:[::]:5060", "--backend", BACKEND);
        assertNull(
                parse(NO_ENV, "--listen", "udp:127.0.0.2:5060", "--listen", "tcp:[::1]:5060")
                        .recordRouteSecret(),
                "loopback only: a random key is fine");
        ProxyOptions withSecret = parse(Map.of("SIPHA_RECORD_ROUTE_SECRET", SECRET), "--listen", "udp:0.0.0.0:5060");
        assertEquals(SECRET, withSecret.recordRouteSecret());
    }

    @Test
    void theNoArgumentDemoStillStartsWithARandomKey() {
        ProxyOptions o = parse(NO_ENV);
        assertNull(o.recordRouteSecret());
        assertEquals(java.util.List.of("udp:127.0.0.1:5060"), o.listen);
        assertTrue(o.warnings.isEmpty(), o.warnings.toString());
    }

    @Test
    void refusesTheSecretGivenTwiceInOnePlace() throws Exception {
        Path f = privateFile("twice.secret", SECRET);
        assertRefused(
                "--record-route-secret-file:",
                NO_ENV,
                "--record-route-secret",
                SECRET,
                "--record-route-secret-file",
                f.toString());
    }

    @Test
    void carriesAPreviousSecretForKeyRotation() throws Exception {
        Path f = privateFile("previous.secret", OLD_SECRET + "\n");
        ProxyOptions o =
                parse(Map.of("SIPHA_RECORD_ROUTE_SECRET", SECRET), "--record-route-previous-secret-file", f.toString());
        assertEquals(SECRET, o.recordRouteSecret());
        assertEquals(OLD_SECRET, o.recordRoutePreviousSecret());
        assertEquals(
                OLD_SECRET,
                parse(Map.of("SIPHA_RECORD_ROUTE_SECRET", SECRET, "SIPHA_RECORD_ROUTE_PREVIOUS_SECRET", OLD_SECRET))
                        .recordRoutePreviousSecret());
        Path yaml = dir.resolve("rotate.yaml");
        Files.writeString(
                yaml, "record-route-secret: \"" + SECRET + "\"\nrecord-route-previous-secret-file: " + f + "\n");
        assertEquals(OLD_SECRET, parse(NO_ENV, "--config", yaml.toString()).recordRoutePreviousSecret());
        assertNull(parse(NO_ENV).recordRoutePreviousSecret());
        // and the engine gets it: tokens signed with the old secret keep routing their dialogs
        ProxyOptions old = parse(Map.of("SIPHA_RECORD_ROUTE_SECRET", OLD_SECRET), "--backend", "sip:127.0.0.1:5081");
        ProxyOptions rotated = parse(
                Map.of("SIPHA_RECORD_ROUTE_SECRET", SECRET, "SIPHA_RECORD_ROUTE_PREVIOUS_SECRET", OLD_SECRET),
                "--backend",
                "sip:127.0.0.1:5081");
        assertArrayEquals(
                ReferenceProxy.config(old).recordRouteKey(),
                ReferenceProxy.config(rotated).recordRoutePreviousKey());

        assertRefused(
                "SIPHA_RECORD_ROUTE_PREVIOUS_SECRET:",
                Map.of("SIPHA_RECORD_ROUTE_SECRET", SECRET, "SIPHA_RECORD_ROUTE_PREVIOUS_SECRET", "too short"));
        assertRefused(
                "--record-route-previous-secret-file:", NO_ENV, "--record-route-previous-secret-file", f.toString());
    }

    @Test
    void takesTheGaleraPasswordFromAFileTheEnvironmentOrYaml() throws Exception {
        assertEquals("", parse(NO_ENV).galeraPassword(), "empty by default");
        assertEquals("env pw", parse(Map.of("SIPHA_GALERA_PASSWORD", "env pw")).galeraPassword());
        Path f = privateFile("galera.pw", "file pw\n");
        ProxyOptions o = parse(Map.of("SIPHA_GALERA_PASSWORD", "env pw"), "--galera-password-file", f.toString());
        assertEquals("file pw", o.galeraPassword());
        assertTrue(o.warnings.isEmpty(), o.warnings.toString());
        Path yaml = dir.resolve("galera.yaml");
        Files.writeString(yaml, "galera-password-file: " + f + "\n");
        assertEquals("file pw", parse(NO_ENV, "--config", yaml.toString()).galeraPassword());
        assertRefused(
                "--galera-password-file:",
                NO_ENV,
                "--galera-password-file",
                dir.resolve("missing").toString());
    }
}
