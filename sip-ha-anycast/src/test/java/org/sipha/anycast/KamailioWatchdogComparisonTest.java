package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.anycast.RouterTable.isPresent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.testsupport.RequiredTool;
import org.sipha.testsupport.SippProcess;

/**
 * The anchor the site node is compared with: Kamailio's dispatcher in front of two SIPp PBXs, announced by the
 * standalone watchdog (OPTIONS to Kamailio, which answers them itself, 503 counted as down, and {@code kamcmd
 * dispatcher.list} with {@code --min-up 1}), through an announcing BIRD to a BIRD router whose table the test
 * reads. The failures are the site node's (examples {@code SiteNodeIntegrationTest}), with the same probe interval
 * (100 ms, timeout 80 ms): both PBXs killed, Kamailio killed, Kamailio stopped. Kamailio probes its destinations
 * every second and marks one inactive after two lost probes ({@code ds_ping_interval} 1, its minimum, and
 * {@code ds_probing_threshold} 2). Times are printed as "MEASURED ..." lines; the test asserts only that each
 * failure withdraws the route.
 *
 * <p>Addresses: router BIRD 127.0.0.12:1802, announcing BIRD 127.0.0.13:1803, Kamailio 127.0.0.1:15640, SIPp PBXs
 * 127.0.0.1:15641-15642 (control and media ports 15643-15651). Needs bird, kamailio, kamcmd and sipp; with
 * {@code CI=true} a missing tool fails. Run under the shared lock ({@code flock /tmp/sipha-it.lock}).
 */
class KamailioWatchdogComparisonTest {
    static final String PREFIX = "198.51.100.12/32";
    static final long WAIT_MS = 30_000;
    static final String ROUTER_CONF = """
            router id 127.0.0.12;
            protocol device { scan time 10; }
            protocol bgp ann {
              local 127.0.0.12 port 1802 as 65000;
              neighbor 127.0.0.13 as 65001;
              multihop; strict bind yes; passive yes;
              graceful restart off;
              hold time 9; keepalive time 1;
              error wait time 1, 5;
              ipv4 { import all; export none; };
            }
            """;
    static final String ANNOUNCER_CONF = """
            router id 127.0.0.13;
            protocol device { scan time 10; }
            protocol static sipha_up { ipv4; disabled yes; route 198.51.100.12/32 blackhole; }
            protocol static sipha_drain { ipv4 { preference 100; }; disabled yes;
              route 198.51.100.12/32 blackhole { bgp_community.add((65535,0)); bgp_path.prepend(65001); }; }
            protocol bgp rtr {
              local 127.0.0.13 port 1803 as 65001;
              neighbor 127.0.0.12 port 1802 as 65000;
              multihop; strict bind yes;
              graceful restart off;
              hold time 9; connect delay time 1;
              ipv4 { import none; export where proto = "sipha_up" || proto = "sipha_drain"; next hop self; };
            }
            """;
    static final String DISPATCHER_LIST = """
            1 sip:127.0.0.1:15641 0 0
            1 sip:127.0.0.1:15642 0 0
            """;
    /** The load harness's dispatcher logic, plus answering OPTIONS to itself, as an operator behind a checker would. */
    static final String KAMAILIO_ROUTING = """
            loadmodule "pv.so"
            loadmodule "textops.so"
            loadmodule "rr.so"
            loadmodule "maxfwd.so"
            loadmodule "siputils.so"
            modparam("dispatcher", "ds_ping_interval", 1)
            modparam("dispatcher", "ds_probing_mode", 1)
            modparam("dispatcher", "ds_probing_threshold", 2)
            modparam("dispatcher", "ds_inactive_threshold", 2)
            modparam("dispatcher", "flags", 2)
            modparam("tm", "fr_timer", 2000)
            request_route {
              if (!mf_process_maxfwd_header("10")) { sl_send_reply("483","Too Many Hops"); exit; }
              if (is_method("OPTIONS") && uri == myself && $rU == $null) { sl_send_reply("200", "OK"); exit; }
              if (has_totag()) {
                if (loose_route()) { t_relay(); exit; }
                if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
                sl_send_reply("404", "Not here"); exit;
              }
              if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
              if (is_method("INVITE")) record_route();
              if (!ds_select_dst("1", "4")) { sl_send_reply("503", "No backend"); exit; }
              t_on_failure("RTF");
              t_relay();
            }
            failure_route[RTF] {
              if (t_is_canceled()) exit;
              if (t_check_status("503") || (t_branch_timeout() && !t_branch_replied())) {
                ds_mark_dst("ip");
                if (ds_next_dst()) { t_on_failure("RTF"); t_relay(); exit; }
              }
            }
            """;

    @TempDir
    static Path dir;

    static BirdTestBed bed;
    static RouterTable table;
    static BirdDaemon announcer;
    KamailioDaemon kamailio;
    final List<SippProcess> pbxs = new ArrayList<>();
    Process watchdog;

