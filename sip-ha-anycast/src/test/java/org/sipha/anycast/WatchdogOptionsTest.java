package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class WatchdogOptionsTest {
    @Test
    void defaultsToBirdWithDrainProtocolAndRelay() {
        WatchdogOptions o = WatchdogOptions.parse(new String[] {"--sip-target=127.0.0.1:5060"});
        assertEquals(List.of("bird", "/run/bird/bird.ctl", "sipha_up", "sipha_drain"), o.announcerSpec);
        assertEquals(5060, o.sipTarget.getPort());
        assertEquals(500, o.deadmanTimeoutMs);
        assertEquals(3, o.config.rise);
    }

    @Test
    void hookAnnouncerAndOverrides() {
        WatchdogOptions o = WatchdogOptions.parse(new String[] {"--sip-target=[::1]:5070", "--announcer=hook",
                "--hook=/usr/local/bin/route.sh", "--rise=5", "--drain-ms=0", "--deadman-timeout-ms=0"});
        assertEquals(List.of("hook", "/usr/local/bin/route.sh", "5000"), o.announcerSpec, "no relay: 5 s");
        assertEquals(5, o.config.rise);
        assertEquals(0, o.config.drainNs);
        assertEquals(0, o.deadmanTimeoutMs);
    }

    @Test
    void exabgpAnnouncerDefaultsToTheGracefulShutdownCommunity() {
        WatchdogOptions o = WatchdogOptions.parse(new String[] {"--sip-target=127.0.0.1:5060",
                "--announcer=exabgp", "--exabgp-fifo=/run/sipha/exa.fifo", "--prefix=198.51.100.10/32"});
        assertEquals(List.of("exabgp", "/run/sipha/exa.fifo", "198.51.100.10/32", "community [65535:0]"),
                o.announcerSpec);
        assertEquals("exabgp:/run/sipha/exa.fifo", AnnouncerSpec.parse(o.announcerSpec).name());
        assertThrows(IllegalArgumentException.class, () -> AnnouncerSpec.parse(List.of("exabgp", "/f",
                "198.51.100.10/32", "community [65535:0]\nshutdown")));
    }

    @Test
    void addressOptionWrapsTheRoutingAnnouncerInOrder() {
        WatchdogOptions o = WatchdogOptions.parse(new String[] {"--sip-target=127.0.0.1:5060",
                "--address=198.51.100.10/32"});
        assertEquals(List.of("ordered", "4", "bird", "/run/bird/bird.ctl", "sipha_up", "sipha_drain", "address",
                "198.51.100.10/32", "lo", "-"), o.announcerSpec);
        assertEquals("bird:/run/bird/bird.ctl+address:198.51.100.10/32@lo", AnnouncerSpec.parse(o.announcerSpec).name());
    }

    @Test
    void frrAnnouncerTimeoutDefaultsBelowTheDeadManTimeout() {
        WatchdogOptions o = WatchdogOptions.parse(new String[] {"--sip-target=127.0.0.1:5060", "--announcer=frr",
                "--frr-asn=65004", "--prefix=198.51.100.10/32", "--frr-drain-route-map=sipha-drain"});
        assertEquals(List.of("frr", "-", "65004", "198.51.100.10/32", "sipha-drain", "400"), o.announcerSpec);
        assertEquals("frr:AS65004", AnnouncerSpec.parse(o.announcerSpec).name());
        assertMessage("must be shorter than --deadman-timeout-ms", new String[] {"--sip-target=127.0.0.1:5060",
                "--announcer=frr", "--frr-asn=65004", "--prefix=198.51.100.10/32", "--frr-timeout-ms=500"});
        assertMessage("AS number out of range", new String[] {"--sip-target=127.0.0.1:5060", "--announcer=frr",
                "--frr-asn=0", "--prefix=198.51.100.10/32"}, true);
    }

    @Test
    void badInputIsATypedErrorNamingTheOption() {
        assertMessage("--sip-target is required", new String[] {});
        assertMessage("unknown option --sip-targt", new String[] {"--sip-targt=1.2.3.4:5060"});
        assertMessage("--rise is not a number", new String[] {"--sip-target=127.0.0.1:5060", "--rise=x"});
        assertMessage("port out of range", new String[] {"--sip-target=127.0.0.1:70000"});
        assertMessage("expected --name=value", new String[] {"--sip-target=127.0.0.1:5060", "stray"});
        assertMessage("--hook is required", new String[] {"--sip-target=127.0.0.1:5060", "--announcer=hook"});
        assertMessage("must be shorter than --deadman-timeout-ms", new String[] {"--sip-target=127.0.0.1:5060",
                "--announcer=hook", "--hook=/x.sh", "--hook-timeout-ms=600"});
        assertMessage("at least 3 heartbeat periods",
                new String[] {"--sip-target=127.0.0.1:5060", "--deadman-timeout-ms=100", "--heartbeat-ms=100"});
        assertMessage("not a BIRD protocol name",
                new String[] {"--sip-target=127.0.0.1:5060", "--bird-protocol=a;b"}, true);
    }

    private static void assertMessage(String expected, String[] args) {
        assertMessage(expected, args, false);
    }

    private static void assertMessage(String expected, String[] args, boolean viaSpec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            WatchdogOptions o = WatchdogOptions.parse(args);
            if (viaSpec) {
                AnnouncerSpec.parse(o.announcerSpec);
            }
        });
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
