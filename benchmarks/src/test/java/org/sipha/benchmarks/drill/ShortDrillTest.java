package org.sipha.benchmarks.drill;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.sipha.testsupport.RequiredTool;

/**
 * The drill's short form (faults 1-5 and 8, one Galera node per site plus garbd, 40 calls/s) against the real
 * proxy jar, in network namespaces it creates; its report goes to {@code target/drill-short}. Needs root and the
 * tools of {@code benchmarks/drill/README.md}; under {@code CI=true} a missing one fails.
 */
class ShortDrillTest {
    private static DrillRun run;

    @BeforeAll
    static void runShortDrill() throws Exception {
        for (String[] tool : List.of(
                new String[] {"ip", "iproute2"},
                new String[] {"sipp", "sip-tester"},
                new String[] {"kamailio", "kamailio"},
                new String[] {"bird", "bird2"},
                new String[] {"birdc", "bird2"},
                new String[] {"setpriv", "util-linux"},
                new String[] {"mariadbd", "mariadb-server"},
                new String[] {"mariadb-install-db", "mariadb-server"},
                new String[] {"mariadb", "mariadb-client-core"},
                new String[] {"garbd", "galera-arbitrator-4"})) {
            RequiredTool.require(tool[0], tool[1]);
        }
        RequiredTool.requireFile(Path.of("/usr/lib/galera/libgalera_smm.so"), "galera-4");
        RequiredTool.requireCapability(
                "root".equals(System.getProperty("user.name")), "root (the drill creates network namespaces)");
        String override = System.getenv("SIPHA_JAR");
        Path jar = RequiredTool.requireFile(
                override != null ? Path.of(override) : Path.of("..", "examples", "target", "sip-ha-proxy.jar"),
                "(none: build it with mvn -pl examples -am package)");
        Path out = Path.of("target", "drill-short").toAbsolutePath();
        run = DrillMain.runOnce(DrillOptions.of(
                true, false, out, jar.toAbsolutePath(), Path.of("drill").toAbsolutePath()));
        Files.writeString(out.resolve("report.md"), DrillReport.markdown(List.of(run)));
        System.out.print(DrillReport.markdown(List.of(run)));
    }

    @Test
    void noCallFailsWhenAPbxCrashesOrHangsOrTheProxyCrashesOrItsSpeakerDiesOrTheSiteIsMaintained() {
        assertEach(
                f -> f != Fault.PROXY_HUNG && f != Fault.BOTH_PBXS_KILLED,
                r -> assertEquals(0, r.failed(), "calls failed in fault " + r.fault().id));
    }

    @Test
    void newCallsSucceedWithinTwoSecondsOfEachFault() {
        assertEach(
                f -> true,
                r -> assertTrue(
                        r.recoveredAfterMs() <= 2000,
                        "fault " + r.fault().id + ": new calls succeeded " + r.recoveredAfterMs() + " ms after it"));
    }

    @Test
    void noAccountingRecordIsLostOrStoredTwice() {
        assertEach(
                f -> true,
                r -> assertEquals(
                        "0 / 0",
                        r.accountingLost() + " / " + r.accountingDuplicated(),
                        "fault " + r.fault().id + ": accounting records lost / duplicated"));
    }

    /**
     * Not yet the "no call fails" for faults 3 and 5: the calls that fail are only those caught in the
     * first 1.5 s after both PBXs die (sent to them before health checking ejects them, then 503), and after a
     * hung proxy resumes, those refused 503 while its quorum client re-trusts its Galera node.
     */
    @Test
    void faultsThreeAndFiveFailOnlyTheCallsCaughtWhileTheSiteDecides() {
        List<Executable> checks = new ArrayList<>();
        for (FaultWindow w : run.windows()) {
            double from = w.fault() == Fault.BOTH_PBXS_KILLED ? w.injectMs() : w.recoverMs();
            if (w.fault() == Fault.BOTH_PBXS_KILLED || w.fault() == Fault.PROXY_HUNG) {
                long outside = run.calls().stream()
                        .filter(c -> c.startMs() >= w.injectMs() && c.startMs() < w.endMs() && !c.answered())
                        .filter(c -> c.startMs() < from || c.startMs() > from + 1500)
                        .count();
                checks.add(() -> assertEquals(
                        0, outside, "fault " + w.fault().id + ": failed calls outside 1.5 s from " + from));
            }
        }
        assertAll(checks);
    }

    private static void assertEach(Predicate<Fault> which, java.util.function.Consumer<FaultResult> check) {
        List<Executable> checks = new ArrayList<>();
        for (FaultResult r : run.results()) {
            if (which.test(r.fault())) {
                checks.add(() -> check.accept(r));
            }
        }
        assertEquals(7, run.results().size(), "faults run");
        assertAll(checks);
    }
}
