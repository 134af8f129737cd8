package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Narrow unit tests of the verdict logic with synthetic statuses; the real-cluster tests are elsewhere. */
class SiteQuorumTrackerTest {
    static final String UUID = "8f1c2a3e-0000-11ef-0000-000000000001";
    final GaleraClientConfig config = GaleraClientConfig.builder()
            .node("n1", "127.0.0.1", 13306)
            .node("n2", "127.0.0.1", 23306)
            .node("n3", "127.0.0.1", 33306)
            .voters(4)
            .user("u")
            .database("d")
            .fallCount(2)
            .riseCount(2)
            .canaryIntervalMs(0)
            .build();
    final SiteQuorumTracker t = new SiteQuorumTracker(config);
    final List<GaleraEvent> events = new ArrayList<>();

    SiteQuorumTrackerTest() {
        t.addListener(events::add);
    }

    NodeStatus st(int n, String status, int state, int size, String uuid, long conf) {
        return new NodeStatus(
                config.nodes().get(n - 1),
                true,
                null,
                status,
                true,
                state,
                state == 4 ? "Synced" : "Other",
                size,
                uuid,
                conf,
                0,
                System.nanoTime());
    }

    NodeStatus good(int n, long conf) {
        return st(n, "Primary", 4, 4, UUID, conf);
    }

    void allGood(long conf) {
        for (int n = 1; n <= 3; n++) {
            t.onStatus(good(n, conf));
        }
    }

    @Test
    void nodeNeedsRiseGoodPollsAndFallBadPolls() {
        t.onStatus(good(1, 5));
        assertFalse(t.view().node("n1").up());
        t.onStatus(good(1, 5));
        assertTrue(t.view().node("n1").up());
        assertTrue(t.siteQuorate());
        t.onStatus(st(1, "non-Primary", 0, 1, UUID, -1));
        assertTrue(t.view().node("n1").up(), "one bad poll is not enough");
        t.onStatus(st(1, "non-Primary", 0, 1, UUID, -1));
        assertFalse(t.view().node("n1").up());
        assertFalse(t.siteQuorate());
        assertEquals(
                List.of(
                        GaleraEvent.NodeUp.class,
                        GaleraEvent.SiteQuorumChanged.class,
                        GaleraEvent.NodeDown.class,
                        GaleraEvent.SiteQuorumChanged.class),
                events.stream().map(Object::getClass).toList());
    }

    @Test
    void primaryComponentWithoutMajorityOfVotersIsRefused() {
        allGood(5);
        allGood(5);
        // n3 bootstrapped on its own: Primary, Synced, size 1
        t.onStatus(st(3, "Primary", 4, 1, UUID, 6));
        t.onStatus(st(3, "Primary", 4, 1, UUID, 6));
        assertFalse(t.view().node("n3").up());
        assertTrue(
                t.view().node("n3").reason().contains("not a majority"),
                t.view().node("n3").reason());
        // and its higher conf_id must not make the majority nodes look stale
        t.onStatus(good(1, 5));
        assertTrue(t.view().node("n1").up());
    }

    @Test
    void unexpectedStateUuidIsRefused() {
        allGood(5);
        allGood(5);
        t.onStatus(st(2, "Primary", 4, 4, "ffffffff-0000-0000-0000-000000000000", 7));
        t.onStatus(st(2, "Primary", 4, 4, "ffffffff-0000-0000-0000-000000000000", 7));
        assertFalse(t.view().node("n2").up());
        assertTrue(t.view().node("n2").reason().contains("unexpected state UUID"));
    }

    @Test
    void nodeWithOlderMembershipViewThanItsPeersIsNotTrusted() {
        allGood(5);
        allGood(5);
        // n3 was frozen; n1 and n2 evicted it (conf 6, size 3) while n3 still says Primary/Synced/size 4/conf 5
        t.onStatus(st(1, "Primary", 4, 3, UUID, 6));
        t.onStatus(st(2, "Primary", 4, 3, UUID, 6));
        t.onStatus(good(3, 5));
        t.onStatus(good(3, 5));
        assertFalse(t.view().node("n3").up());
        assertTrue(
                t.view().node("n3").reason().contains("stale membership view"),
                t.view().node("n3").reason());
        assertTrue(t.view().node("n1").up());
    }

    @Test
    void routingDemotionTakesEffectAtOnceAndNeedsRiseGoodPollsToUndo() {
        allGood(5);
        allGood(5);
        t.demote("n1", "routing: 1047");
        assertFalse(t.view().node("n1").up());
        assertEquals(
                List.of(config.nodes().get(1), config.nodes().get(2)), t.view().usableNodesLocalFirst());
        t.onStatus(good(1, 5));
        assertFalse(t.view().node("n1").up());
        t.onStatus(good(1, 5));
        assertTrue(t.view().node("n1").up());
        assertEquals(config.nodes(), t.view().usableNodesLocalFirst());
    }

