package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BIRD run as this JVM's child: it answers on its control socket once started, stops on close, and refuses a
 * control socket on which another daemon answers; one that dies on its own is started again within its budget. No BGP session (no port). That it dies with a killed JVM is
 * shown by the examples' SiteNodeFateIntegrationTest. Needs {@code bird} and {@code setpriv}.
 */
class ChildBgpSpeakerTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path c = dir.resolve("child.conf");
        Files.writeString(c, """
            log "%s" all;
            router id 127.0.0.12;
            protocol device { scan time 10; }
            protocol static sipha_up { ipv4; disabled yes; route 198.51.100.10/32 blackhole; }
            """.formatted(dir.resolve("child.log")));
        return c;
    }

    @Test
    void runsBirdUntilClosedAndAnswersOnItsControlSocket() throws Exception {
        ChildBgpSpeaker s = ChildBgpSpeaker.bird(BirdDaemon.requireBird(), config(), dir.resolve("child.ctl"));
        try {
            s.start(20_000);
            ProcessHandle.of(s.pid()).ifPresent(ProcessRegistry::register);
            assertTrue(s.isAlive());
            try (BirdControlSocket c = BirdControlSocket.connect(dir.resolve("child.ctl"), 2_000)) {
                assertTrue(c.command("show protocols sipha_up").text().contains("sipha_up"));
            }
            ProcessHandle h = ProcessHandle.of(s.pid()).orElseThrow();
            assertTrue(h.info().command().orElse("").endsWith("/bird"), "setpriv execs BIRD in place");
            s.close();
            assertTrue(h.onExit().get(10, TimeUnit.SECONDS) != null);
            assertFalse(s.isAlive());
        } finally {
            s.close();
        }
    }

    @Test
    void aSpeakerThatDiesOnItsOwnIsStartedAgainWithinItsBudget() throws Exception {
        Path ctl = dir.resolve("child.ctl");
        ChildBgpSpeaker s = ChildBgpSpeaker.bird(BirdDaemon.requireBird(), config(), ctl, new RestartBudget(1, 60_000));
        try {
            s.start(20_000);
            long first = s.pid();
            ProcessHandle.of(first).ifPresent(ProcessRegistry::register);
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            long second = awaitNewAnsweringPid(s, ctl, first);
            ProcessHandle.of(second).ifPresent(ProcessRegistry::register);
            // the budget of one restart is spent: a second death is final
            ProcessHandle h = ProcessHandle.of(second).orElseThrow();
            h.destroyForcibly();
            h.onExit().get(10, TimeUnit.SECONDS);
            Thread.sleep(1_500);
            assertFalse(s.isAlive(), "not restarted beyond its budget");
            assertEquals(second, s.pid());
        } finally {
            s.close();
        }
    }

    private static long awaitNewAnsweringPid(ChildBgpSpeaker s, Path ctl, long old) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0) {
            if (s.pid() != old && s.isAlive()) {
                try (BirdControlSocket c = BirdControlSocket.connect(ctl, 1_000)) {
                    assertTrue(c.command("show protocols sipha_up").text().contains("sipha_up"));
                    return s.pid();
                } catch (AnnouncerException notYet) {
                    // BIRD is still starting
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the speaker was not restarted within 20 s");
    }

    @Test
    void refusesAControlSocketAnotherDaemonAnswersOn() throws Exception {
        try (BirdDaemon other =
                new BirdDaemon(dir, "other", "router id 127.0.0.13;\nprotocol device { scan time 10; }\n").start()) {
            ChildBgpSpeaker s = ChildBgpSpeaker.bird(BirdDaemon.requireBird(), config(), other.controlSocket);
            AnnouncerException e = assertThrows(AnnouncerException.class, () -> s.start(5_000));
            assertTrue(e.getMessage().contains("already answers"), e.getMessage());
        }
    }
}
