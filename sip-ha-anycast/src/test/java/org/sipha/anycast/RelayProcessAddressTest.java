package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.testsupport.RequiredTool;

/**
 * The dead-man relay holding a process address: a real relay process, a real hook script as the routing daemon, and
 * real iproute2 in a network namespace the test creates. The address is on the host while heartbeats come, leaves
 * after the withdraw when they stop or the pipe closes, and comes back when they resume; a routing daemon that no
 * longer answers (it died with the JVM) does not keep it there. Needs root; CI runs as root. Waits are bounded polls.
 */
class RelayProcessAddressTest {
    private static final String NETNS = "sipha-rpa-" + ProcessHandle.current().pid();
    private static final String ADDR = "198.51.100.10/32";
    private static boolean created;

    @TempDir
    Path dir;

    @BeforeAll
    static void createNamespace() throws Exception {
        RequiredTool.require("ip", "iproute2");
        boolean ok = LoopbackAddressAnnouncerTest.run("ip", "netns", "add", NETNS) == 0;
        created = ok;
        ok = ok && LoopbackAddressAnnouncerTest.run("ip", "-n", NETNS, "link", "set", "lo", "up") == 0;
        RequiredTool.requireCapability(ok, "a network namespace of its own (" + NETNS + "; needs root and iproute2)");
    }

    @AfterAll
    static void deleteNamespace() throws Exception {
        if (created) {
            LoopbackAddressAnnouncerTest.run("ip", "netns", "del", NETNS);
        }
    }

    /** A hook that records each command in {@code state}, and fails while {@code fail} exists. */
    private RouteAnnouncer hook(Path state, Path fail) throws Exception {
        Path script = dir.resolve("hook.sh");
        Files.writeString(
                script,
                "#!/bin/sh\n[ -e " + fail + " ] && exit 1\nif [ \"$1\" = status ]; then cat " + state
                        + " 2>/dev/null || exit 3; else echo \"$1\" >> " + state + "; fi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return new CommandHookAnnouncer(script, 5_000);
    }

    private static boolean present() throws AnnouncerException {
        try (LoopbackAddressAnnouncer a = new LoopbackAddressAnnouncer(ADDR, "lo", NETNS)) {
            return a.observe().equals(Optional.of(RouteAnnouncement.ANNOUNCE));
        }
    }

    private static boolean presentQuietly() {
        try {
            return present();
        } catch (AnnouncerException e) {
            throw new AssertionError(e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void theAddressLeavesAfterTheWithdrawWhenHeartbeatsStopAndComesBackWhenTheyResume() throws Exception {
        Path state = dir.resolve("state");
        RouteAnnouncer hook = hook(state, dir.resolve("fail"));
        RelayDeadManSwitch relay = new RelayDeadManSwitch(hook.spec(), 300, ADDR, "lo", NETNS);
        try {
            assertTrue(!present(), "the namespace starts without the address");
            relay.start();
            assertTrue(present(), "added when the relay is armed, before the caller binds its sockets");
            for (int i = 0; i < 5; i++) {
                relay.heartbeat();
                Thread.sleep(50);
            }
            // silence: a hung JVM
            ThreadDeathWithdrawsTest.await(() -> !presentQuietly(), "removed after heartbeat silence");
            assertTrue(read(state).contains("withdraw"), "the route was withdrawn first: " + read(state));
            relay.heartbeat();
            ThreadDeathWithdrawsTest.await(
                    RelayProcessAddressTest::presentQuietly, "added back when heartbeats resume");
            assertTrue(relay.isAlive());

            relay.close(); // EOF, as when the JVM dies
            assertTrue(!present(), "removed on EOF");
            assertEquals(
                    "withdraw", read(state).strip().lines().reduce((a, b) -> b).orElse(""));
        } finally {
            relay.close();
            hook.close();
        }
    }

    @Test
    void aRoutingDaemonThatNoLongerAnswersDoesNotKeepTheAddress() throws Exception {
        Path state = dir.resolve("state");
        Path fail = dir.resolve("fail");
        RouteAnnouncer hook = hook(state, fail);
        RelayDeadManSwitch relay = new RelayDeadManSwitch(hook.spec(), 300, ADDR, "lo", NETNS);
        try {
            relay.start();
            assertTrue(present());
            Files.writeString(fail, "the speaker died with the JVM");
            relay.heartbeat();
            relay.close(); // EOF; every withdraw attempt fails, the address goes after the first
            assertTrue(!present(), "removed although the withdraw failed");
            assertTrue(!read(state).contains("withdraw"), "no withdraw got through: " + read(state));
        } finally {
            relay.close();
            hook.close();
        }
    }

    @Test
    void aBadProcessAddressIsRefusedBeforeAnyProcessStarts() throws Exception {
        RouteAnnouncer hook = hook(dir.resolve("state"), dir.resolve("fail"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RelayDeadManSwitch(hook.spec(), 300, "198.51.100.10", "lo", NETNS));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RelayDeadManSwitch(hook.spec(), 300, ADDR, "lo; rm -rf /", NETNS));
    }
}