    @Test
    void failedCommitCanaryDemotesAHealthyLookingNode() {
        allGood(5);
        allGood(5);
        t.onCanary("n2", "SQLTimeoutException: timed out", System.nanoTime());
        assertFalse(t.view().node("n2").up());
        t.onStatus(good(2, 5));
        t.onStatus(good(2, 5));
        assertFalse(t.view().node("n2").up(), "stays down until a canary succeeds");
        t.onCanary("n2", null, System.nanoTime());
        t.onStatus(good(2, 5));
        t.onStatus(good(2, 5));
        assertTrue(t.view().node("n2").up());
    }

    @Test
    void withCanaryANodeComingBackNeedsACommitStartedAfterItsLastBadPoll() {
        GaleraClientConfig withCanary = GaleraClientConfig.builder()
                .node("n1", "127.0.0.1", 13306)
                .node("n2", "127.0.0.1", 23306)
                .voters(3)
                .user("u")
                .database("d")
                .riseCount(2)
                .fallCount(1)
                .build();
        SiteQuorumTracker tc = new SiteQuorumTracker(withCanary);
        NodeStatus good1 = new NodeStatus(
                withCanary.nodes().get(0), true, null, "Primary", true, 4, "Synced", 3, UUID, 5, 0, System.nanoTime());
        tc.onStatus(good1);
        tc.onStatus(good1);
        assertFalse(tc.view().node("n1").up(), "no commit proven yet");
        tc.onCanary("n1", null, System.nanoTime());
        tc.onStatus(good1);
        tc.onStatus(good1);
        assertTrue(tc.view().node("n1").up());
        // frozen: unreachable; then it resumes claiming its old, healthy-looking view
        long canaryStartedBeforeFreeze = System.nanoTime();
        tc.onStatus(NodeStatus.unreachable(withCanary.nodes().get(0), "timeout", System.nanoTime()));
        assertFalse(tc.view().node("n1").up());
        tc.onCanary("n1", null, canaryStartedBeforeFreeze);
        for (int k = 0; k < 5; k++) {
            tc.onStatus(new NodeStatus(
                    withCanary.nodes().get(0),
                    true,
                    null,
                    "Primary",
                    true,
                    4,
                    "Synced",
                    3,
                    UUID,
                    5,
                    0,
                    System.nanoTime()));
        }
        assertFalse(tc.view().node("n1").up(), "a commit from before the freeze proves nothing");
        assertTrue(
                tc.view().node("n1").reason().contains("awaiting a commit canary"),
                tc.view().node("n1").reason());
        tc.onCanary("n1", null, System.nanoTime());
        tc.onStatus(good1);
        tc.onStatus(good1);
        assertTrue(tc.view().node("n1").up());
    }

    @Test
    void anUpNodeWhosePollResultsStopComingIsDemotedAfterTheStalenessBound() {
        NodeStatus s = good(1, 5);
        t.onStatus(s);
        t.onStatus(s);
        assertTrue(t.siteQuorate());
        // 3 poll intervals + 2 poll timeouts: default 200 ms and 800 ms
        long bound = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(3 * 200 + 2 * 800);
        t.expireStale(s.polledAtNanos() + bound - 1);
        assertTrue(t.view().node("n1").up(), "within the bound");
        t.expireStale(s.polledAtNanos() + bound);
        assertFalse(t.view().node("n1").up());
        assertFalse(t.siteQuorate());
        assertTrue(
                t.view().node("n1").reason().contains("no poll result"),
                t.view().node("n1").reason());
        t.onStatus(good(1, 5));
        t.onStatus(good(1, 5));
        assertTrue(t.view().node("n1").up(), "fresh results bring it back after rise good polls");
    }

    @Test
    void aPauseOfThisProcessIsNotTakenForNodesGoneSilent() {
        NodeStatus s = good(1, 5);
        t.onStatus(s);
        t.onStatus(s);
        long step = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200);
        long bound = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(3 * 200 + 2 * 800);
        long now = s.polledAtNanos() + step;
        t.expireStale(now);
        // the checker itself did not run for 6 s: the whole process was stopped, its pollers too
        now += java.util.concurrent.TimeUnit.SECONDS.toNanos(6);
        t.expireStale(now);
        assertTrue(t.view().node("n1").up(), "silence counted from the resume, not from the last poll");
        long resumed = now;
        while (now + step < resumed + bound) {
            now += step;
            t.expireStale(now);
        }
        assertTrue(t.view().node("n1").up(), "within the bound after the resume");
        t.expireStale(resumed + bound);
        assertFalse(t.view().node("n1").up(), "still no poll result a whole bound after the resume");
        assertTrue(
                t.view().node("n1").reason().contains("no poll result"),
                t.view().node("n1").reason());
    }

    @Test
    void donorIsRefusedUnlessAllowed() {
        t.onStatus(st(1, "Primary", 2, 4, UUID, 5));
        t.onStatus(st(1, "Primary", 2, 4, UUID, 5));
        assertFalse(t.view().node("n1").up());
    }
}
