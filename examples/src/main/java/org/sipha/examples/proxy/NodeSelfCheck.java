package org.sipha.examples.proxy;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges, every interval on a thread of its own, whether this node could take a new call now, and reports each
 * verdict to the anycast decision as its "local proxy" probe (a failing node is withdrawn at once, not drained):
 * <ul>
 *   <li>every event loop ran the no-op it was last handed within the timeout (a stuck loop forwards nothing);</li>
 *   <li>the health thread refreshed its snapshot within {@link #HEALTH_TIMEOUT_NS} (it does so every second);</li>
 *   <li>at least one backend is usable, and health checking has heard from every backend or probed long enough
 *       to have found the dead ones (it counts an unprobed backend as up);</li>
 *   <li>new calls are not refused (503 while the site's database has no quorum).</li>
 * </ul>
 * A stop or hang of the whole JVM is the dead-man relay's to see: when this thread itself was held up longer than
 * the timeout, that round judges nothing. If this thread dies, nothing judges the node any more: it reports that
 * once through {@code onDeath} (the site node then drains and withdraws for good).
 *
 * <p>Threading: {@link #start} and {@link #close} from the owner; {@link #check} only from the check thread (or a
 * test). The no-ops run on the event loops and write one volatile field each; nothing is allocated per round on
 * the loops.
 */
final class NodeSelfCheck implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeSelfCheck.class);
    static final long HEALTH_TIMEOUT_NS = 3_000_000_000L;
    /** What {@link #check} returns for a round in which this thread itself was held up. */
    static final String NO_VERDICT = "no verdict: the self-check itself was held up";

    /** Receives each verdict: true when the node can take calls, with what was seen. */
    interface Verdicts {
        void onVerdict(boolean pass, String detail);
    }

    /** One loop's no-op: the checker bumps {@code sent} and hands it over; the loop copies it to {@code ran}. */
    private static final class Ping implements Runnable {
        volatile long sent;
        volatile long ran;
        long deadlineNs;

        @Override
        public void run() {
            ran = sent;
        }
    }

    private final List<Executor> loops;
    private final Ping[] pings;
    private final LongSupplier healthTimeNs;
    private final IntSupplier usableBackends;
    private final BooleanSupplier healthSettled;
    private final BooleanSupplier refusingCalls;
    private final long intervalNs;
    private final long timeoutNs;
    private final LongSupplier clock;
    private final Verdicts verdicts;
    private final Runnable onDeath;
    private final Thread thread;
    private final long startNs;
    private long lastCheckNs = Long.MIN_VALUE;
    private volatile boolean running;

    /**
     * @param loops          the event loops, each as an executor of its own
     * @param healthTimeNs   the health snapshot's time, or null without health checking
     * @param usableBackends backends health checking counts as usable, -1 before its first count, or null when
     *                       not checked
     * @param healthSettled  true once health checking's count can be trusted (null when not checked)
     * @param refusingCalls  true while new calls are refused
     */
    NodeSelfCheck(
            List<Executor> loops,
            LongSupplier healthTimeNs,
            IntSupplier usableBackends,
            BooleanSupplier healthSettled,
            BooleanSupplier refusingCalls,
            long intervalMs,
            long timeoutMs,
            LongSupplier clock,
            Verdicts verdicts,
            Runnable onDeath) {
        this.loops = List.copyOf(loops);
        this.pings = new Ping[loops.size()];
        for (int i = 0; i < pings.length; i++) {
            pings[i] = new Ping();
        }
        this.healthTimeNs = healthTimeNs;
        this.usableBackends = usableBackends;
        this.healthSettled = healthSettled;
        this.refusingCalls = refusingCalls;
        this.intervalNs = intervalMs * 1_000_000L;
        this.timeoutNs = timeoutMs * 1_000_000L;
        this.clock = clock;
        this.verdicts = verdicts;
        this.onDeath = onDeath;
        this.startNs = clock.getAsLong();
        this.thread = new Thread(this::run, "sipha-site-check");
        this.thread.setDaemon(true);
    }

    void start() {
        running = true;
        thread.start();
    }

    /**
     * One round: hands each loop whose last no-op ran a new one and judges the rest. Returns null when the node
     * can take calls, {@link #NO_VERDICT} when this thread was held up itself, else why not.
     */
    String check(long nowNs) {
        boolean selfHeldUp = lastCheckNs != Long.MIN_VALUE && nowNs - lastCheckNs > timeoutNs;
        lastCheckNs = nowNs;
        String loopProblem = null;
        for (int i = 0; i < pings.length; i++) {
            Ping p = pings[i];
            if (p.ran == p.sent) {
                p.sent = p.sent + 1;
                p.deadlineNs = nowNs + timeoutNs;
                try {
                    loops.get(i).execute(p);
                } catch (RejectedExecutionException e) {
                    loopProblem = "event loop " + i + " is shut down";
                }
            } else if (selfHeldUp) {
                p.deadlineNs = nowNs + timeoutNs; // held up with us: judge from now on
            } else if (nowNs - p.deadlineNs > 0 && loopProblem == null) {
                loopProblem = "event loop " + i + " has not run a no-op for "
                        + (nowNs - p.deadlineNs + timeoutNs) / 1_000_000 + " ms";
            }
        }
        if (selfHeldUp) {
            return NO_VERDICT;
        }
        if (loopProblem != null) {
            return loopProblem;
        }
        if (healthTimeNs != null) {
            long sinceNs = nowNs - Math.max(healthTimeNs.getAsLong(), startNs);
            if (sinceNs > HEALTH_TIMEOUT_NS) {
                return "the health thread has not run for " + sinceNs / 1_000_000 + " ms";
            }
        }
        if (usableBackends != null) {
            int up = usableBackends.getAsInt();
            if (up < 0) {
                return "health checking has not counted the backends yet";
            }
            if (up == 0) {
                return "no backend is usable";
            }
            if (!healthSettled.getAsBoolean()) {
                return "health checking has not heard from every backend yet";
            }
        }
        if (refusingCalls.getAsBoolean()) {
            return "new calls are refused: the site's database has no quorum";
        }
        return null;
    }

    private void run() {
        try {
            while (running) {
                long now = clock.getAsLong();
                String problem = check(now);
                if (problem == null) {
                    verdicts.onVerdict(true, "event loops, health thread and backends answer");
                } else if (!NO_VERDICT.equals(problem)) {
                    verdicts.onVerdict(false, problem);
                }
                Thread.sleep(intervalNs / 1_000_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("site self-check failed; nothing judges this node any more", e);
            onDeath.run();
        }
    }

    /** Stops the check thread (bounded wait). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
