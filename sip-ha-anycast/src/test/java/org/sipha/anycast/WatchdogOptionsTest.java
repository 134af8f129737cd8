package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        assertEquals("503", o.downCodes.toString());
        assertNull(o.check);
        assertEquals(0, o.config.minDestinationsUp);
    }

    @Test
    void downCodesTakeCodesAndRangesAndEmptyMeansOnlySilence() {
        WatchdogOptions o =
                WatchdogOptions.parse(new String[] {"--sip-target=127.0.0.1:5060", "--down-codes=500-599,603"});
        assertTrue(o.downCodes.contains(500) && o.downCodes.contains(599) && o.downCodes.contains(603));
        assertFalse(o.downCodes.contains(404));
        assertTrue(WatchdogOptions.parse(new String[] {"--sip-target=127.0.0.1:5060", "--down-codes="})
                .downCodes
                .isEmpty());
        assertMessage(
                "--down-codes: status code 180 is not a final response",
                new String[] {"--sip-target=127.0.0.1:5060", "--down-codes=180"});
    }

    @Test
    void checkCommandWithMinUpCountsKamailioDestinationsAndSetsTheDecisionsK() {
        WatchdogOptions o = WatchdogOptions.parse(
                new String[] {"--sip-target=127.0.0.1:5060", "--check-command=kamcmd dispatcher.list", "--min-up=2"});
        assertEquals(
                "`kamcmd dispatcher.list` (>= 2 active Kamailio dispatcher destinations, timeout 500 ms)",
                o.check.toString());
        assertEquals(2, o.config.minDestinationsUp);
        assertEquals(1_000, o.checkIntervalMs);

        WatchdogOptions regex = WatchdogOptions.parse(new String[] {
            "--sip-target=127.0.0.1:5060",
            "--check-command=/usr/local/bin/pbx-status",
            "--check-regex=^pbx[0-9]+ up$",
            "--check-interval-ms=2000",
            "--check-timeout-ms=1500"
        });
        assertEquals(
                "`/usr/local/bin/pbx-status` (>= 1 lines matching /^pbx[0-9]+ up$/, timeout 1500 ms)",
                regex.check.toString());
        assertEquals(1, regex.config.minDestinationsUp);
        assertEquals(2_000, regex.checkIntervalMs);

        WatchdogOptions exit = WatchdogOptions.parse(new String[] {
            "--sip-target=127.0.0.1:5060", "--check-command=systemctl is-active kamailio", "--check-interval-ms=300"
        });
        assertEquals("`systemctl is-active kamailio` (exit status 0, timeout 300 ms)", exit.check.toString());
        assertEquals(1, exit.config.minDestinationsUp);
    }

    @Test
    void checkOptionsAreValidated() {
        assertMessage("--min-up needs --check-command", new String[] {"--sip-target=127.0.0.1:5060", "--min-up=2"});
        assertMessage(
                "--check-regex needs --check-command",
                new String[] {"--sip-target=127.0.0.1:5060", "--check-regex=up"});
        assertMessage(
                "--check-command is required",
                new String[] {"--sip-target=127.0.0.1:5060", "--check-command= ", "--min-up=1"});
        assertMessage(
                "--min-up must be > 0",
                new String[] {"--sip-target=127.0.0.1:5060", "--check-command=true", "--min-up=0"});
        assertMessage(
                "--check-regex is not a regular expression",
                new String[] {"--sip-target=127.0.0.1:5060", "--check-command=true", "--check-regex=(up"});
        assertMessage(
                "--check-timeout-ms must not exceed --check-interval-ms",
                new String[] {"--sip-target=127.0.0.1:5060", "--check-command=true", "--check-timeout-ms=2000"});
    }

    @Test
    void hookAnnouncerAndOverrides() {
        WatchdogOptions o = WatchdogOptions.parse(new String[] {
            "--sip-target=[::1]:5070",
            "--announcer=hook",
            "--hook=/usr/local/bin/route.sh",
            "--rise=5",
            "--drain-ms=0",
            "--deadman-timeout-ms=0"
        });
        assertEquals(List.of("hook", "/usr/local/bin/route.sh", "5000"), o.announcerSpec, "no relay: 5 s");
        assertEquals(5, o.config.rise);
        assertEquals(0, o.config.drainNs);
        assertEquals(0, o.deadmanTimeoutMs);
    }

    @Test
    void exabgpAnnouncerDefaultsToTheGracefulShutdownCommunity() {
        WatchdogOptions o = WatchdogOptions.parse(new String[] {
            "--sip-target=127.0.0.1:5060",
            "--announcer=exabgp",
            "--exabgp-fifo=/run/sipha/exa.fifo",
            "--prefix=198.51.100.10/32"
        });
        assertEquals(
                List.of("exabgp", "/run/sipha/exa.fifo", "198.51.100.10/32", "community [65535:0]"), o.announcerSpec);
        assertEquals(
                "exabgp:/run/sipha/exa.fifo",
                AnnouncerSpec.parse(o.announcerSpec).name());
        assertThrows(
                IllegalArgumentException.class,
                () -> AnnouncerSpec.parse(
                        List.of("exabgp", "/f", "198.51.100.10/32", "community [65535:0]\nshutdown")));
    }

    @Test
    void addressOptionWrapsTheRoutingAnnouncerInOrder() {
        WatchdogOptions o =
                WatchdogOptions.parse(new String[] {"--sip-target=127.0.0.1:5060", "--address=198.51.100.10/32"});
        assertEquals(
                List.of(
                        "ordered",
                        "4",
                        "bird",
                        "/run/bird/bird.ctl",
                        "sipha_up",
                        "sipha_drain",
                        "address",
                        "198.51.100.10/32",
                        "lo",
                        "-"),
                o.announcerSpec);
        assertEquals(
                "bird:/run/bird/bird.ctl+address:198.51.100.10/32@lo",
                AnnouncerSpec.parse(o.announcerSpec).name());
    }

    @Test
    void frrAnnouncerTimeoutDefaultsBelowTheDeadManTimeout() {
        WatchdogOptions o = WatchdogOptions.parse(new String[] {
            "--sip-target=127.0.0.1:5060",
            "--announcer=frr",
            "--frr-asn=65004",
            "--prefix=198.51.100.10/32",
            "--frr-drain-route-map=sipha-drain"
        });
        assertEquals(List.of("frr", "-", "65004", "198.51.100.10/32", "sipha-drain", "400"), o.announcerSpec);
        assertEquals("frr:AS65004", AnnouncerSpec.parse(o.announcerSpec).name());
        assertMessage("must be shorter than --deadman-timeout-ms", new String[] {
            "--sip-target=127.0.0.1:5060",
            "--announcer=frr",
            "--frr-asn=65004",
            "--prefix=198.51.100.10/32",
            "--frr-timeout-ms=500"
        });
        assertMessage(
                "AS number out of range",
                new String[] {
                    "--sip-target=127.0.0.1:5060", "--announcer=frr", "--frr-asn=0", "--prefix=198.51.100.10/32"
                },
                true);
    }

    @Test
    void badInputIsATypedErrorNamingTheOption() {
        assertMessage("--sip-target is required", new String[] {});
        assertMessage("unknown option --sip-targt", new String[] {"--sip-targt=1.2.3.4:5060"});
        assertMessage("--rise is not a number", new String[] {"--sip-target=127.0.0.1:5060", "--rise=x"});
        assertMessage("port out of range", new String[] {"--sip-target=127.0.0.1:70000"});
        assertMessage("expected --name=value", new String[] {"--sip-target=127.0.0.1:5060", "stray"});
        assertMessage("--hook is required", new String[] {"--sip-target=127.0.0.1:5060", "--announcer=hook"});
        assertMessage("must be shorter than --deadman-timeout-ms", new String[] {
            "--sip-target=127.0.0.1:5060", "--announcer=hook", "--hook=/x.sh", "--hook-timeout-ms=600"
        });
        assertMessage(
                "at least 3 heartbeat periods",
                new String[] {"--sip-target=127.0.0.1:5060", "--deadman-timeout-ms=100", "--heartbeat-ms=100"});
        assertMessage(
                "not a BIRD protocol name", new String[] {"--sip-target=127.0.0.1:5060", "--bird-protocol=a;b"}, true);
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
