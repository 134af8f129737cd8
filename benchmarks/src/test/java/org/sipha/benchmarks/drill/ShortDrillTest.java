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
 * The drill's short form (faults 1-5, 8 and 9, one Galera node per site plus garbd, 40 calls/s) against the real
 * proxy jar, in network namespaces it creates; its report goes to {@code target/drill-short}. Then fault 2 again with
 * PBXs that take 300 ms to answer (after their 100 Trying), so about a dozen calls are in setup when site A's proxy is
 * killed: their answers must reach the carrier through site B ({@code target/drill-short-slow-pbx}). Needs root and
 * the tools of {@code benchmarks/drill/README.md}; under {@code CI=true} a missing one fails.
 */
class ShortDrillTest {
    private static DrillRun run;
    private static DrillRun slowPbx;

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

        Path slow = Path.of("target", "drill-short-slow-pbx").toAbsolutePath();
        slowPbx = DrillMain.runOnce(DrillOptions.of(
                        true,
                        false,
                        slow,
                        jar.toAbsolutePath(),
                        Path.of("drill").toAbsolutePath())
                .onlyFaults("2")
                .withAnswerDelayMs(300));
        Files.writeString(slow.resolve("report.md"), DrillReport.markdown(List.of(slowPbx)));
        System.out.print(DrillReport.markdown(List.of(slowPbx)));
    }

    @Test
    void callsInSetupWhenTheProxyIsKilledAreAnsweredThroughSiteB() {
        assertEquals(1, slowPbx.results().size());
        FaultResult r = slowPbx.results().get(0);
        assertTrue(r.calls() > 0 && r.answeredByB() > 0, "calls went through site B: " + r);
        assertEquals(0, r.failed(), "calls failed with the PBXs answering 300 ms late");
        assertEquals(0, r.cut(), "calls cut");
        assertEquals("0 / 0", r.accountingLost() + " / " + r.accountingDuplicated(), "accounting lost / duplicated");
    }

    @Test
    void noCallFailsInAnyFault() {
        assertEach(f -> true, r -> assertEquals(0, r.failed(), "calls failed in fault " + r.fault().id));
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

    private static void assertEach(Predicate<Fault> which, java.util.function.Consumer<FaultResult> check) {
        List<Executable> checks = new ArrayList<>();
        for (FaultResult r : run.results()) {
            if (which.test(r.fault())) {
                checks.add(() -> check.accept(r));
            }
        }
        assertEquals(8, run.results().size(), "faults run");
        assertAll(checks);
    }
}