    @BeforeAll
    static void startBgp() throws Exception {
        bed = BirdTestBed.start(
                dir, "rtrk", ROUTER_CONF, "anck", ANNOUNCER_CONF, PREFIX, new InetSocketAddress("127.0.0.65", 25068));
        table = bed.table;
        announcer = bed.announcer;
    }

    @AfterAll
    static void stopBgp() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    @BeforeEach
    void startSite() throws Exception {
        RequiredTool.require("kamailio", "kamailio");
        RequiredTool.require("kamcmd", "kamailio");
        SippProcess.requireSipp();
        for (int i = 0; i < 2; i++) {
            pbxs.add(SippProcess.uas("uas_answer.xml", 15641 + i, 15643 + i, 15646 + 3 * i)
                    .answerOptions()
                    .workDir(dir.resolve("sipp"))
                    .start());
        }
        Path kdir = Files.createDirectories(dir.resolve("kamailio-" + System.nanoTime()));
        kamailio = new KamailioDaemon(kdir, "udp:127.0.0.1:15640", DISPATCHER_LIST, KAMAILIO_ROUTING).start();
        watchdog = startWatchdog();
        assertTrue(
                table.awaitNs(isPresent(true), System.nanoTime(), WAIT_MS) >= 0,
                "announced with Kamailio and both PBXs up: " + log());
    }

    @AfterEach
    void stopSite() throws Exception {
        if (watchdog != null) {
            watchdog.descendants().forEach(ProcessHandle::destroy);
            watchdog.destroy();
            if (!watchdog.waitFor(20, TimeUnit.SECONDS)) {
                watchdog.descendants().forEach(ProcessHandle::destroyForcibly);
                watchdog.destroyForcibly();
            }
        }
        if (kamailio != null) {
            kamailio.close();
        }
        pbxs.forEach(SippProcess::close);
        pbxs.clear();
        assertTrue(table.awaitNs(isPresent(false), System.nanoTime(), WAIT_MS) >= 0, "withdrawn at the end");
    }

    @Test
    void bothPbxsKilled() throws Exception {
        long t0 = System.nanoTime();
        for (SippProcess p : pbxs) {
            p.sigkill();
        }
        long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
        assertTrue(gone >= 0, "withdrawn once Kamailio has no active destination: " + log());
        report("watchdog + Kamailio: both PBXs SIGKILLed -> gone at router", gone);
    }

    @Test
    void kamailioKilled() throws Exception {
        List<ProcessHandle> all = new ArrayList<>(kamailio.processes());
        long t0 = System.nanoTime();
        all.forEach(ProcessHandle::destroyForcibly);
        long gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
        assertTrue(gone >= 0, "withdrawn once Kamailio stops answering: " + log());
        report("watchdog + Kamailio: Kamailio SIGKILLed -> gone at router", gone);
    }

    @Test
    void kamailioStopped() throws Exception {
        List<ProcessHandle> all = new ArrayList<>(kamailio.processes());
        long t0 = System.nanoTime();
        for (ProcessHandle h : all) {
            signal("STOP", h.pid());
        }
        long gone;
        try {
            gone = table.awaitNs(isPresent(false), t0, WAIT_MS);
        } finally {
            for (ProcessHandle h : all) {
                signal("CONT", h.pid());
            }
        }
        assertTrue(gone >= 0, "withdrawn while Kamailio is stopped: " + log());
        report("watchdog + Kamailio: Kamailio SIGSTOPped -> gone at router", gone);
    }

    private Process startWatchdog() throws IOException {
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                AnycastWatchdogMain.class.getName(),
                "--sip-target=127.0.0.1:15640",
                "--sip-local=127.0.0.1:0",
                "--down-codes=503",
                "--check-command=" + kamailio.kamcmdLine("dispatcher.list"),
                "--min-up=1",
                "--check-interval-ms=200",
                "--check-timeout-ms=200",
                "--probe-interval-ms=100",
                "--probe-timeout-ms=80",
                "--rise=2",
                "--fall=3",
                "--drain-ms=0",
                "--announcer=bird",
                "--bird-socket=" + announcer.controlSocket,
                "--bird-protocol=sipha_up",
                "--bird-drain-protocol=sipha_drain",
                "--deadman-timeout-ms=300",
                "--heartbeat-ms=50",
                "--reconcile-ms=200");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("watchdog.log").toFile())
                .start();
        ProcessRegistry.register(p);
        return p;
    }

    private static void signal(String sig, long pid) throws Exception {
        Process k = new ProcessBuilder(RequiredTool.require("kill", "procps").toString(), "-" + sig, Long.toString(pid))
                .inheritIO()
                .start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -" + sig + " " + pid);
    }

    private static void report(String what, long ns) {
        System.out.printf("MEASURED %s: %.2f ms%n", what, ns / 1e6);
    }

    private static String log() {
        try {
            String s = Files.readString(dir.resolve("watchdog.log"));
            return "\n--- watchdog.log ---\n" + (s.length() > 6000 ? s.substring(s.length() - 6000) : s);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
