package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference proxy's command line as a process: {@code --help}, {@code --version}, and {@code --check} on the
 * sample configuration in {@code examples/config} and on broken ones. None of these binds a socket.
 */
class ReferenceProxyCommandLineTest {
    @TempDir
    Path dir;

    private record Exit(int status, String stdout, String stderr) {}

    private static Exit run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ReferenceProxy.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("sipha-cli", ".out");
        Path err = Files.createTempFile("sipha-cli", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SIPHA_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            Exit e = new Exit(
                    exited ? p.exitValue() : -1,
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            assertTrue(exited, "the proxy did not exit: " + e);
            return e;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * The sample files of {@code examples/config}, copied into {@code dir} with their {@code /etc/sip-ha/} paths
     * pointing there, and the Record-Route secret file they name.
     */
    private Path installSamples() throws IOException {
        Path config = Path.of("config");
        Files.copy(config.resolve("dispatcher.list"), dir.resolve("dispatcher.list"));
        Path secret = dir.resolve("record-route.secret");
        Files.writeString(secret, "shared by every proxy of the deployment\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path yaml = dir.resolve("proxy.yaml");
        Files.writeString(yaml, Files.readString(config.resolve("proxy.yaml")).replace("/etc/sip-ha/", dir + "/"));
        return yaml;
    }

    @Test
    void helpListsTheOptionsAndVersionIsTheBuildsVersion() throws Exception {
        Exit help = run(Map.of(), "--help");
        assertEquals(0, help.status(), help.toString());
        assertTrue(help.stdout().contains("--listen=udp|tcp:HOST:PORT"), help.stdout());
        assertTrue(help.stdout().contains("Default: 2000"), help.stdout());
        assertTrue(help.stdout().contains("--anycast=PREFIX"), help.stdout());

        Exit version = run(Map.of(), "--version");
        assertEquals(0, version.status(), version.toString());
        assertEquals(
                "sip-ha-proxy " + System.getProperty("sipha.version"),
                version.stdout().trim());
    }

    @Test
    void checkAcceptsTheSampleConfigurationAndItsDispatcherList() throws Exception {
        Path yaml = installSamples();
        Exit ok = run(Map.of(), "--check", "--config", yaml.toString());
        assertEquals(0, ok.status(), ok.toString());
        assertTrue(ok.stdout().contains("backends: 4 in set 1"), ok.stdout());
        assertTrue(ok.stdout().contains("advertised as 198.51.100.10:5060"), ok.stdout());
        assertTrue(ok.stdout().contains("configuration OK"), ok.stdout());
        assertFalse(ok.stderr().contains("shared by every proxy"), "the secret is never printed");

        Exit fromEnvironment = run(
                Map.of("SIPHA_RECORD_ROUTE_SECRET", "from the environment, long enough to be a key"),
                "--check",
                "--config=" + yaml,
                "--dispatcher-list",
                dir.resolve("dispatcher.list").toString(),
                "--algorithm=round-robin");
        assertEquals(0, fromEnvironment.status(), fromEnvironment.toString());
        assertTrue(fromEnvironment.stdout().contains("SIPHA_RECORD_ROUTE_SECRET"), fromEnvironment.stdout());
    }

    @Test
    void checkRefusesWhatCouldNotStart() throws Exception {
        Path yaml = installSamples();
        Path noAdvertise = dir.resolve("no-advertise.yaml");
        Files.writeString(noAdvertise, Files.readString(yaml).replace("advertise:", "# advertise:"));
        Exit refused = run(Map.of(), "--check", "--config", noAdvertise.toString());
        assertEquals(2, refused.status(), refused.toString());
        assertTrue(
                refused.stderr().contains("sip-ha-proxy: --advertise: listening on udp:0.0.0.0:5060"),
                refused.stderr());

        Files.delete(dir.resolve("dispatcher.list"));
        Exit missingList = run(Map.of(), "--check", "--config", yaml.toString());
        assertEquals(2, missingList.status(), missingList.toString());
        assertTrue(missingList.stderr().contains("sip-ha-proxy: dispatcher-list: cannot read"), missingList.stderr());

        Exit unknown = run(Map.of(), "--check", "--listne", "udp:127.0.0.1:5060");
        assertEquals(2, unknown.status(), unknown.toString());
        assertTrue(unknown.stderr().contains("--listne: unknown option"), unknown.stderr());
    }

    @Test
    void logsTextWithTimestampsOrOneJsonObjectPerLine() throws Exception {
        String[] loopbackOnly = {"--check", "--backend", "sip:127.0.0.1:15999"}; // a random key: warned about
        Exit text = run(Map.of(), loopbackOnly);
        assertEquals(0, text.status(), text.toString());
        assertTrue(
                text.stderr()
                        .lines()
                        .anyMatch(
                                l -> l.matches(
                                        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) WARN "
                                                + " \\[main\\] org\\.sipha\\.examples\\.proxy\\.ReferenceProxy - no record-route-secret.*")),
                text.stderr());

        Exit json = run(Map.of(), "--check", "--backend", "sip:127.0.0.1:15999", "--log-format=json");
        assertEquals(0, json.status(), json.toString());
        List<String> lines =
                json.stderr().lines().filter(l -> l.startsWith("{")).toList();
        assertFalse(lines.isEmpty(), json.stderr());
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.contains("\"level\":\"WARN\"")
                                && l.contains("\"loggerName\":\"org.sipha.examples.proxy.ReferenceProxy\"")
                                && l.contains("\"formattedMessage\":\"no record-route-secret")
                                && l.matches("\\{\"timestamp\":\\d+,.*\\}")),
                json.stderr());

        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> ProxyOptions.parse(new String[] {"--log-format", "xml"}, Map.of()));
        assertTrue(bad.getMessage().startsWith("--log-format: expected text or json"), bad.getMessage());
    }

    @Test
    void withdrawCallsTheAnnouncerOnceAndNeedsNoAnycastToSucceed() throws Exception {
        Path calls = dir.resolve("calls");
        Path hook = dir.resolve("route-hook.sh");
        Files.writeString(hook, "#!/bin/sh\necho \"$1\" >> '" + calls + "'\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        Exit withdrawn = run(
                Map.of(),
                "--withdraw",
                "--backend=sip:127.0.0.1:15999",
                "--anycast=198.51.100.10/32",
                "--announcer=hook",
                "--hook",
                hook.toString());
        assertEquals(0, withdrawn.status(), withdrawn.toString());
        assertEquals("withdraw\n", Files.readString(calls));
        assertTrue(withdrawn.stdout().contains("198.51.100.10/32 withdrawn"), withdrawn.stdout());

        Exit nothing = run(Map.of(), "--withdraw", "--backend=sip:127.0.0.1:15999");
        assertEquals(0, nothing.status(), nothing.toString());
        assertTrue(nothing.stdout().contains("no route to withdraw"), nothing.stdout());
    }
}
