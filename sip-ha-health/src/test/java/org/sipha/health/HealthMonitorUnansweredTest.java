package org.sipha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.DestinationState;

/**
 * The engine's early "INVITE unanswered at its first retransmission" signal ({@code onUnanswered}) and its failover
 * timeouts, on the monitor with a hand-moved clock: they eject a silent destination through the consecutive-failure
 * count, but never one that answered real traffic within the traffic-alive grace.
 */
class HealthMonitorUnansweredTest {
    private static final long MS = 1_000_000L;
    private static final long GRACE_MS = 500;

    private static MonitorFixture fixture() {
        return new MonitorFixture(
                HealthConfig.builder()
                        .rise(2)
                        .fall(3)
                        .slowStartNs(0)
                        .consecutiveFailures(5)
                        .failureRateMinRequests(1000)
                        .trafficAliveGraceNs(GRACE_MS * MS)
                        .baseEjectionNs(1_000 * MS)
                        .maxEjectionNs(8_000 * MS)
                        .build(),
                4);
    }

    @Test
    void ejectsADestinationThatNeverAnsweredAfterConsecutiveUnansweredInvites() {
        final MonitorFixture f = fixture();
        for (int i = 0; i < 4; i++) {
            f.unanswered(1);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        f.unanswered(1);
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.UNANSWERED, f.rec.lastEvent("d1").cause());
        assertEquals(1, f.h(1).ejections);
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d2"), "only the silent one");
    }

    @Test
    void ejectsADestinationThatWentSilentOnceTheGraceHasPassed() {
        final MonitorFixture f = fixture();
        f.response(1, 200);
        f.advanceMs(GRACE_MS + 1);
        for (int i = 0; i < 5; i++) {
            f.unanswered(1);
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.UNANSWERED, f.rec.lastEvent("d1").cause());
        assertEquals(0, f.h(1).unansweredForgiven);
    }

    @Test
    void forgivesUnansweredInvitesWhileTheDestinationAnsweredAnythingWithinTheGrace() {
        final MonitorFixture f = fixture();
        f.response(1, 200);
        f.advanceMs(GRACE_MS); // the bound is inclusive
        for (int i = 0; i < 50; i++) {
            f.unanswered(1);
        }
        // A provisional response and a failure code are answers too: the destination is not silent.
        f.response(2, 100);
        f.advanceMs(GRACE_MS / 2);
        for (int i = 0; i < 50; i++) {
            f.unanswered(2);
        }
        f.monitor.outcomeListener().onResponse(f.addr(3), 503, MS);
        f.monitor.outcomeListener().onResponse(f.addr(3), 200, MS); // 1 failure, then success: not ejected for it
        f.advanceMs(1);
        for (int i = 0; i < 50; i++) {
            f.unanswered(3);
        }
        for (int i = 1; i <= 3; i++) {
            assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d" + i));
            assertEquals(50, f.h(i).unansweredForgiven);
            assertEquals(0, f.h(i).ejections);
        }
    }

