package org.sipha.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.anycast.AnycastWatchdogMain;
import org.sipha.examples.proxy.ReferenceProxy;
import org.sipha.testsupport.RequiredTool;

/**
 * The systemd units of {@code packaging/systemd}: systemd's own checker accepts them and rates their exposure low,
 * they say what the docs promise (withdrawal after any stop, the watchdog's BIRD group and CAP_NET_ADMIN, hardening),
 * and their command lines, pointed at the sample files, run the real programs. systemd-analyze works without
 * systemd running (a container); nothing is installed or started.
 */
class PackagingUnitsTest {
    private static final Path UNITS = Path.of("..", "packaging", "systemd");
    private static final Path PROXY = UNITS.resolve("sip-ha-proxy.service");
    private static final Path WATCHDOG = UNITS.resolve("sip-ha-anycast-watchdog.service");

    @TempDir
    Path etc;

    private record Result(int status, String output) {}

    private static Result run(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("sipha-unit", ".out");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            Result r = new Result(exited ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8));
            assertTrue(exited, cmd + " did not exit: " + r.output());
            return r;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    /** The unit's [Service] settings; a key given several times keeps its last value. */
    private static Map<String, String> settings(Path unit) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(unit)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && !line.startsWith("[") && eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    @Test
    void systemdAcceptsTheUnitsAndRatesThemHardened() throws Exception {
        Path analyze = RequiredTool.require("systemd-analyze", "systemd");
        Result verify = run(List.of(analyze.toString(), "verify", PROXY.toString(), WATCHDOG.toString()));
        List<String> ours = verify.output()
                .lines()
                .filter(l -> l.contains("sip-ha-proxy") || l.contains("sip-ha-anycast-watchdog"))
                .toList();
        assertEquals(0, verify.status(), verify.output());
        assertEquals(List.of(), ours, "systemd-analyze verify has something to say about our units");
        for (Path unit : List.of(PROXY, WATCHDOG)) {
            Result security = run(List.of(analyze.toString(), "security", "--offline=true", unit.toString()));
            Matcher m = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d)")
                    .matcher(security.output());
            assertTrue(m.find(), security.output());
            assertTrue(Double.parseDouble(m.group(1)) <= 2.5, unit + " exposure " + m.group(1));
        }
    }

    @Test
    void theUnitsWithdrawAfterAnyStopAndSayWhatTheyNeed() throws Exception {
        for (Path unit : List.of(PROXY, WATCHDOG)) {
            Map<String, String> s = settings(unit);
            assertTrue(s.get("ExecStart").contains("-XX:+ExitOnOutOfMemoryError"), unit.toString());
            assertTrue(s.get("ExecStopPost").contains("--withdraw"), unit + ": the route must not outlive the node");
            assertEquals("mixed", s.get("KillMode"), unit + ": SIGTERM to the JVM, its relay stays for the drain");
            assertEquals("always", s.get("Restart"), unit.toString());
            assertEquals("sipha", s.get("User"), unit.toString());
            assertEquals("yes", s.get("NoNewPrivileges"), unit.toString());
            assertEquals("strict", s.get("ProtectSystem"), unit.toString());
            assertTrue(s.containsKey("EnvironmentFile"), unit.toString());
        }
        Map<String, String> proxy = settings(PROXY);
        assertEquals("", proxy.get("CapabilityBoundingSet"), "the proxy needs no capability");
        assertEquals("-/etc/sip-ha/sip-ha-proxy.env", proxy.get("EnvironmentFile"));
        Map<String, String> watchdog = settings(WATCHDOG);
        assertEquals("bird", watchdog.get("SupplementaryGroups"), "BIRD's control socket");
        assertEquals("CAP_NET_ADMIN", watchdog.get("AmbientCapabilities"), "ip addr for --address");
        assertEquals("CAP_NET_ADMIN", watchdog.get("CapabilityBoundingSet"));
    }

    /**
     * A unit command line run here: {@code java -jar /opt/sip-ha/X.jar} becomes this JVM's class path and the
     * program's main class, {@code /etc/sip-ha/} the folder of sample files.
     */
    private List<String> commandLine(String execLine, Class<?> main, String... more) {
        List<String> cmd = new ArrayList<>();
        String[] words = execLine.replaceFirst("^-", "").split(" +");
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (w.equals("/usr/bin/java")) {
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            } else if (w.equals("$JAVA_OPTS")) {
                continue;
            } else if (w.equals("-jar")) {
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
                i++; // the jar
            } else {
                cmd.add(w.replace("/etc/sip-ha/", etc + "/"));
            }
        }
        cmd.addAll(List.of(more));
        return cmd;
    }

    @Test
    void theUnitsCommandLinesRunThePrograms() throws Exception {
        Path config = Path.of("config");
        Files.writeString(
                etc.resolve("proxy.yaml"),
                Files.readString(config.resolve("proxy.yaml")).replace("/etc/sip-ha/", etc + "/"));
        Files.copy(config.resolve("dispatcher.list"), etc.resolve("dispatcher.list"));
        Path secret = etc.resolve("record-route.secret");
        Files.writeString(secret, "shared by every proxy of the deployment\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.copy(Path.of("..", "packaging", "etc", "sip-ha", "watchdog.args"), etc.resolve("watchdog.args"));

        Map<String, String> proxy = settings(PROXY);
        Result check = run(commandLine(proxy.get("ExecStart"), ReferenceProxy.class, "--check"));
        assertEquals(0, check.status(), check.output());
        Result withdraw = run(commandLine(proxy.get("ExecStopPost"), ReferenceProxy.class));
        assertEquals(0, withdraw.status(), withdraw.output());
        assertTrue(withdraw.output().contains("no route to withdraw"), withdraw.output());

        Map<String, String> watchdog = settings(WATCHDOG);
        Result watchdogCheck = run(commandLine(watchdog.get("ExecStart"), AnycastWatchdogMain.class, "--check"));
        assertEquals(0, watchdogCheck.status(), watchdogCheck.output());
        Path calls = etc.resolve("calls");
        Path hook = etc.resolve("hook.sh");
        Files.writeString(hook, "#!/bin/sh\necho \"$1\" >> '" + calls + "'\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        Result watchdogWithdraw = run(commandLine(
                watchdog.get("ExecStopPost"), AnycastWatchdogMain.class, "--announcer=hook", "--hook=" + hook));
        assertEquals(0, watchdogWithdraw.status(), watchdogWithdraw.output());
        assertEquals("withdraw\n", Files.readString(calls));
    }
}
