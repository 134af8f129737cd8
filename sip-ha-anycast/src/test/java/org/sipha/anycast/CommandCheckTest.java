package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real commands through {@code /bin/sh}; the Kamailio output is a captured {@code kamcmd} sample. */
class CommandCheckTest {
    @TempDir
    Path dir;

    private Path kamcmdSample() throws Exception {
        Path f = dir.resolve("dispatcher.list.out");
        Files.writeString(f, KamailioDispatcherListTest.resource("kamcmd-dispatcher-list.txt"));
        return f;
    }

    @Test
    void kamailioDispatcherCountPassesWithAtLeastKActive() throws Exception {
        String cmd = "cat '" + kamcmdSample() + "'";
        CommandCheck.Result two =
                new CommandCheck(cmd, 5_000, CommandCheck.Counting.KAMAILIO_DISPATCHER, null, 2).run();
        assertTrue(two.pass(), two.detail());
        assertEquals(2, two.up());
        assertEquals(6, two.total());
        assertTrue(two.detail().startsWith("2 of 6 dispatcher destinations active (need 2)"), two.detail());
        CommandCheck.Result three =
                new CommandCheck(cmd, 5_000, CommandCheck.Counting.KAMAILIO_DISPATCHER, null, 3).run();
        assertFalse(three.pass(), three.detail());
        assertEquals(2, three.up());
    }

    @Test
    void nonZeroExitIsZeroUpWithTheCommandsOutput() {
        CommandCheck.Result r = new CommandCheck(
                        "echo 'ERROR: connect_unix_sock: connect(/run/kamailio/"
                                + "kamailio_ctl): No such file or directory [2]' >&2; exit 255",
                        5_000,
                        CommandCheck.Counting.KAMAILIO_DISPATCHER,
                        null,
                        1)
                .run();
        assertFalse(r.pass());
        assertEquals(0, r.up());
        assertTrue(r.detail().contains("exited 255") && r.detail().contains("connect_unix_sock"), r.detail());
    }

    @Test
    void matchingLinesAreCountedAgainstMinUp() {
        String cmd = "printf 'pbx1 up\\npbx2 down\\n\\npbx3 up\\n'";
        CommandCheck.Result r =
                new CommandCheck(cmd, 5_000, CommandCheck.Counting.MATCHING_LINES, Pattern.compile(" up$"), 2).run();
        assertTrue(r.pass(), r.detail());
        assertEquals(2, r.up());
        assertEquals(3, r.total(), "blank lines are not counted");
        assertFalse(new CommandCheck(cmd, 5_000, CommandCheck.Counting.MATCHING_LINES, Pattern.compile(" up$"), 3)
                .run()
                .pass());
    }

    @Test
    void exitStatusZeroIsOneOfOneUp() {
        CommandCheck.Result ok = new CommandCheck("true", 5_000, CommandCheck.Counting.EXIT_STATUS, null, 1).run();
        assertTrue(ok.pass(), ok.detail());
        assertEquals(1, ok.up());
        assertEquals(1, ok.total());
        CommandCheck.Result bad = new CommandCheck("exit 3", 5_000, CommandCheck.Counting.EXIT_STATUS, null, 1).run();
        assertFalse(bad.pass());
        assertTrue(bad.detail().contains("exited 3"), bad.detail());
        assertThrows(
                IllegalArgumentException.class,
                () -> new CommandCheck("true", 5_000, CommandCheck.Counting.EXIT_STATUS, null, 2));
    }

    @Test
    void hangingCommandIsKilledAtTheTimeoutAndCountsAsDown() {
        CommandCheck.Result r = new CommandCheck("sleep 30", 300, CommandCheck.Counting.EXIT_STATUS, null, 1).run();
        assertFalse(r.pass());
        assertTrue(r.detail().contains("did not exit within 300 ms"), r.detail());
    }
}