    @Test
    void theGraceFollowsHowLateTheDestinationAnswersSoASlowOneIsNotTakenForASilentOne() {
        final MonitorFixture f = fixture();
        // d1 answers its INVITEs 800 ms late (overload); d2 within 2 ms
        for (int i = 0; i < 50; i++) {
            f.monitor.outcomeListener().onResponse(f.addr(1), 180, 800 * MS);
            f.monitor.outcomeListener().onResponse(f.addr(2), 180, 2 * MS);
            f.advanceMs(1);
        }
        assertEquals(3200 * MS, f.h(1).graceNs(f.now), 100 * MS, "four times its longest recent answer delay");
        assertEquals(GRACE_MS * MS, f.h(2).graceNs(f.now), "the configured floor");
        f.advanceMs(1500); // a 1.5 s gap in both destinations' answers
        f.response(3, 200); // while a sibling goes on answering: their silences are their own
        for (int i = 0; i < 10; i++) {
            f.unanswered(1);
            f.unanswered(2);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"), "slow: a 1.5 s gap is within its grace");
        assertEquals(10, f.h(1).unansweredForgiven);
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d2"), "fast, then silent: ejected");
        assertEquals(HealthCause.UNANSWERED, f.rec.lastEvent("d2").cause());

        f.advanceMs(2000); // a 3.5 s gap: its peak has decayed (half-life 2 s) to a grace of about 1 s
        for (int i = 0; i < 5; i++) {
            f.unanswered(1);
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"), "silent far beyond its own answer delay");
    }

    @Test
    void aSilenceDuringWhichOutcomesWereLostToAFullQueueIsNotHeldAgainstTheDestination() {
        final MonitorFixture f = fixture();
        f.response(1, 200);
        f.advanceMs(GRACE_MS + 1);
        // The engine reports faster than the health thread drains (default capacity 8192): some outcomes,
        // possibly d1's answers, are lost. d2's answers that got through show the set was not silent.
        for (int i = 0; i < 9_000; i++) {
            f.monitor.outcomeListener().onResponse(f.addr(2), 200, MS);
        }
        assertTrue(f.monitor.droppedOutcomes() > 0, "the queue overflowed");
        for (int i = 0; i < 5; i++) {
            f.advanceMs(0); // drains (a bounded number per cycle)
        }
        for (int i = 0; i < 10; i++) {
            f.unanswered(1);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"), "its answers may have been lost here");
        assertEquals(10, f.h(1).unansweredForgiven);

        f.response(1, 200); // an answer applied after the overflow: from now on its silence is its own again
        f.advanceMs(GRACE_MS + 1);
        for (int i = 0; i < 5; i++) {
            f.response(2, 200);
            f.unanswered(1);
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.UNANSWERED, f.rec.lastEvent("d1").cause());
    }

    @Test
    void aWholeSetFallingSilentAtOnceIsNotHeldAgainstItsDestinations() {
        final MonitorFixture f = fixture();
        for (int i = 1; i <= 4; i++) {
            f.response(i, 200);
        }
        f.advanceMs(2_000); // every destination quiet for 2 s: the proxy's host or the network, not four PBXs
        for (int round = 0; round < 10; round++) {
            for (int i = 1; i <= 4; i++) {
                f.unanswered(i);
                f.timeout(i);
            }
        }
        for (int i = 1; i <= 4; i++) {
            assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d" + i));
            assertEquals(0, f.h(i).ejections);
        }
        f.response(4, 200); // one answers again: the others' silence is now their own
        for (int i = 0; i < 5; i++) {
            f.unanswered(1);
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
    }

    @Test
    void theAdaptiveGraceIsCapped() {
        final MonitorFixture f = fixture();
        f.monitor.outcomeListener().onResponse(f.addr(1), 100, 60_000 * MS);
        f.advanceMs(1);
        assertEquals(DestinationHealth.MAX_GRACE_FACTOR * GRACE_MS * MS, f.h(1).graceNs(f.now));
    }

    @Test
    void anOverloadedDestinationThatStillAnswersSlowlyIsNeverEjected() {
        final MonitorFixture f = fixture();
        // 20 s of overload: every INVITE is unanswered at timer A and answered after 3 s, but some answer arrives
        // every 100 ms (the destination is slow, not silent).
        for (int tick = 0; tick < 200; tick++) {
            f.advanceMs(100);
            f.monitor.outcomeListener().onResponse(f.addr(1), 200, TimeUnit.SECONDS.toNanos(3));
            for (int i = 0; i < 10; i++) {
                f.monitor.outcomeListener().onUnanswered(f.addr(1), 500 * MS);
            }
            f.monitor.doWork(f.now);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(
                1, f.rec.sinkCalls.stream().filter(c -> c.id().equals("d1")).count(), "never flapped");
        assertEquals(0, f.h(1).ejections);
        assertEquals(2_000, f.h(1).unansweredForgiven);
    }

    @Test
    void anyResponseClearsTheUnansweredStreakButNotTheFailures() {
        final MonitorFixture f = fixture();
        for (int i = 0; i < 4; i++) {
            f.unanswered(1);
        }
        f.response(1, 100); // a late 100 Trying: it was slow, not silent
        f.advanceMs(GRACE_MS + 1);
        for (int i = 0; i < 4; i++) {
            f.unanswered(1);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"), "4 since the last answer, not 8");
        f.unanswered(1);
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));

        // Failures and early signals add up: 3 answered 503s then 2 silent INVITEs are 5 in a row.
        f.advanceMs(1_000); // ejection over
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        f.response(1, 503);
        f.response(1, 503);
        f.response(1, 503);
        f.advanceMs(GRACE_MS + 1);
        f.unanswered(1);
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        f.unanswered(1);
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.UNANSWERED, f.rec.lastEvent("d1").cause());
    }

    @Test
    void theTimeoutOfAnInviteAlreadyReportedUnansweredCountsItOnce() {
        final MonitorFixture f = fixture();
        for (int i = 0; i < 3; i++) {
            f.unanswered(1);
        }
        for (int i = 0; i < 3; i++) {
            f.timeout(1); // the same three INVITEs reach the failover timer
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"), "3 silent INVITEs, not 6");
        f.timeout(1);
        f.timeout(1); // two more, never reported early (e.g. sent over TCP, no retransmission)
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.CONSECUTIVE_FAILURES, f.rec.lastEvent("d1").cause());
    }

    @Test
    void aBurstOfTimeoutsFromADestinationThatAnswersOtherCallsIsOverloadNotDeath() {
        final MonitorFixture f = new MonitorFixture(
                HealthConfig.builder()
                        .slowStartNs(0)
                        .consecutiveFailures(5)
                        .failureRateMinRequests(20)
                        .failureRatePercent(50)
                        .trafficAliveGraceNs(GRACE_MS * MS)
                        .build(),
                4);
        // Overload: the failover timers of a whole burst of lost INVITEs expire in one engine tick, between answers
        // (a third of the calls lost: below the failure-rate threshold).
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 20; i++) {
                f.monitor.outcomeListener().onResponse(f.addr(1), 200, 900 * MS);
            }
            f.advanceMs(100);
            for (int i = 0; i < 10; i++) {
                f.monitor.outcomeListener().onTimeout(f.addr(1), 2_000 * MS);
            }
            f.monitor.doWork(f.now);
        }
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(0, f.h(1).ejections, "neither consecutive failures nor the failure rate");
        assertEquals(200, f.h(1).timeoutsForgiven);
        // It stops answering. A timeout of an INVITE sent before its last answer is still a loss, not silence;
        // those sent after it time out a whole failover timer (2 s) later, and then they count in a row.
        f.advanceMs(GRACE_MS + 1);
        f.timeout(1);
        assertEquals(201, f.h(1).timeoutsForgiven, "its INVITE was outstanding while it still answered");
        f.advanceMs(2_000);
        for (int i = 0; i < 5; i++) {
            f.timeout(1);
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.CONSECUTIVE_FAILURES, f.rec.lastEvent("d1").cause());
    }

    @Test
    void aDestinationThatLosesMostCallsWhileAnsweringSomeIsStillEjectedByTheFailureRate() {
        final MonitorFixture f = new MonitorFixture(
                HealthConfig.builder()
                        .slowStartNs(0)
                        .consecutiveFailures(5)
                        .failureRateMinRequests(20)
                        .failureRatePercent(50)
                        .trafficAliveGraceNs(GRACE_MS * MS)
                        .build(),
                4);
        for (int round = 0; round < 10 && f.h(1).ejections == 0; round++) {
            f.response(1, 200);
            f.advanceMs(100);
            for (int i = 0; i < 3; i++) {
                f.timeout(1); // answered 100 ms ago: not in a row, but lost
            }
        }
        assertEquals(DestinationState.INACTIVE, f.rec.lastSinkState("d1"));
        assertEquals(HealthCause.FAILURE_RATE, f.rec.lastEvent("d1").cause());
    }

    @Test
    void anUnansweredSignalIsDroppedAndCountedLikeAnyOutcomeWithoutAnAddress() {
        final MonitorFixture f = fixture();
        f.monitor.outcomeListener().onUnanswered(null, 500 * MS);
        f.advanceMs(1);
        assertEquals(1, f.monitor.droppedOutcomes());
        assertEquals(DestinationState.ACTIVE, f.rec.lastSinkState("d1"));
    }
}
