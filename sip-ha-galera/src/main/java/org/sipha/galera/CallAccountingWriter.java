package org.sipha.galera;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.sipha.core.accounting.CallEvent;
import org.sipha.core.accounting.CallEventRing;
import org.sipha.core.accounting.CallEventRings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves call accounting events from the event loops' rings ({@link CallEventRings}) into the {@code cdr} table
 * through a {@link DurableCdrWriter}: one thread drains every ring, turns each event into a {@link Cdr} (its id
 * keyed by the event, so repeats collapse) and writes them in batches with {@link DurableCdrWriter#writeAll} (one
 * transaction, or one fsync into the spool while the site has no quorum). The rings free the slots of a batch only
 * after that write returned ({@link CallEventRings#release}), so a ring file holds every event not yet durable. A
 * batch that cannot be written (the
 * spool full, a disk error) is kept and retried; meanwhile the rings fill and then drop, counted. Drops and
 * failures are logged at most once per {@link #LOG_INTERVAL_NS}.
 *
 * <p>Threading: {@link #start} and {@link #close} by the owner; the counters by any thread; everything else runs
 * on the writer's own thread.
 */
public final class CallAccountingWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallAccountingWriter.class);
    static final long LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long IDLE_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long RETRY_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSE_TIMEOUT_MS = 10_000;

    private final CallEventRings rings;
    private final DurableCdrWriter writer;
    private final int batchSize;
    private final Thread thread;
    private final List<Cdr> batch;
    private volatile boolean running = true;
    private volatile long written;
    private volatile long failedWrites;
    private volatile long unstorable;
    /** Events taken off the rings. */
    private volatile long taken;

    private long lastLogNs;
    private long lostLogged;
    private long failuresLogged;
    /** Whether a failed write was logged in full in the current interval (later ones only counted). */
    private boolean failureLogged;

    private long unstorableLogged;

    private CallAccountingWriter(CallEventRings rings, DurableCdrWriter writer, int batchSize, String threadName) {
        this.rings = rings;
        this.writer = writer;
        this.batchSize = batchSize;
        this.batch = new ArrayList<>(batchSize);
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /**
     * Starts the writer thread {@code threadName}.
     *
     * @param batchSize events per ring per write, at most
     */
    public static CallAccountingWriter start(
            CallEventRings rings, DurableCdrWriter writer, int batchSize, String threadName) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
        }
        CallAccountingWriter w = new CallAccountingWriter(rings, writer, batchSize, threadName);
        w.lastLogNs = System.nanoTime();
        w.thread.start();
        return w;
    }

    private void run() {
        while (running) {
            if (!cycle()) {
                LockSupport.parkNanos(IDLE_NS);
            }
            logIfDue();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_TIMEOUT_MS);
        while ((!batch.isEmpty() || rings.waiting() > 0) && System.nanoTime() < deadline) {
            cycle(); // at close: what the loops recorded before they stopped
        }
        if (!batch.isEmpty() || rings.waiting() > 0) {
            LOG.error(
                    "call accounting: {} record(s) not written at close ({} still in the rings)",
                    batch.size() + rings.waiting(),
                    rings.waiting());
        }
        logIfDue();
    }

    /** Drains and writes one batch; returns false if there was nothing to write or the write failed. */
    private boolean cycle() {
        if (batch.isEmpty()) {
            rings.read(this::add, batchSize);
            if (batch.isEmpty()) {
                rings.release(); // events read, if any, were unstorable
                return false;
            }
        }
        try {
            writer.writeAll(batch);
            rings.release(); // durable now: their slots may be reused
            written = written + batch.size(); // single writer
            batch.clear();
            return true;
        } catch (IOException | RuntimeException e) {
            failedWrites = failedWrites + 1;
            if (!failureLogged) {
                failureLogged = true;
                LOG.warn("call accounting: {} record(s) not written yet, retrying: {}", batch.size(), e.toString());
            }
            LockSupport.parkNanos(RETRY_NS);
            return false;
        }
    }

    private void add(CallEvent e) {
        taken = taken + 1; // single writer
        try {
            batch.add(toCdr(e));
        } catch (IllegalArgumentException x) { // a field the table cannot hold: counted, never retried
            unstorable = unstorable + 1;
        }
    }

    static Cdr toCdr(CallEvent e) {
        Cdr.Kind kind = switch (e.kind()) {
            case OUTCOME -> Cdr.Kind.OUTCOME;
            case START -> Cdr.Kind.START;
            case STOP -> Cdr.Kind.STOP;
        };
        return Cdr.event(
                kind,
                e.callId(),
                e.callerTag(),
                e.calleeTag(),
                e.callerUri(),
                e.calleeUri(),
                e.epochMs(),
                e.sipCode(),
                e.cseq(),
                hostPort(e.destination()),
                hostPort(e.source()));
    }

    /** {@code host:port} ({@code [v6]:port}), or empty. */
    static String hostPort(InetSocketAddress a) {
        if (a == null || a.getAddress() == null) {
            return "";
        }
        String h = a.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    /** Every {@link #LOG_INTERVAL_NS}: one line with what was lost or failed since the last line, if anything. */
    private void logIfDue() {
        long now = System.nanoTime();
        if (now - lastLogNs < LOG_INTERVAL_NS && running) {
            return;
        }
        lastLogNs = now;
        long lost = rings.lost();
        if (lost != lostLogged || unstorable != unstorableLogged) {
            StringBuilder why = new StringBuilder();
            for (CallEventRing r : rings.rings()) {
                why.append(why.length() == 0 ? "" : "; ")
                        .append("loop ")
                        .append(r.loopIndex())
                        .append(": ring full ")
                        .append(r.dropped())
                        .append(", too long ")
                        .append(r.tooLong())
                        .append(", unreadable ")
                        .append(r.unreadableEvents());
            }
            LOG.warn(
                    "call accounting: {} event(s) lost and {} unstorable in the last {} s (totals: {})",
                    lost - lostLogged,
                    unstorable - unstorableLogged,
                    TimeUnit.NANOSECONDS.toSeconds(LOG_INTERVAL_NS),
                    why);
            lostLogged = lost;
            unstorableLogged = unstorable;
        }
        if (failedWrites != failuresLogged) {
            LOG.warn("call accounting: {} failed write(s) in the last interval", failedWrites - failuresLogged);
            failuresLogged = failedWrites;
        }
        failureLogged = false;
    }

    /** Records handed to the {@link DurableCdrWriter} (stored or spooled). */
    public long written() {
        return written;
    }

    /** Writes that failed and were retried. */
    public long failedWrites() {
        return failedWrites;
    }

    /** Events whose fields the table cannot hold (e.g. a status code above 699): dropped. */
    public long unstorable() {
        return unstorable;
    }

    /** Events recorded but not yet handed to the {@link DurableCdrWriter}: in the rings or in the batch at hand. */
    public long backlog() {
        return rings.waiting() + taken - written - unstorable;
    }

    /** Events the rings dropped (full, too long for a slot, unreadable). */
    public long lost() {
        return rings.lost();
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    /**
     * Stops the thread after it wrote what the rings hold (bounded by 10 s); call it after the event loops have
     * stopped, and before closing the {@link DurableCdrWriter}.
     */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(CLOSE_TIMEOUT_MS + 5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
