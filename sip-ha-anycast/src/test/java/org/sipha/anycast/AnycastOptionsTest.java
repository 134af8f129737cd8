package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The announcer and decision options shared by the watchdog and embedders, read from a map of names to text. */
class AnycastOptionsTest {

    @Test
    void defaultsAreBirdWithTheRelayAndATenSecondDrain() {
        AnycastOptions o = AnycastOptions.parse(Map.of("sip-target", "ignored:5060"));
        assertEquals(List.of("bird", "/run/bird/bird.ctl", "sipha_up", "sipha_drain"), o.announcerSpec());
        assertEquals(500, o.deadmanTimeoutMs());
        assertEquals(10_000, o.drainMs());
        assertTrue(o.deadManSwitch() instanceof RelayDeadManSwitch);
        AnycastConfig c = o.config().build();
        assertEquals(3, c.rise);
        assertEquals(2, c.fall);
        assertEquals(10_000_000_000L, c.drainNs);
        assertEquals(0, c.minDestinationsUp, "the caller adds its own inputs");
        assertTrue(c.maintenanceFile().isEmpty());
    }

    @Test
    void everyFigureReachesTheConfigAndEachBuilderIsNew() {
        AnycastOptions o = AnycastOptions.parse(Map.of(
                "rise",
                "4",
                "fall",
                "3",
                "drain-ms",
                "2500",
                "drain-on-proxy-failure",
                "true",
                "heartbeat-ms",
                "50",
                "reconcile-ms",
                "200",
                "maintenance-file",
                "/etc/sipha/maintenance",
                "damping",
                "1000,1000,500,8000,2000",
                "deadman-timeout-ms",
                "0"));
        AnycastConfig c = o.config().minDestinationsUp(2).requireQuorum(true).build();
        assertEquals(4, c.rise);
        assertEquals(3, c.fall);
        assertEquals(2_500_000_000L, c.drainNs);
        assertTrue(c.drainOnProxyFailure);
        assertEquals(50_000_000L, c.heartbeatIntervalNs);
        assertEquals(200_000_000L, c.reconcileIntervalNs);
        assertEquals(Path.of("/etc/sipha/maintenance"), c.maintenanceFile().orElseThrow());
        assertEquals(1000, c.dampingSuppressLimit);
        assertEquals(2_000_000_000L, c.dampingHalfLifeNs);
        assertEquals(2, c.minDestinationsUp);
        assertTrue(c.requireQuorum);
        assertEquals(0, o.config().build().minDestinationsUp, "a fresh builder each time");
        assertSame(DeadManSwitch.NONE, o.deadManSwitch(), "deadman-timeout-ms 0: no relay");
    }

    @Test
    void badValuesNameTheirOption() {
        assertMessage("--drain-ms is not a number", Map.of("drain-ms", "soon"));
        assertMessage("--damping needs 5 comma-separated numbers", Map.of("damping", "1,2"));
        assertMessage("--announcer must be bird, hook, exabgp or frr", Map.of("announcer", "gobgp"));
        assertMessage("--prefix is required", Map.of("announcer", "exabgp", "exabgp-fifo", "/f"));
        assertMessage("at least 3 heartbeat periods", Map.of("deadman-timeout-ms", "200", "heartbeat-ms", "100"));
        assertMessage("rise must be 1..1000", Map.of("rise", "1001"));
        assertMessage("--bird-binary needs --bird-config", Map.of("bird-binary", "/usr/sbin/bird"));
        assertMessage(
                "--bird-config needs --announcer bird",
                Map.of("announcer", "hook", "hook", "/bin/true", "bird-config", "/etc/sipha/bird.conf"));
    }

    @Test
    void withABirdConfigTheProgramRunsItsOwnBirdOnTheControlSocketItDrives() {
        assertEquals(null, AnycastOptions.parse(Map.of()).speaker(), "by default BIRD runs on its own");
        AnycastOptions o = AnycastOptions.parse(Map.of(
                "bird-config",
                "/etc/sipha/bird.conf",
                "bird-socket",
                "/run/sipha/bird.ctl",
                "bird-binary",
                "/opt/bird"));
        assertEquals(
                List.of("/opt/bird", "-f", "-c", "/etc/sipha/bird.conf", "-s", "/run/sipha/bird.ctl"),
                o.speaker().command());
        assertEquals("/run/sipha/bird.ctl", o.announcerSpec().get(1), "the announcer drives that BIRD");
    }

    private static void assertMessage(String expected, Map<String, String> options) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AnycastOptions.parse(options));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
