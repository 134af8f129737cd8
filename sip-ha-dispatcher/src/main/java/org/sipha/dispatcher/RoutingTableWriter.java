package org.sipha.dispatcher;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.sipha.core.model.DestinationHealthSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that is the single writer of a {@link RoutingTableOwner}: it sleeps until the health side
 * reports a state change through {@link #healthSink()}, applies every queued change ({@link RoutingTableOwner#doWork})
 * and so publishes at most one new {@link RoutingTable} per wake-up.
 *
 * <pre>
 *   health thread --healthSink()--> owner's queue + unpark --> writer thread: owner.doWork() --> new snapshot
 * </pre>
 *
 * <h2>Threading</h2>
 * {@link #healthSink()} and {@link #reload} any thread, non-blocking. {@link #start} and {@link #close} once each, from the thread
 * that owns the table until then: between them the writer thread is the owner, and no other thread may call the
 * owner's owner-thread methods ({@code reload}, {@code setHealthState}, ...); after {@link #close} the caller owns
 * it again. {@link #isAlive()} and {@link #lastDutyCycleNanos()} any thread, for a supervisor: a writer that died
 * or hangs publishes no health change any more. {@link #submit} any thread: how others (an operator's reload or
 * disable) run owner-thread methods while the writer owns the table.
 */
public final class RoutingTableWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingTableWriter.class);
    private static final long AFTER_FAILURE_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long JOIN_MS = TimeUnit.SECONDS.toMillis(5);

    private final RoutingTableOwner owner;
    private final Thread thread;
    private final WakingHealthSink sink;
    /** Reloads and operator commands for the owner, in order; rare, so an unbounded queue is fine. */
    private final ConcurrentLinkedQueue<PendingCommand<?>> commands = new ConcurrentLinkedQueue<>();

    private volatile boolean running = true;
    private volatile long lastDutyCycleNanos = System.nanoTime();

    /** A writer named {@code threadName} for {@code owner}; nothing runs until {@link #start}. */
    public RoutingTableWriter(final RoutingTableOwner owner, final String threadName) {
        this.owner = owner;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.sink = new WakingHealthSink(owner.healthSink(), thread);
    }

    /**
     * Where the health side reports (e.g. {@code HealthMonitor}'s sink): the owner's queue, plus a wake-up of the
     * writer. Changes reported before {@link #start} are applied once it runs. Any thread.
     */
    public DestinationHealthSink healthSink() {
        return sink;
    }

    /**
     * Replaces the configuration on the writer thread ({@link RoutingTableOwner#reload}: state, leases and
     * statistics of every destination id that stays are kept; calls in flight go on). Reloads apply in the order
     * given, each publishing one new table. Any thread, non-blocking.
     *
     * @return completes with what changed once the new table is published, or exceptionally if the configuration
     *     is refused or the writer closes first
     */
    public CompletableFuture<RoutingDiff> reload(final DispatcherConfig next) {
        Objects.requireNonNull(next, "next");
        return enqueue(o -> o.reload(next));
    }

    /** Starts the writer thread; from now on it owns the table. Once. */
    public RoutingTableWriter start() {
        lastDutyCycleNanos = System.nanoTime();
        thread.start();
        return this;
    }

    /** True from {@link #start} until the writer thread ends, by {@link #close} or by dying. Any thread. */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /**
     * {@link System#nanoTime()} when the writer last began a duty cycle; it does so at least every 100 ms, idle or
     * not, so a value that stops advancing means the thread died or hangs. Any thread.
     */
    public long lastDutyCycleNanos() {
        return lastDutyCycleNanos;
    }

    /**
     * Runs {@code command} with the owner on the writer thread, before its next duty cycle, and completes the
     * future with its result (or what it threw). Any thread. It fails if the writer closes before running it.
     *
     * @throws RejectedExecutionException after {@link #close}
     */
    public <T> CompletableFuture<T> submit(final Function<RoutingTableOwner, T> command) {
        if (!running) {
            throw new RejectedExecutionException("the routing table writer is closed");
        }
        return enqueue(command);
    }

    private <T> CompletableFuture<T> enqueue(final Function<RoutingTableOwner, T> command) {
        final PendingCommand<T> c = new PendingCommand<>(command, new CompletableFuture<>());
        commands.add(c);
        sink.wake();
        if (!running) {
            failPending();
        }
        return c.done;
    }

    private int runCommands() {
        int n = 0;
        PendingCommand<?> c;
        while ((c = commands.poll()) != null) {
            c.runWith(owner);
            n++;
        }
        return n;
    }

    private void run() {
        while (running) {
            try {
                lastDutyCycleNanos = System.nanoTime();
                sink.beforeWork();
                if (runCommands() + owner.doWork() == 0) {
                    sink.awaitWork();
                }
            } catch (final RuntimeException e) {
                // A bug in one cycle must not freeze the table for good.
                LOG.error("routing table duty cycle failed", e);
                LockSupport.parkNanos(AFTER_FAILURE_NS);
            }
        }
    }

    private void failPending() {
        PendingCommand<?> c;
        while ((c = commands.poll()) != null) {
            c.done.completeExceptionally(new IllegalStateException("the routing table writer is closed"));
        }
    }

    /**
     * Stops the writer thread and waits for it (at most 5 s); the caller owns the table again. Reloads not yet
     * applied fail, and so do commands not yet run.
     */
    @Override
    public void close() {
        running = false;
        if (thread.isAlive()) {
            LockSupport.unpark(thread);
            try {
                thread.join(JOIN_MS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        failPending();
    }

    /** A reload or command waiting for the writer thread, and who waits for its outcome. */
    private record PendingCommand<T>(Function<RoutingTableOwner, T> command, CompletableFuture<T> done) {
        void runWith(final RoutingTableOwner owner) {
            try {
                done.complete(command.apply(owner));
            } catch (final RuntimeException e) {
                done.completeExceptionally(e);
            }
        }
    }
}
