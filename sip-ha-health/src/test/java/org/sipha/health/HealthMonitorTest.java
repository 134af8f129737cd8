package org.sipha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

class HealthMonitorTest {
    private static final long MS = 1_000_000L;

    private static HealthConfig.Builder base() {
        return HealthConfig.builder()
                .rise(2)
                .fall(3)
                .slowStartNs(0)
                .trafficAliveGraceNs(5_000 * MS)
                .baseEjectionNs(1_000 * MS)
                .maxEjectionNs(8_000 * MS);
    }

    @Test
    void reportsEveryDestinationActiveAtStartWithCauseInitial() {
        final MonitorFixture f = new MonitorFixture(base().build(), 3);
        assertEquals(3, f.rec.sinkCalls.size());
        for (final HealthEvent e : f.rec.events) {
            assertEquals(DestinationState.ACTIVE, e.state());
            assertEquals(HealthCause.INITIAL, e.cause());
        }
        assertEquals(3, f.rec.lastUp()[0]);
        assertEquals(3, f.rec.lastUp()[1]);
    }

    @Test
    void marksInactiveOnlyAfterFallConsecutiveProbeTimeouts() {
        final MonitorFixture f = new MonitorFixture(base().build(), 4);
        f.probeTimeout(1);
        f.probeTimeout(1);
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        f.probeTimeout(1);
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        final HealthEvent e = f.rec.lastEvent("d1");
        assertEquals(HealthCause.PROBE_TIMEOUT, e.cause());
        assertEquals(f.now, e.timeNs());
        assertEquals(3, f.rec.lastUp()[0]);
    }

    @Test
    void aSuccessfulProbeResetsTheFallCount() {
        final MonitorFixture f = new MonitorFixture(base().build(), 4);
        f.probeTimeout(1);
        f.probeTimeout(1);
        f.probeOk(1, 1 * MS);
        f.probeTimeout(1);
        f.probeTimeout(1);
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
    }

    @Test
    void passesThroughProbingAndBecomesActiveAfterRiseSuccesses() {
        final MonitorFixture f = new MonitorFixture(base().build(), 4);
        for (int i = 0; i < 3; i++) {
            f.probeTimeout(1);
        }
        f.probeOk(1, 1 * MS);
        assertEquals(DestinationState.PROBING, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.PROBE_RECOVERED, f.rec.lastEvent("d1").cause());
        f.probeOk(1, 1 * MS);
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(4, f.rec.lastUp()[0]);
    }

    @Test
    void ejectsAfterConsecutive503sAndNotOnOtherCodes() {
        final MonitorFixture f = new MonitorFixture(
                base().consecutiveFailures(5).failureRateMinRequests(1000).build(), 4);
        for (int i = 0; i < 10; i++) {
            f.response(1, 404);
            f.response(1, 486);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        for (int i = 0; i < 4; i++) {
            f.response(1, 503);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        f.response(1, 503);
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.CONSECUTIVE_FAILURES, f.rec.lastEvent("d1").cause());
    }

    @Test
    void countsTimeoutsAnd500AsFailuresButAConfiguredSetReplacesTheDefault() {
        final MonitorFixture f = new MonitorFixture(
                base().consecutiveFailures(3).failureRateMinRequests(1000).build(), 4);
        f.timeout(1);
        f.response(1, 500);
        f.advanceMs(5_001); // the 500 is an answer: a timeout within the traffic-alive grace would be forgiven
        f.timeout(1);
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));

