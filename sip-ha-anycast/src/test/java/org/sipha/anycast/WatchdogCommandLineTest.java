package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone watchdog's command line: both spellings, argument files, the help, and the program's exits. */
class WatchdogCommandLineTest {
    @TempDir
    Path dir;

    @Test
    void bothSpellingsGiveTheSameOptions() {
        Map<String, String> joined = WatchdogCommandLine.parse(new String[] {
                    "--sip-target=127.0.0.1:5060", "--rise=4", "--announcer=hook", "--hook=/x.sh", "--down-codes="
                })
                .options();
        Map<String, String> spaced = WatchdogCommandLine.parse(new String[] {
                    "--sip-target",
                    "127.0.0.1:5060",
                    "--rise",
                    "4",
                    "--announcer",
                    "hook",
                    "--hook",
                    "/x.sh",
                    "--down-codes",
                    ""
                })
                .options();
        assertEquals(joined, spaced);
        assertEquals("4", spaced.get("rise"));
        WatchdogOptions o = WatchdogOptions.parse(spaced);
        assertEquals(4, o.config.rise);
        assertTrue(o.downCodes.isEmpty());
    }

    @Test
    void readsArgumentsFromAFileAndKeepsTheLogOptionsApart() throws Exception {
        Path args = dir.resolve("watchdog.args");
        Files.writeString(args, "--sip-target=127.0.0.1:5060\n--drain-ms\n3000\n--log-format=json\n");
        Map<String, String> log = new java.util.HashMap<>();
        WatchdogCommandLine.Parsed p = WatchdogCommandLine.parse(new String[] {"@" + args, "--rise=5"}, log);
        assertEquals(Map.of("sip-target", "127.0.0.1:5060", "drain-ms", "3000", "rise", "5"), p.options());
        assertEquals(Map.of("log-format", "json"), log);
    }

    @Test
    void helpListsEveryOptionWithItsDefaultAndMeaning() {
        String help = WatchdogCommandLine.usage();
        List<AnycastOptions.OptionInfo> all = new ArrayList<>(WatchdogOptions.OWN_OPTIONS);
        all.addAll(AnycastOptions.OPTIONS);
        all.addAll(WatchdogCommandLine.LOG_OPTIONS);
        for (AnycastOptions.OptionInfo o : all) {
            String shown = "--" + o.name() + "=" + o.label();
            int at = help.indexOf(shown);
            assertTrue(at >= 0, shown + " missing from --help");
            int next = help.indexOf("\n      --", at + 1);
            String entry = help.substring(at, next < 0 ? help.length() : next);
            assertTrue(entry.contains(o.description().substring(0, 12)), entry);
            if (o.defaultValue() != null) {
                assertTrue(entry.contains("Default: " + o.defaultValue()), entry);
            }
        }
        assertTrue(help.contains("--check") && help.contains("--version"), help);
    }

    private record Exit(int status, String stdout, String stderr) {}

    private static Exit run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AnycastWatchdogMain.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("sipha-watchdog", ".out");
        Path err = Files.createTempFile("sipha-watchdog", ".err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            Exit e = new Exit(
                    exited ? p.exitValue() : -1,
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            assertTrue(exited, "the watchdog did not exit: " + e);
            return e;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void versionCheckAndBadOptionsExitWithoutProbingOrAnnouncing() throws Exception {
        Exit version = run("--version");
        assertEquals(0, version.status(), version.toString());
        assertEquals(
                "sip-ha-anycast-watchdog " + System.getProperty("sipha.version"),
                version.stdout().trim());

        // a control socket that does not exist: --check reads no daemon, so it passes
        Exit ok = run("--check", "--sip-target", "127.0.0.1:5060", "--bird-socket=" + dir.resolve("none.ctl"));
        assertEquals(0, ok.status(), ok.toString());
        assertTrue(ok.stdout().contains("options OK"), ok.stdout());

        Exit badProtocol = run("--check", "--sip-target=127.0.0.1:5060", "--bird-protocol", "a;b");
        assertEquals(2, badProtocol.status(), badProtocol.toString());
        assertTrue(badProtocol.stderr().contains("not a BIRD protocol name"), badProtocol.stderr());

        Exit unknown = run("--sip-targt=127.0.0.1:5060");
        assertEquals(2, unknown.status(), unknown.toString());
        assertTrue(unknown.stderr().contains("unknown option --sip-targt"), unknown.stderr());
    }

    @Test
    void withdrawCallsTheAnnouncerOnceAndExits() throws Exception {
        Path calls = dir.resolve("calls");
        Path hook = dir.resolve("route-hook.sh");
        Files.writeString(hook, "#!/bin/sh\necho \"$1\" >> '" + calls + "'\n");
        Files.setPosixFilePermissions(hook, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Exit e = run("--withdraw", "--sip-target=127.0.0.1:5060", "--announcer=hook", "--hook", hook.toString());
        assertEquals(0, e.status(), e.toString());
        assertEquals("withdraw\n", Files.readString(calls));
    }
}
