package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AnycastStateMachineTest {
    private static final long MS = 1_000_000L;
    private long now = 1_000_000_000L; // fake clock, ns

    private AnycastStateMachine machine(AnycastConfig.Builder b) {
        return new AnycastStateMachine(b.build(), now);
    }

    private void probes(AnycastStateMachine m, boolean pass, int n) {
        for (int i = 0; i < n; i++) {
            now += 100 * MS;
            m.onProxyProbe(pass, pass ? "200" : "timeout", now);
        }
    }

    @Test
    void staysInInitAndWithdrawnUntilRiseConsecutivePasses() {
        AnycastStateMachine m = machine(AnycastConfig.builder().rise(3).fall(2));
        assertEquals(AnycastState.INIT, m.state());
        assertEquals(RouteAnnouncement.WITHDRAW, m.desired());
        probes(m, true, 2);
        probes(m, false, 1);
        probes(m, true, 2);
        assertEquals(AnycastState.INIT, m.state(), "a failure resets the rise count");
        probes(m, true, 1);
        assertEquals(AnycastState.UP, m.state());
        assertEquals(RouteAnnouncement.ANNOUNCE, m.desired());
    }

    @Test
    void initGoesToWithdrawnAfterFallFailures() {
        AnycastStateMachine m = machine(AnycastConfig.builder().rise(2).fall(2));
        probes(m, false, 1);
        assertEquals(AnycastState.INIT, m.state());
        probes(m, false, 1);
        assertEquals(AnycastState.WITHDRAWN, m.state());
    }

    @Test
    void proxyFailureWithdrawsWithoutDrainAfterFallFailuresByDefault() {
        AnycastStateMachine m = machine(AnycastConfig.builder().rise(1).fall(3).drainMs(5_000));
        probes(m, true, 1);
        probes(m, false, 2);
        assertEquals(AnycastState.UP, m.state(), "two failures are below fall=3");
        probes(m, false, 1);
        assertEquals(AnycastState.WITHDRAWN, m.state());
        assertEquals(RouteAnnouncement.WITHDRAW, m.desired());
    }

    @Test
    void proxyFailureDrainsFirstWhenConfigured() {
        AnycastStateMachine m =
                machine(AnycastConfig.builder().rise(1).fall(1).drainMs(5_000).drainOnProxyFailure(true));
        probes(m, true, 1);
        probes(m, false, 1);
        assertEquals(AnycastState.DRAINING, m.state());
        assertEquals(RouteAnnouncement.DRAIN, m.desired());
        now += 4_999 * MS;
        m.tick(now);
        assertEquals(AnycastState.DRAINING, m.state());
        now += MS;
        m.tick(now);
        assertEquals(AnycastState.WITHDRAWN, m.state());
    }

    @Test
    void tooFewDestinationsDrainsForTheDrainTimeThenWithdraws() {
        AnycastStateMachine m =
                machine(AnycastConfig.builder().rise(1).minDestinationsUp(2).drainMs(3_000));
        m.onDestinations(2, 3, now);
        probes(m, true, 1);
        assertEquals(AnycastState.UP, m.state());
        m.onDestinations(1, 3, now);
        assertEquals(AnycastState.DRAINING, m.state());
        assertEquals(3_000 * MS, m.nextTimerDelayNs(now));
        now += 2_999 * MS;
        m.tick(now);
        assertEquals(AnycastState.DRAINING, m.state());
        now += MS;
        m.tick(now);
        assertEquals(AnycastState.WITHDRAWN, m.state());
    }

    @Test
    void recoveringWhileDrainingReturnsToUpWithoutDampingPenalty() {
        AnycastStateMachine m =
                machine(AnycastConfig.builder().rise(1).minDestinationsUp(1).drainMs(3_000));
        m.onDestinations(1, 1, now);
        probes(m, true, 1);
        m.onDestinations(0, 1, now);
        assertEquals(AnycastState.DRAINING, m.state());
        now += 1_000 * MS;
        m.onDestinations(1, 1, now);
        assertEquals(AnycastState.UP, m.state());
        assertEquals(0.0, m.dampingPenalty(now));
    }

    @Test
    void proxyDeathDuringDrainWithdrawsAtOnce() {
        AnycastStateMachine m = machine(
                AnycastConfig.builder().rise(1).fall(1).minDestinationsUp(1).drainMs(10_000));
        m.onDestinations(1, 1, now);
        probes(m, true, 1);
        m.onDestinations(0, 1, now);
        assertEquals(AnycastState.DRAINING, m.state());
        probes(m, false, 1);
        assertEquals(AnycastState.WITHDRAWN, m.state());
    }

    @Test
    void quorumLossDrainsWhenQuorumIsRequiredAndNoReportMeansNoQuorum() {
        AnycastStateMachine m =
                machine(AnycastConfig.builder().rise(1).requireQuorum(true).drainMs(1_000));
        probes(m, true, 1);
        assertEquals(AnycastState.WITHDRAWN, m.state(), "healthy proxy but no quorum report yet");
        m.onQuorum(true, "Primary", now);
        assertEquals(AnycastState.UP, m.state());
        m.onQuorum(false, "non-Primary", now);
        assertEquals(AnycastState.DRAINING, m.state());
    }

    @Test
    void apiDisableDrainsThenDisablesAndEnableReturnsToUpWithoutPenalty() {
        AnycastStateMachine m = machine(AnycastConfig.builder().rise(1).drainMs(2_000));
        probes(m, true, 1);
        m.onAdmin(true, "maintenance window", now);
        assertEquals(AnycastState.DRAINING, m.state());
        now += 2_000 * MS;
        m.tick(now);
        assertEquals(AnycastState.DISABLED, m.state());
        assertEquals(RouteAnnouncement.WITHDRAW, m.desired());
        probes(m, true, 5);
        assertEquals(AnycastState.DISABLED, m.state(), "health does not override an administrative disable");
        m.onAdmin(false, "done", now);
        assertEquals(AnycastState.UP, m.state());
        assertEquals(0.0, m.dampingPenalty(now));
    }

    @Test
    void maintenanceFileDisablesEvenFromInit() {
        AnycastStateMachine m = machine(AnycastConfig.builder().maintenanceFile(Path.of("/nonexistent/maint")));
        m.onMaintenanceFile(true, now);
        assertEquals(AnycastState.DISABLED, m.state());
        m.onMaintenanceFile(false, now);
        assertEquals(AnycastState.WITHDRAWN, m.state());
    }

    @Test
    void zeroDrainTimeWithdrawsImmediately() {
        AnycastStateMachine m = machine(AnycastConfig.builder().rise(1).drainMs(0));
        probes(m, true, 1);
        m.onAdmin(true, "now", now);
        assertEquals(AnycastState.DISABLED, m.state());
    }

    @Test
    void flappingServiceIsHeldDownUntilPenaltyDecaysBelowReuse() {
        // 1000 per flap, suppress at 2000, reuse at 750, half-life 10 s
        AnycastStateMachine m = machine(AnycastConfig.builder().rise(1).fall(1).damping(1000, 2000, 750, 8000, 10_000));
        probes(m, true, 1);
        probes(m, false, 1); // flap 1: penalty ~1000, not suppressed
        probes(m, true, 1);
        assertEquals(AnycastState.UP, m.state(), "one flap does not suppress");
        probes(m, false, 1); // flap 2: penalty ~1990 -> below 2000, not yet
        probes(m, true, 1);
        assertEquals(AnycastState.UP, m.state());
        probes(m, false, 1); // flap 3: ~2970 >= 2000 -> suppressed
        probes(m, true, 3);
        assertEquals(AnycastState.WITHDRAWN, m.state(), "healthy but held down by damping");
        long delay = m.nextTimerDelayNs(now);
        double expectedHalfLives = Math.log(m.dampingPenalty(now) / 750) / Math.log(2);
        assertEquals(expectedHalfLives * 10_000 * MS, delay, 2 * MS);
        now += delay - 10 * MS;
        m.tick(now);
        assertEquals(AnycastState.WITHDRAWN, m.state());
        now += 10 * MS;
        m.tick(now);
        assertEquals(AnycastState.UP, m.state());
        assertTrue(m.dampingPenalty(now) <= 750.0);
    }

    @Test
    void aHealthyVerdictWithoutProbeResultsForTheSilenceBoundCountsAsAFailingProxy() {
        AnycastStateMachine m = machine(AnycastConfig.builder().rise(1).fall(2).drainMs(0));
        m.expectProbesWithin(1_000 * MS, now);
        probes(m, true, 1);
        assertEquals(AnycastState.UP, m.state());
        now += 999 * MS;
        m.tick(now);
        assertEquals(AnycastState.UP, m.state(), "within the bound");
        assertEquals(MS, m.nextTimerDelayNs(now), "the decision wakes up for the bound");
        now += MS;
        m.tick(now);
        assertEquals(AnycastState.WITHDRAWN, m.state());
        assertTrue(m.cause().contains("no probe result for 1000 ms"), m.cause());
        probes(m, true, 1);
        assertEquals(AnycastState.UP, m.state(), "results again: rise passes announce again");
    }

    @Test
    void withoutASilenceBoundProbeResultsNeverGoStale() {
        AnycastStateMachine m = machine(AnycastConfig.builder().rise(1));
        probes(m, true, 1);
        now += 3_600_000 * MS;
        m.tick(now);
        assertEquals(AnycastState.UP, m.state());
    }

    @Test
    void invalidConfigurationIsATypedError() {
        assertThrows(
                IllegalArgumentException.class,
                () -> AnycastConfig.builder().rise(0).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> AnycastConfig.builder().drainMs(-1).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> AnycastConfig.builder()
                        .damping(1000, 500, 750, 8000, 1000)
                        .build());
    }
}
