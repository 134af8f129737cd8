package org.sipha.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real SIPp UAS and UAC exchanging OPTIONS on 127.0.0.1 ports 15180-15199, each ended by its pid. */
class SippProcessTest {
    private static final int UAS = 15181;
    private static final String TARGET = "127.0.0.1:" + UAS;

    private final SippProcesses sipp = new SippProcesses();

    @BeforeEach
    void requireSipp() {
        SippProcess.requireSipp();
    }

    @AfterEach
    void stop() {
        sipp.close();
    }

    private static SippProcess.Builder uas() {
        return SippProcess.uas("options_uas.xml", UAS, 15182, 15184);
    }

    private static SippProcess.Builder uac() {
        return SippProcess.uac("options_uac.xml", TARGET, 15180, 15188, 15190);
    }

    @Test
    void aUacAndAUasEndWithExitCodeZeroAndCountTheCalls() throws Exception {
        SippProcess server = sipp.start(uas().calls(3));
        SippProcess client = sipp.start(uac().calls(3).rate(10));
        assertEquals(0, client.await(20_000), client.output());
        assertEquals(0, server.await(10_000), server.output());
        assertEquals(3, client.stats().successfulCalls(), client.stats().toString());
        assertEquals(0, client.stats().failedCalls());
        assertEquals(3, server.stats().successfulCalls(), server.stats().toString());
        assertEquals(3, server.stats().callsCreated());
    }

    @Test
    void aStoppedUasAnswersNothingUntilSigcont() throws Exception {
        SippProcess server = sipp.start(uas());
        assertEquals(0, uac().run(20_000), "the running UAS answers");
        server.sigstop();
        assertTrue(awaitStopped(server.pid()), "the kernel shows it stopped");
        assertEquals(1, uac().recvTimeoutMs(1_000).run(20_000), "the stopped UAS answers nothing");
        server.sigcont();
        assertEquals(0, uac().run(20_000), "it answers again after SIGCONT");
        assertTrue(server.isAlive());
    }

    @Test
    void sigkillEndsItAtOnce() throws Exception {
        SippProcess server = sipp.start(uas());
        server.sigkill();
        assertFalse(server.isAlive());
        assertEquals(128 + 9, server.exitCode());
    }

    @Test
    void closeEndsItByPidAndAwaitGivesUpAfterItsTimeout() throws Exception {
        SippProcess server = uas().start();
        long pid = server.pid();
        assertThrows(IllegalStateException.class, server::exitCode);
        server.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "ended by close()");

        SippProcess waiting = sipp.start(uas());
        assertEquals(SippProcess.TIMED_OUT, waiting.await(300));
        assertFalse(waiting.isAlive(), "killed once the wait timed out");
    }

    @Test
    void aUasCanBeStartedAgainFromTheSameBuilderAfterSigkill() throws Exception {
        SippProcess.Builder builder = uas();
        sipp.start(builder).sigkill();
        sipp.start(builder);
        assertEquals(0, uac().run(20_000), "the restarted UAS answers");
    }

    @Test
    void aUacCommandCarriesTheTargetAndItsLimits() {
        List<String> cmd = uac().calls(5)
                .rate(2)
                .callLimit(10)
                .tcp()
                .command(Path.of("/usr/bin/sipp"), Path.of("s.xml"), Path.of("e.log"), Path.of("s.csv"));
        String line = String.join(" ", cmd);
        assertTrue(line.startsWith("/usr/bin/sipp -sf s.xml -i 127.0.0.1 -p 15180 "), line);
        assertTrue(
                line.contains(" -t t1 ") && line.contains(" " + TARGET + " -m 5 -r 2 -l 10 -recv_timeout 8000"), line);
        assertFalse(
                String.join(" ", uas().command(Path.of("sipp"), Path.of("s.xml"), Path.of("e.log"), Path.of("s.csv")))
                        .contains(" -m "),
                "a UAS has no call limit unless given");
    }

    @Test
    void aMissingScenarioIsNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SippProcess.uas("nosuch.xml", UAS, 15182, 15184).start());
        assertTrue(e.getMessage().contains("/sipp/nosuch.xml"), e.getMessage());
    }

    /** True once /proc/pid/stat shows state T (stopped), polled for at most 5 s. */
    private static boolean awaitStopped(long pid) throws Exception {
        for (int i = 0; i < 100; i++) {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            if (stat.charAt(stat.lastIndexOf(')') + 2) == 'T') {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
