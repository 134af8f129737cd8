package org.sipha.galera;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.sipha.core.spi.SiteQuorumSignal;

/**
 * The Galera-aware quorum client: polls every node's wsrep status (one thread per node, so a frozen node
 * cannot delay the others), runs the commit canary, keeps the site quorum state, publishes events, and owns
 * the {@link GaleraRoutingDataSource}.
 *
 * <p>Threads: N poll threads + N canary threads (each owning its node's connection) hand their results to one
 * event thread, the single writer of {@link SiteQuorumTracker}; listeners run on that event thread. Public
 * methods may be called from any thread. A node whose poll results stop coming (its poll task died or hangs) is
 * demoted after 3 poll intervals plus 2 poll timeouts, so a dead poller leaves the site not quorate rather than
 * quorate on its last answer. Implements {@link SiteQuorumSignal} for the SIP side and the anycast
 * module.
 */
public final class GaleraQuorumClient implements SiteQuorumSignal, AutoCloseable {
    private final GaleraClientConfig config;
    private final SiteQuorumTracker tracker;
    private final ExecutorService events;
    private final ScheduledExecutorService pollers;
    private final ScheduledExecutorService canaries;
    private final List<AutoCloseable> probes = new ArrayList<>();
    private final GaleraRoutingDataSource dataSource;

    private GaleraQuorumClient(GaleraClientConfig config) {
        this.config = config;
        this.tracker = new SiteQuorumTracker(config);
        this.events = Executors.newSingleThreadExecutor(daemon("galera-events"));
        int n = config.nodes().size();
        // one thread more than nodes: polls that hang cannot hold up the staleness check
        this.pollers = Executors.newScheduledThreadPool(n + 1, daemon("galera-poll"));
        this.canaries = Executors.newScheduledThreadPool(n, daemon("galera-canary"));
        this.dataSource = new GaleraRoutingDataSource(config, tracker::view, this::demote);
    }

    /** Creates the client and starts polling; nodes come up after {@code riseCount} good polls. */
    public static GaleraQuorumClient start(GaleraClientConfig config) {
        return start(config, node -> new NodeStatusQuery(node, config));
    }

    /** As {@link #start(GaleraClientConfig)}, with each node's poll results taken from {@code sources}. */
    static GaleraQuorumClient start(GaleraClientConfig config, Function<GaleraNode, NodeStatusSource> sources) {
        GaleraQuorumClient c = new GaleraQuorumClient(config);
        c.startTasks(sources);
        c.startStalenessCheck();
        return c;
    }

    private void startTasks(Function<GaleraNode, NodeStatusSource> sources) {
        for (GaleraNode node : config.nodes()) {
            NodeStatusSource q = sources.apply(node);
            probes.add(q);
            pollers.scheduleWithFixedDelay(
                    () -> {
                        NodeStatus s = q.poll();
                        submit(() -> tracker.onStatus(s));
                    },
                    0,
                    config.pollIntervalMs(),
                    TimeUnit.MILLISECONDS);
            if (config.canaryIntervalMs() > 0) {
                CommitCanary canary = new CommitCanary(node, config);
                probes.add(canary);
                canaries.scheduleWithFixedDelay(
                        () -> {
                            long started = System.nanoTime();
                            String failure = canary.beat();
                            submit(() -> tracker.onCanary(node.name(), failure, started));
                        },
                        0,
                        config.canaryIntervalMs(),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    private void startStalenessCheck() {
        pollers.scheduleWithFixedDelay(
                () -> submit(() -> tracker.expireStale(System.nanoTime())),
                config.pollIntervalMs(),
                config.pollIntervalMs(),
                TimeUnit.MILLISECONDS);
    }

    private void submit(Runnable r) {
        try {
            events.execute(r);
        } catch (RejectedExecutionException e) {
            // closing: results that arrive after close() are dropped on purpose
        }
    }

    /** Demotes a node at once (e.g. the application saw 1047 on it). Any thread. */
    public void demote(String nodeName, String reason) {
        submit(() -> tracker.demote(nodeName, reason));
    }

    /** The latest snapshot. Any thread; one volatile read. */
    public ClusterView view() {
        return tracker.view();
    }

    /** Adds a listener; events are delivered on the event thread. Any thread. */
    public void addListener(GaleraEventListener listener) {
        tracker.addListener(listener);
    }

    public GaleraRoutingDataSource dataSource() {
        return dataSource;
    }

    public GaleraClientConfig config() {
        return config;
    }

    @Override
    public boolean isSiteQuorate() {
        return tracker.siteQuorate();
    }

    @Override
    public void addSiteQuorumListener(SiteQuorumSignal.Listener listener) {
        // register and tell the current state on the event thread, so the listener sees a gap-free sequence
        submit(() -> {
            listener.onSiteQuorumChange(change(tracker.siteQuorate(), "current state"));
            tracker.addListener(e -> {
                if (e instanceof GaleraEvent.SiteQuorumChanged q) {
                    listener.onSiteQuorumChange(change(q.quorate(), q.reason()));
                }
            });
        });
    }

    private SiteQuorumSignal.Change change(boolean quorate, String reason) {
        return new SiteQuorumSignal.Change(
                quorate, reason, quorate ? 0 : config.retryAfterSecs(), System.currentTimeMillis());
    }

    /** Stops all threads, closes connections and pools. */
    @Override
    public void close() {
        pollers.shutdownNow();
        canaries.shutdownNow();
        try {
            pollers.awaitTermination(5, TimeUnit.SECONDS);
            canaries.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.shutdown();
        for (AutoCloseable p : probes) {
            try {
                p.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        dataSource.close();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger seq = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
