package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real shell scripts through the hook announcer. */
class CommandHookAnnouncerTest {
    @TempDir
    Path dir;

    private Path script(String body) throws Exception {
        Path s = dir.resolve("hook.sh");
        Files.writeString(s, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    @Test
    void passesTheStateAndReadsItBack() throws Exception {
        Path state = dir.resolve("state");
        Path s = script("if [ \"$1\" = status ]; then cat " + state + " 2>/dev/null || exit 3; " + "else echo \"$1\" > "
                + state + "; fi\n");
        try (CommandHookAnnouncer hook = new CommandHookAnnouncer(s, 5_000)) {
            assertEquals(Optional.empty(), hook.observe(), "exit 3 = cannot tell");
            hook.apply(RouteAnnouncement.DRAIN);
            assertEquals("drain", Files.readString(state).strip());
            assertEquals(Optional.of(RouteAnnouncement.DRAIN), hook.observe());
            hook.apply(RouteAnnouncement.WITHDRAW);
            assertEquals(Optional.of(RouteAnnouncement.WITHDRAW), hook.observe());
            assertEquals(List.of("hook", s.toString(), "5000"), hook.spec());
        }
    }

    @Test
    void nonZeroExitIsATypedErrorWithTheScriptsOutput() throws Exception {
        Path s = script("echo 'vtysh: connection refused' >&2; exit 4\n");
        try (CommandHookAnnouncer hook = new CommandHookAnnouncer(s, 5_000)) {
            AnnouncerException e = assertThrows(AnnouncerException.class, () -> hook.apply(RouteAnnouncement.ANNOUNCE));
            assertTrue(
                    e.getMessage().contains("exited 4") && e.getMessage().contains("connection refused"),
                    e.getMessage());
        }
    }

    @Test
    void hangingScriptIsKilledAtTheTimeout() throws Exception {
        Path s = script("sleep 30\n");
        try (CommandHookAnnouncer hook = new CommandHookAnnouncer(s, 300)) {
            AnnouncerException e = assertThrows(AnnouncerException.class, () -> hook.apply(RouteAnnouncement.WITHDRAW));
            assertTrue(e.getMessage().contains("did not exit within 300 ms"), e.getMessage());
        }
    }

    @Test
    void garbageStatusIsATypedError() throws Exception {
        Path s = script("echo maybe\n");
        try (CommandHookAnnouncer hook = new CommandHookAnnouncer(s, 5_000)) {
            assertThrows(AnnouncerException.class, hook::observe);
        }
    }

    @Test
    void missingScriptIsATypedError() {
        try (CommandHookAnnouncer hook = new CommandHookAnnouncer(dir.resolve("absent.sh"), 1_000)) {
            assertThrows(AnnouncerException.class, () -> hook.apply(RouteAnnouncement.ANNOUNCE));
        }
    }
}
