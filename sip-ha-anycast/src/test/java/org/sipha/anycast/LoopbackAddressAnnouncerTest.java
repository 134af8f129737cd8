package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sipha.testsupport.RequiredTool;

/**
 * Real iproute2 in a network namespace the test creates (on its own {@code lo}), so the host's interfaces are
 * never touched. Needs root (CAP_NET_ADMIN); CI runs as root.
 */
class LoopbackAddressAnnouncerTest {
    static final String NETNS = "sipha-any-" + ProcessHandle.current().pid();
    static final String DEV = "lo"; // every netns has one; dummy interfaces need a kernel module
    static final String ADDR = "198.51.100.10/32";
    static boolean created;

    static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ProcessRegistry.register(p);
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0) {
            System.err.println(String.join(" ", cmd) + ": " + out);
        }
        return p.exitValue();
    }

    @BeforeAll
    static void createNamespace() throws Exception {
        RequiredTool.require("ip", "iproute2");
        boolean ok = run("ip", "netns", "add", NETNS) == 0;
        created = ok;
        ok = ok && run("ip", "-n", NETNS, "link", "set", DEV, "up") == 0;
        RequiredTool.requireCapability(ok, "a network namespace of its own (" + NETNS + "; needs root and iproute2)");
    }

    @AfterAll
    static void deleteNamespace() throws Exception {
        if (created) {
            run("ip", "netns", "del", NETNS);
        }
    }

    @Test
    void addsAndRemovesTheAddressIdempotently() throws Exception {
        try (LoopbackAddressAnnouncer a = new LoopbackAddressAnnouncer(ADDR, DEV, NETNS)) {
            assertEquals(Optional.of(RouteAnnouncement.WITHDRAW), a.observe());
            a.apply(RouteAnnouncement.ANNOUNCE);
            a.apply(RouteAnnouncement.DRAIN);
            assertEquals(Optional.of(RouteAnnouncement.ANNOUNCE), a.observe());
            a.apply(RouteAnnouncement.WITHDRAW);
            a.apply(RouteAnnouncement.WITHDRAW);
            assertEquals(Optional.of(RouteAnnouncement.WITHDRAW), a.observe());
        }
    }

    @Test
    void missingInterfaceIsATypedError() {
        try (LoopbackAddressAnnouncer a = new LoopbackAddressAnnouncer(ADDR, "nosuch0", NETNS)) {
            assertThrows(AnnouncerException.class, () -> a.apply(RouteAnnouncement.ANNOUNCE));
        }
        assertThrows(IllegalArgumentException.class, () -> new LoopbackAddressAnnouncer("1.2.3.4/32; rm", DEV, null));
    }

    @Test
    void addressIsAddedBeforeAnnouncingAndRemovedOnlyAfterTheWithdraw() throws Exception {
        LoopbackAddressAnnouncer address = new LoopbackAddressAnnouncer(ADDR, DEV, NETNS);
        List<String> seen = new ArrayList<>();
        RouteAnnouncer routing = new RouteAnnouncer() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public void apply(RouteAnnouncement target) throws AnnouncerException {
                seen.add(target + " with address " + address.observe().orElseThrow());
            }

            @Override
            public Optional<RouteAnnouncement> observe() {
                return Optional.empty();
            }

            @Override
            public List<String> spec() {
                return List.of("bird", "/x.ctl", "up", "-");
            }

            @Override
            public void close() {}
        };
        try (OrderedAnnouncer o = new OrderedAnnouncer(routing, address)) {
            o.apply(RouteAnnouncement.ANNOUNCE);
            o.apply(RouteAnnouncement.WITHDRAW);
            assertEquals(List.of("ANNOUNCE with address ANNOUNCE", "WITHDRAW with address ANNOUNCE"), seen);
            assertEquals(Optional.of(RouteAnnouncement.WITHDRAW), address.observe(), "removed after the withdraw");
            assertTrue(
                    AnnouncerSpec.parse(o.spec()) instanceof OrderedAnnouncer,
                    o.spec().toString());
        }
    }
}
