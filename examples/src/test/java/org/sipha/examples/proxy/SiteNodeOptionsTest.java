package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The site node's options as the reference proxy reads them: command line, YAML, and what is refused. */
class SiteNodeOptionsTest {
    private static final String[] BACKENDS = {"--backend", "sip:127.0.0.1:5081", "--backend", "sip:127.0.0.1:5082"};

    @TempDir
    Path dir;

    private static SiteNodeOptions.Settings settings(String... args) {
        String[] all = new String[BACKENDS.length + args.length];
        System.arraycopy(BACKENDS, 0, all, 0, BACKENDS.length);
        System.arraycopy(args, 0, all, BACKENDS.length, args.length);
        ProxyOptions o = ProxyOptions.parse(all);
        return o.siteNode.resolve(o.health, ReferenceProxy.destinations(o).size());
    }

    private static void assertRefused(String start, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings(args));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void anycastTurnsTheSiteNodeOnWithTheWatchdogsAnnouncerDefaultsAndTheRelay() {
        SiteNodeOptions.Settings s = settings("--anycast", "198.51.100.10/32");
        assertEquals("198.51.100.10/32", s.prefix());
        assertEquals(1, s.minBackends());
        assertEquals(100, s.livenessIntervalMs());
        assertEquals(500, s.livenessTimeoutMs());
        assertEquals(
                List.of("bird", "/run/bird/bird.ctl", "sipha_up", "sipha_drain"),
                s.anycast().announcerSpec());
        assertEquals(500, s.anycast().deadmanTimeoutMs(), "the dead-man relay is on by default");
        assertEquals(10_000, s.anycast().drainMs());
        assertFalse(ProxyOptions.parse(BACKENDS).siteNode.given(), "off without --anycast");
    }

    @Test
    void announcerOptionsAreTheWatchdogsWrittenNameSpaceValue() {
        SiteNodeOptions.Settings s = settings(
                "--anycast",
                "198.51.100.10/32",
                "--min-backends",
                "2",
                "--announcer",
                "exabgp",
                "--exabgp-fifo",
                "/run/sipha/exa.fifo",
                "--drain-ms",
                "3000",
                "--deadman-timeout-ms",
                "400",
                "--liveness-interval-ms",
                "50",
                "--liveness-timeout-ms",
                "300");
        assertEquals(2, s.minBackends());
        assertEquals(
                List.of("exabgp", "/run/sipha/exa.fifo", "198.51.100.10/32", "community [65535:0]"),
                s.anycast().announcerSpec(),
                "--anycast is the prefix the announcer gets");
        assertEquals(3000, s.anycast().drainMs());
        assertEquals(400, s.anycast().deadmanTimeoutMs());
        assertEquals(50, s.livenessIntervalMs());
        assertEquals(300, s.livenessTimeoutMs());
    }

    @Test
    void birdConfigMakesTheNodeRunItsOwnBirdOnTheSocketItDrives() {
        SiteNodeOptions.Settings s = settings(
                "--anycast",
                "198.51.100.10/32",
                "--bird-config",
                "/etc/sipha/bird.conf",
                "--bird-socket",
                "/run/sipha/bird.ctl");
        assertEquals(
                List.of("bird", "-f", "-c", "/etc/sipha/bird.conf", "-s", "/run/sipha/bird.ctl"),
                s.anycast().speaker().command());
        assertEquals("/run/sipha/bird.ctl", s.anycast().announcerSpec().get(1));
        assertNull(settings("--anycast", "198.51.100.10/32").anycast().speaker(), "a BIRD of its own only if asked");
    }

    @Test
    void yamlKeysAreTheOptionNamesAndTheCommandLineOverridesThem() throws Exception {
        Path yaml = dir.resolve("proxy.yaml");
        Files.writeString(yaml, """
            backend: [ "sip:127.0.0.1:5081", "sip:127.0.0.1:5082" ]
            anycast: 198.51.100.10/32
            min-backends: 2
            bird-socket: /run/bird/site.ctl
            damping: "1000,2000,750,8000,60000"
            maintenance-file: /etc/sipha/maintenance
            """);
        ProxyOptions o = ProxyOptions.parse(new String[] {"--config", yaml.toString(), "--min-backends", "1"});
        SiteNodeOptions.Settings s =
                o.siteNode.resolve(o.health, ReferenceProxy.destinations(o).size());
        assertEquals(1, s.minBackends());
        assertEquals(
                List.of("bird", "/run/bird/site.ctl", "sipha_up", "sipha_drain"),
                s.anycast().announcerSpec());
    }

    @Test
    void refusesWhatCouldNotWork() {
        assertRefused("--drain-ms: a site node option, which needs --anycast", "--drain-ms", "5000");
        assertRefused("--anycast: expected a prefix", "--anycast", "anycast.example.org");
        assertRefused(
                "--min-backends: counting usable backends needs health checking",
                "--anycast",
                "198.51.100.10/32",
                "--no-health");
        assertRefused("--min-backends: 3 is more than the 2", "--anycast", "198.51.100.10/32", "--min-backends", "3");
        assertRefused(
                "--liveness-interval-ms must be at least 10",
                "--anycast",
                "198.51.100.10/32",
                "--liveness-interval-ms",
                "100",
                "--liveness-timeout-ms",
                "150");
        assertRefused("--drain-ms is not a number", "--anycast", "198.51.100.10/32", "--drain-ms", "soon");
        assertRefused("--hook is required", "--anycast", "198.51.100.10/32", "--announcer", "hook");
        assertRefused("--prefix: unknown option", "--anycast", "198.51.100.10/32", "--prefix", "198.51.100.11/32");
        assertRefused("--sip-target: unknown option", "--anycast", "198.51.100.10/32", "--sip-target", "x:1");
        SiteNodeOptions.Settings noHealth =
                settings("--anycast", "198.51.100.10/32", "--no-health", "--min-backends", "0");
        assertEquals(0, noHealth.minBackends());
    }

    @Test
    void processAddressIsHeldByTheRelayOnTheAddressDevice() {
        SiteNodeOptions.Settings s = settings(
                "--anycast", "198.51.100.10/32", "--process-address", "198.51.100.10/32", "--address-device", "dummy0");
        assertEquals("198.51.100.10/32", s.processAddress());
        assertNull(settings("--anycast", "198.51.100.10/32").processAddress(), "none unless asked for");
        assertRefused(
                "--process-address: expected an address",
                "--anycast",
                "198.51.100.10/32",
                "--process-address",
                "198.51.100.10");
        assertRefused(
                "--process-address and --address both manage",
                "--anycast",
                "198.51.100.10/32",
                "--process-address",
                "198.51.100.10/32",
                "--address",
                "198.51.100.10/32");
        assertRefused(
                "--process-address: the dead-man relay holds it",
                "--anycast",
                "198.51.100.10/32",
                "--process-address",
                "198.51.100.10/32",
                "--deadman-timeout-ms",
                "0");
    }

    @Test
    void noSiteNodeWithoutItsOptions() {
        assertNull(SiteNode.prepare(ProxyOptions.parse(BACKENDS)));
    }
}