        final MonitorFixture g = new MonitorFixture(
                base().consecutiveFailures(3)
                        .failureRateMinRequests(1000)
                        .failureStatusCodes(502)
                        .build(),
                4);
        for (int i = 0; i < 5; i++) {
            g.response(1, 503);
        }
        assertEquals(DestinationState.ACTIVE, g.rec.lastSinkState("d1"));
        for (int i = 0; i < 3; i++) {
            g.response(1, 502);
        }
        assertEquals(DestinationState.INACTIVE, g.rec.lastSinkState("d1"));
    }

    @Test
    void provisionalResponsesDoNotHideThe503sThatFollowThem() {
        final MonitorFixture f = new MonitorFixture(
                base().consecutiveFailures(5).failureRateMinRequests(1000).build(), 4);
        for (int i = 0; i < 5; i++) {
            f.response(1, 100); // the engine reports the first 1xx of each INVITE, then its final response
            f.response(1, 503);
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.CONSECUTIVE_FAILURES, f.rec.lastEvent("d1").cause());
    }

    @Test
    void aProvisionalResponseForgivesProbeTimeoutsLikeAnyTraffic() {
        final MonitorFixture f =
                new MonitorFixture(base().trafficAliveGraceNs(2_000 * MS).build(), 4);
        for (int i = 0; i < 10; i++) {
            f.response(1, 100);
            f.advanceMs(500);
            f.probeTimeout(1);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
    }

    @Test
    void aSuccessBetweenFailuresResetsTheConsecutiveCount() {
        final MonitorFixture f = new MonitorFixture(
                base().consecutiveFailures(3).failureRateMinRequests(1000).build(), 4);
        for (int i = 0; i < 10; i++) {
            f.response(1, 503);
            f.response(1, 503);
            f.response(1, 200);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
    }

    @Test
    void ejectsOnFailureRateOverTheWindowEvenWithoutConsecutiveFailures() {
        final MonitorFixture f = new MonitorFixture(
                base().consecutiveFailures(100)
                        .failureRateMinRequests(20)
                        .failureRatePercent(50)
                        .failureRateWindowNs(10_000 * MS)
                        .build(),
                4);
        // 1 failure in 3 (33 %): below the threshold, stays.
        for (int i = 0; i < 10; i++) {
            f.response(1, 200);
            f.response(1, 200);
            f.response(1, 503);
            f.advanceMs(100);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        // Now only failures (fewer than the consecutive limit of 100): the window reaches 50 % at 20 of 40.
        for (int i = 0; i < 9; i++) {
            f.response(1, 503);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"), "19 of 39");
        f.response(1, 503);
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.FAILURE_RATE, f.rec.lastEvent("d1").cause());
    }

    @Test
    void oldFailuresLeaveTheRateWindow() {
        final MonitorFixture f = new MonitorFixture(
                base().consecutiveFailures(100)
                        .failureRateMinRequests(20)
                        .failureRatePercent(50)
                        .failureRateWindowNs(1_000 * MS)
                        .build(),
                4);
        for (int i = 0; i < 15; i++) {
            f.response(1, 503);
        }
        f.advanceMs(2_000); // those 15 failures are now outside the 1 s window
        for (int i = 0; i < 12; i++) {
            f.response(1, 200);
        }
        for (int i = 0; i < 8; i++) {
            f.response(1, 503); // 8 of 20 in the window (40 %); 23 of 35 (66 %) had the old ones stayed
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
    }

    @Test
    void ejectionExpiresAndRepeatedEjectionsBackOffUpToTheMaximum() {
        final MonitorFixture f = new MonitorFixture(
                base().consecutiveFailures(1)
                        .failureRateMinRequests(1000)
                        .baseEjectionNs(1_000 * MS)
                        .maxEjectionNs(4_000 * MS)
                        .build(),
                4);
        final long[] expected = {1_000, 2_000, 4_000, 4_000};
        for (final long ejectionMs : expected) {
            f.response(1, 503);
            assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
            f.advanceMs(ejectionMs - 1);
            assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"), "still ejected before " + ejectionMs);
            f.advanceMs(1);
            assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"), "back after " + ejectionMs);
            assertEquals(HealthCause.EJECTION_EXPIRED, f.rec.lastEvent("d1").cause());
        }
        // A quiet period as long as the maximum resets the back-off.
        f.advanceMs(4_000);
        f.response(1, 503);
        f.advanceMs(1_000);
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
    }

    @Test
    void probeTimeoutsAreForgivenWhileRealTrafficIsAnswered() {
        final MonitorFixture f =
                new MonitorFixture(base().trafficAliveGraceNs(2_000 * MS).build(), 4);
        for (int i = 0; i < 20; i++) {
            f.response(1, 200); // overloaded but answering calls
            f.advanceMs(500);
            f.probeTimeout(1);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(
                1, f.rec.sinkCalls.stream().filter(c -> c.id().equals("d1")).count(), "never flapped");
        // Traffic stops: after the grace period the probe timeouts count again.
        f.advanceMs(2_001);
        f.probeTimeout(1);
        f.probeTimeout(1);
        f.probeTimeout(1);
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
    }

    @Test
    void slowButAnsweringTrafficIsNeverAFailure() {
        final MonitorFixture f =
                new MonitorFixture(base().consecutiveFailures(2).build(), 4);
        for (int i = 0; i < 100; i++) {
            f.monitor.outcomeListener().onResponse(f.addr(1), 200, TimeUnit.SECONDS.toNanos(9));
        }
        f.monitor.doWork(f.now);
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
    }

    @Test
    void realTrafficSuccessBringsAProbedDownDestinationBack() {
        final MonitorFixture f =
                new MonitorFixture(base().trafficAliveGraceNs(1).build(), 4);
        f.advanceMs(10);
        for (int i = 0; i < 3; i++) {
            f.probeTimeout(1);
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        f.response(1, 180);
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.TRAFFIC_SUCCESS, f.rec.lastEvent("d1").cause());
    }

    @Test
    void failsOpenWhenMoreThanTheMaximumShareIsOutAndSaysSo() {
        final MonitorFixture f = new MonitorFixture(base().maxEjectedPercent(50).build(), 2);
        for (int i = 0; i < 3; i++) {
            f.probeTimeout(1);
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"), "1 of 2 out is within 50 %");
        assertTrue(f.rec.panics.isEmpty());
        for (int i = 0; i < 3; i++) {
            f.probeTimeout(2);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d2"));
        assertEquals(1, f.rec.panics.size());
        assertTrue(f.rec.panics.get(0).entered());
        assertEquals(2, f.rec.panics.get(0).out());
        final HealthEvent d1 = f.rec.lastEvent("d1");
        assertEquals(HealthCause.PANIC_FAIL_OPEN, d1.cause());
        assertTrue(d1.failOpen());
        assertFalse(d1.healthy());
        final HealthEvent d2 = f.rec.lastEvent("d2");
        assertEquals(HealthCause.PROBE_TIMEOUT, d2.cause());
        assertTrue(d2.failOpen());
        f.advanceMs(1);
        assertEquals(List.of("s"), List.copyOf(f.monitor.snapshot().panicSets()));
        assertEquals(0, f.rec.lastUp()[0], "the aggregate tells the truth even when failing open");

        f.probeOk(2, MS);
        f.probeOk(2, MS);
        assertEquals(2, f.rec.panics.size());
        assertFalse(f.rec.panics.get(1).entered());
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.PANIC_CLEARED, f.rec.lastEvent("d1").cause());
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d2"));
    }

    @Test
    void maxEjectedPercentOf100NeverFailsOpen() {
        final MonitorFixture f =
                new MonitorFixture(base().maxEjectedPercent(100).build(), 1);
        for (int i = 0; i < 3; i++) {
            f.probeTimeout(1);
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertTrue(f.rec.panics.isEmpty());
    }

    @Test
    void rampsTrafficShareUpAfterRecoveryOverTheSlowStartTime() {
        final MonitorFixture f = new MonitorFixture(
                base().consecutiveFailures(1)
                        .failureRateMinRequests(1000)
                        .slowStartNs(10_000 * MS)
                        .slowStartMinFactor(0.1)
                        .build(),
                4);
        assertEquals(1.0, f.monitor.snapshot().destination("d1").rampFactor(f.now), "no ramp at start");
        f.response(1, 503);
        f.advanceMs(1_000); // ejection over
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        final long recoveredNs = f.now;
        final DestinationHealthView v = f.monitor.snapshot().destination("d1");
        assertEquals(0.1, v.rampFactor(recoveredNs), 1e-9);
        assertEquals(0.5, v.rampFactor(recoveredNs + 5_000 * MS), 1e-9);
        assertEquals(1.0, v.rampFactor(recoveredNs + 10_000 * MS), 1e-9);
        for (int i = 0; i < 12; i++) {
            f.advanceMs(1_000);
        }
        final List<Recorder.Ramp> ramps = f.rec.ramps;
        assertTrue(ramps.size() >= 10, "one event per tenth: " + ramps);
        for (int i = 1; i < ramps.size(); i++) {
            assertTrue(ramps.get(i).factor() > ramps.get(i - 1).factor(), "ramp rises");
        }
        assertEquals(1.0, ramps.get(ramps.size() - 1).factor(), 1e-9);
        assertEquals(1.0, f.monitor.snapshot().destination("d1").rampFactor(f.now), 1e-9);
    }

    @Test
    void adminDisableAndDrainTakeADestinationOutAndDoNotCountTowardsPanic() {
        final MonitorFixture f = new MonitorFixture(base().maxEjectedPercent(50).build(), 2);
        f.monitor.setAdminState("d1", AdminState.DRAINING);
        f.advanceMs(1);
        assertEquals(DestinationState.DISABLED, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.ADMIN_DRAINING, f.rec.lastEvent("d1").cause());
        assertEquals(AdminState.DRAINING, f.monitor.snapshot().destination("d1").admin());
        assertEquals(1, f.rec.lastUp()[0]);
        f.monitor.setAdminState("d1", AdminState.DISABLED);
        f.advanceMs(1);
        assertEquals(HealthCause.ADMIN_DISABLED, f.rec.lastEvent("d1").cause());
        // d2 failing is 1 of 1 enabled: panic keeps d2 ACTIVE but never revives the disabled d1.
        for (int i = 0; i < 3; i++) {
            f.probeTimeout(2);
        }
        assertEquals(DestinationState.DISABLED, f.rec.lastSinkState("d1"));
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d2"));
        f.monitor.setAdminState("d1", AdminState.ENABLED);
        f.advanceMs(1);
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.ADMIN_ENABLED, f.rec.lastEvent("d1").cause());
        assertThrows(IllegalArgumentException.class, () -> f.monitor.setAdminState("nope", AdminState.DISABLED));
    }

    @Test
    void recordsProbeLatencyAsEwmaAndPercentilesAndForwardsSamplesToTheSink() {
        final MonitorFixture f = new MonitorFixture(base().latencyEwmaAlpha(0.5).build(), 4);
        for (int i = 1; i <= 100; i++) {
            f.probeOk(1, i * MS);
        }
        f.advanceMs(1_000); // latency figures are republished once per snapshotRefreshNs (1 s)
        final LatencySummary s = f.monitor.snapshot().destination("d1").probeLatency();
        assertEquals(100, s.count());
        assertEquals(50 * MS, s.p50Ns(), MS);
        assertEquals(99 * MS, s.p99Ns(), 2 * MS);
        assertEquals(100 * MS, s.maxNs(), 2 * MS);
        // EWMA with alpha 0.5 over a rising series trails the last value by about 1 step.
        assertEquals(99 * MS, s.ewmaNs(), 1.5 * MS);
        assertEquals(100, f.rec.latencies.size());
        f.response(2, 200);
        f.advanceMs(1_000);
        assertEquals(1, f.monitor.snapshot().destination("d2").trafficLatency().count());
    }

    @Test
    void ignoresOutcomesForUnknownAddresses() {
        final MonitorFixture f =
                new MonitorFixture(base().consecutiveFailures(1).build(), 4);
        f.monitor.outcomeListener().onResponse(new java.net.InetSocketAddress("127.0.0.1", 9), 503, 0);
        f.monitor.outcomeListener().onTimeout(null, 0);
        f.advanceMs(1);
        assertEquals(1, f.monitor.unknownAddressOutcomes());
        assertEquals(1, f.monitor.droppedOutcomes());
        assertEquals(4, f.rec.sinkCalls.size(), "only the initial reports");
    }

    @Test
    void dropsAndCountsOutcomesBeyondTheQueueBoundInsteadOfGrowing() {
        final Recorder rec = new Recorder();
        final HealthMonitor m = HealthMonitor.builder(base().build())
                .addSet("s", List.of(Destination.of("d1", "sip:127.0.0.1:5071")), rec)
                .outcomeQueueCapacity(16)
                .build();
        m.doWork(0);
        for (int i = 0; i < 100; i++) {
            m.outcomeListener().onResponse(new java.net.InetSocketAddress("127.0.0.1", 5071), 200, 1);
        }
        assertEquals(84, m.droppedOutcomes());
        m.doWork(TimeUnit.SECONDS.toNanos(2));
        assertEquals(16, m.snapshot().destination("d1").trafficLatency().count());
    }

    @Test
    void appliesOutcomesFromManyThreadsWithoutLosingAny() throws Exception {
        final Recorder rec = new Recorder();
        final HealthMonitor m = HealthMonitor.builder(base().consecutiveFailures(1_000_000)
                        .failureRateMinRequests(1_000_000)
                        .build())
                .addSet("s", List.of(Destination.of("d1", "sip:127.0.0.1:5071")), rec)
                .outcomeQueueCapacity(1024)
                .build();
        final java.net.InetSocketAddress a = new java.net.InetSocketAddress("127.0.0.1", 5071);
        final int threads = 4;
        final int perThread = 20_000;
        final Thread[] producers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            producers[t] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    m.outcomeListener().onResponse(a, 200, 1_000);
                }
            });
            producers[t].start();
        }
        long now = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean alive = true;
        while (alive && System.nanoTime() < deadline) {
            m.doWork(++now);
            alive = false;
            for (final Thread p : producers) {
                alive |= p.isAlive();
            }
        }
        for (final Thread p : producers) {
            p.join(TimeUnit.SECONDS.toMillis(10));
        }
        m.doWork(++now);
        m.doWork(now + TimeUnit.SECONDS.toNanos(2));
        final long applied = m.snapshot().destination("d1").trafficLatency().count();
        assertEquals((long) threads * perThread, applied + m.droppedOutcomes());
    }

    @Test
    void aThrowingListenerOrSinkDoesNotStopHealthChecking() {
        final Recorder rec = new Recorder();
        final HealthMonitor m = HealthMonitor.builder(
                        base().consecutiveFailures(1).build())
                .addSet(
                        "s",
                        List.of(
                                Destination.of("d1", "sip:127.0.0.1:5071"),
                                Destination.of("d2", "sip:127.0.0.1:5072"),
                                Destination.of("d3", "sip:127.0.0.1:5073")),
                        (up, total) -> {
                            throw new IllegalStateException("up listener");
                        })
                .listener(e -> {
                    throw new IllegalStateException("listener");
                })
                .sink(new org.sipha.core.model.DestinationHealthSink() {
                    @Override
                    public void onStateChange(final String id, final DestinationState state) {
                        throw new IllegalStateException("sink");
                    }

                    @Override
                    public void onLatencySample(final String id, final long rttNs) {
                        throw new IllegalStateException("sink");
                    }
                })
                .listener(rec)
                .build();
        m.doWork(0);
        m.outcomeListener().onResponse(new java.net.InetSocketAddress("127.0.0.1", 5071), 503, 1);
        m.doWork(1);
        assertEquals(DestinationState.INACTIVE, rec.lastEvent("d1").state());
        m.doWork(TimeUnit.MILLISECONDS.toNanos(500)); // still within the 1 s ejection
        assertEquals(DestinationState.INACTIVE, m.snapshot().destination("d1").state());
        m.doWork(TimeUnit.MILLISECONDS.toNanos(1_001));
        assertEquals(DestinationState.ACTIVE, rec.lastEvent("d1").state(), "ejection expiry still processed");
    }

    @Test
    void rejectsBadConfigurationWithClearErrors() {
        assertThrows(
                IllegalArgumentException.class,
                () -> HealthConfig.builder().rise(0).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> HealthConfig.builder().failureStatusCodes(99).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> HealthConfig.builder().maxEjectedPercent(101).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> HealthConfig.builder().baseEjectionNs(10).maxEjectionNs(5).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> HealthMonitor.builder(HealthConfig.defaults())
                        .addSet(
                                "s",
                                List.of(
                                        Destination.of("a", "sip:127.0.0.1:5071"),
                                        Destination.of("a", "sip:127.0.0.1:5072")),
                                null)
                        .build());
        assertThrows(
                IllegalArgumentException.class,
                () -> HealthMonitor.builder(HealthConfig.defaults())
                        .addSet(
                                "s",
                                List.of(
                                        Destination.of("a", "sip:127.0.0.1:5071"),
                                        Destination.of("b", "sip:127.0.0.1:5071")),
                                null)
                        .build());
        assertThrows(
                IllegalArgumentException.class,
                () -> HealthMonitor.builder(HealthConfig.defaults()).build());
        assertNotNull(HealthConfig.defaults());
    }
}
