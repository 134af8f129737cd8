package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The site node's self-check on a fake clock, with event loops that run their no-ops when the test says so: what
 * makes the node unable to take calls, and what it does not hold against the node.
 */
class NodeSelfCheckTest {
    private static final long MS = 1_000_000L;

    /** An event loop the test drives: it runs what it was handed only on {@link #runPending}. */
    private static final class ManualLoop implements Executor {
        final ArrayDeque<Runnable> pending = new ArrayDeque<>();
        boolean shutDown;

        @Override
        public void execute(Runnable task) {
            if (shutDown) {
                throw new RejectedExecutionException("shut down");
            }
            pending.add(task);
        }

        void runPending() {
            while (!pending.isEmpty()) {
                pending.poll().run();
            }
        }
    }

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final AtomicLong healthTime = new AtomicLong(1_000 * MS);
    private final AtomicInteger usable = new AtomicInteger(2);
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final AtomicBoolean settled = new AtomicBoolean(true);
    private final ManualLoop loop0 = new ManualLoop();
    private final ManualLoop loop1 = new ManualLoop();

    private NodeSelfCheck check() {
        return new NodeSelfCheck(
                List.of(loop0, loop1),
                healthTime::get,
                usable::get,
                settled::get,
                refusing::get,
                100,
                500,
                now::get,
                (pass, detail) -> {},
                () -> {});
    }

    private String round(NodeSelfCheck c, long advanceMs) {
        now.addAndGet(advanceMs * MS);
        healthTime.set(now.get());
        return c.check(now.get());
    }

    @Test
    void passesWhileEveryLoopRunsItsNoOpAndBackendsAreUsable() {
        NodeSelfCheck c = check();
        for (int i = 0; i < 10; i++) {
            assertNull(round(c, 100));
            assertEquals(1, loop0.pending.size(), "one no-op per loop at a time");
            loop0.runPending();
            loop1.runPending();
        }
    }

    @Test
    void aLoopThatDoesNotRunItsNoOpWithinTheTimeoutFailsTheNode() {
        NodeSelfCheck c = check();
        assertNull(round(c, 100));
        loop0.runPending(); // loop 1 is stuck from here on
        for (int i = 0; i < 5; i++) {
            assertNull(round(c, 100), "within the timeout");
            loop0.runPending();
        }
        String problem = round(c, 100);
        assertTrue(problem != null && problem.startsWith("event loop 1 has not run a no-op for 600 ms"), problem);
        loop1.runPending();
        assertNull(round(c, 100), "recovers once the loop runs again");
        loop0.shutDown = true;
        loop0.runPending();
        loop1.runPending();
        assertEquals("event loop 0 is shut down", round(c, 100));
    }

    @Test
    void aRoundAfterTheCheckItselfWasHeldUpJudgesNothingAndRestartsTheLoopsClocks() {
        NodeSelfCheck c = check();
        assertNull(round(c, 100));
        assertEquals(NodeSelfCheck.NO_VERDICT, round(c, 2_000), "the whole JVM stood still: the relay's business");
        loop0.runPending();
        for (int i = 0; i < 5; i++) {
            assertNull(round(c, 100), "loop 1 is judged from the end of the hold-up");
            loop0.runPending();
        }
        assertTrue(round(c, 100).startsWith("event loop 1"));
    }

    @Test
    void aStaleHealthThreadNoUsableBackendUnsettledHealthOrRefusedCallsFailTheNode() {
        NodeSelfCheck c = check();
        assertNull(round(c, 100));
        long healthLast = healthTime.get(); // the health thread stops refreshing its snapshot from here on
        String problem = null;
        for (int i = 0; i < 40 && problem == null; i++) {
            loop0.runPending();
            loop1.runPending();
            problem = c.check(now.addAndGet(100 * MS));
        }
        assertTrue(problem != null && problem.startsWith("the health thread has not run for 3100 ms"), problem);
        assertEquals(healthLast + 3_100 * MS, now.get());
        healthTime.set(now.get());
        loop0.runPending();
        loop1.runPending();

        usable.set(0);
        assertEquals("no backend is usable", round(c, 100));
        usable.set(-1);
        loop0.runPending();
        loop1.runPending();
        assertEquals("health checking has not counted the backends yet", round(c, 100));
        usable.set(2);
        settled.set(false);
        loop0.runPending();
        loop1.runPending();
        assertEquals("health checking has not heard from every backend yet", round(c, 100));
        settled.set(true);
        usable.set(1);
        refusing.set(true);
        loop0.runPending();
        loop1.runPending();
        assertEquals("new calls are refused: the site's database has no quorum", round(c, 100));
        refusing.set(false);
        loop0.runPending();
        loop1.runPending();
        assertNull(round(c, 100));
    }

    @Test
    void verdictsGoToTheDecisionAndADyingCheckThreadReportsItsDeath() throws Exception {
        CountDownLatch verdicts = new CountDownLatch(3);
        CountDownLatch died = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Executor direct = Runnable::run;
        NodeSelfCheck c = new NodeSelfCheck(
                List.of(direct),
                null,
                null,
                null,
                () -> false,
                10,
                50,
                System::nanoTime,
                (pass, detail) -> {
                    assertTrue(pass, detail);
                    verdicts.countDown();
                    if (calls.incrementAndGet() == 3) {
                        throw new IllegalStateException("bug in a verdict receiver");
                    }
                },
                died::countDown);
        c.start();
        try {
            assertTrue(verdicts.await(10, TimeUnit.SECONDS), "verdicts reported");
            assertTrue(died.await(10, TimeUnit.SECONDS), "the check thread's death reported");
        } finally {
            c.close();
        }
    }
}
