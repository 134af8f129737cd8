package org.sipha.examples.proxy;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.sipha.admin.ActionResult;
import org.sipha.admin.AdminMetrics;
import org.sipha.admin.AdminServer;
import org.sipha.admin.StateChange;
import org.sipha.admin.StateChangeLog;
import org.sipha.anycast.AnycastStatus;
import org.sipha.anycast.metrics.AnycastMetrics;
import org.sipha.core.spi.SiteQuorumSignal;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.dispatcher.metrics.DestinationMetrics;
import org.sipha.dispatcher.metrics.EngineMetrics;
import org.sipha.galera.metrics.GaleraMetrics;
import org.sipha.health.HealthChecking;
import org.sipha.health.HealthListener;
import org.sipha.health.metrics.HealthMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference proxy's admin endpoint ({@code --admin-listen}, docs/operations.md), wired in two steps: {@link
 * #prepare} before the warm-up binds the endpoint ({@code /live} and {@code /metrics} answer, {@code /ready} says
 * starting), {@link #attach} once the proxy is bound binds every module's meters and serves the node's status and
 * actions ({@link ProxyNodeView}, {@link ProxyNodeActions}); SIGHUP reloads the destination list from then on.
 * Health, anycast, quorum and operator changes go to one {@link StateChangeLog} the status page shows.
 *
 * <p>The token rule: off loopback the endpoint needs {@code --admin-token-file}, and the proxy refuses to start
 * without it. An endpoint asked for explicitly that cannot bind ends the start (exit 2); the default one
 * ({@value #DEFAULT_LISTEN}) is only warned about, so several proxies on one host still start.
 *
 * <p>Threading: {@link #prepare}, {@link #attach} and {@link #close} from the main thread; the rest runs on the
 * endpoint's threads, the health thread (its listener), the quorum client's event thread and one watcher thread.
 */
final class AdminWiring implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminWiring.class);
    static final String DEFAULT_LISTEN = "127.0.0.1:8080";
    /** The shortest bearer token accepted. */
    static final int MIN_TOKEN_CHARS = 16;

    private static final long ANYCAST_WATCH_MS = 250;

    /**
     * The parts of a running proxy the endpoint reads and drives.
     *
     * @param writer   the routing table's writer thread, or null without health checking (one is started then)
     * @param health   null without health checking
     * @param site     null unless the proxy announces an anycast prefix
     * @param quorum   null without a Galera cluster
     */
    record Parts(
            ProxyOptions options,
            RoutingTableOwner owner,
            RoutingTableWriter writer,
            DispatcherNextHopSelector selector,
            HealthChecking health,
            SipProxyServer server,
            SiteNode site,
            QuorumWiring quorum,
            GaleraConfigWiring galeraConfig) {}

    /** The site quorum as last reported (the quorum client's event thread writes, any thread reads). */
    static final class QuorumState {
        private volatile boolean quorate;
        private volatile String reason = "not reported yet";

        boolean quorate() {
            return quorate;
        }

        String reason() {
            return reason;
        }
    }

    private final AdminServer server;
    private final AdminMetrics metrics;
    private final StateChangeLog log = new StateChangeLog(StateChangeLog.DEFAULT_CAPACITY);
    private RoutingTableWriter ownWriter;
    private ScheduledExecutorService watcher;

    private AdminWiring(AdminServer server, AdminMetrics metrics) {
        this.server = server;
        this.metrics = metrics;
    }

    /**
     * Binds the endpoint the options ask for; null if it is off, or if the default address is taken (warned).
     *
     * @throws IllegalArgumentException naming the option: off loopback without a token, a short token, a bad
     *     address
     * @throws IllegalStateException if an address given explicitly cannot be bound
     */
    static AdminWiring prepare(ProxyOptions o) {
        boolean given = o.adminListen != null;
        String listen = given ? o.adminListen : DEFAULT_LISTEN;
        if (listen.equalsIgnoreCase("off")) {
            return null;
        }
        InetSocketAddress address = ProxyOptions.hostPort(listen, "--admin-listen");
        String token = o.adminToken == null ? null : o.adminToken.text();
        try {
            AdminServer.requireTokenOffLoopback(address, token);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--admin-listen: " + e.getMessage() + ": give --admin-token-file FILE (or admin-listen: off)", e);
        }
        if (token != null && token.length() < MIN_TOKEN_CHARS) {
            throw new IllegalArgumentException(o.adminToken.source() + ": a token of at least " + MIN_TOKEN_CHARS
                    + " characters is required, this one has " + token.length());
        }
        AdminMetrics metrics = new AdminMetrics();
        AdminServer s;
        try {
            s = AdminServer.start(address, token, metrics);
        } catch (UncheckedIOException e) {
            metrics.close();
            if (given) {
                throw new IllegalStateException("--admin-listen: " + e.getMessage(), e);
            }
            LOG.warn(
                    "admin endpoint not started: {} (the default address; give --admin-listen HOST:PORT or off)",
                    e.getMessage());
            return null;
        }
        LOG.info(
                "admin endpoint on {}: status page {}, metrics {}metrics, readiness {}ready; actions {}",
                s.url(),
                s.url(),
                s.url(),
                s.url(),
                token == null ? "need no token (loopback only)" : "need the bearer token");
        return new AdminWiring(s, metrics);
    }

    /** The health listener that records changes for the status page; null without an endpoint. */
    static HealthListener healthListener(AdminWiring admin) {
        return admin == null ? null : new HealthChangeLog(admin.log);
    }

    /** Serves the running proxy: meters, status, actions; SIGHUP reloads. Once, after the proxy is bound. */
    void attach(Parts p) {
        if (p.writer() == null) { // without health checking nothing owns the table yet: actions need an owner
            ownWriter = new RoutingTableWriter(p.owner(), "sipha-routing-table").start();
            p = new Parts(
                    p.options(),
                    p.owner(),
                    ownWriter,
                    p.selector(),
                    p.health(),
                    p.server(),
                    p.site(),
                    p.quorum(),
                    p.galeraConfig());
        }
        metrics.bind(new EngineMetrics(p.server()));
        DestinationMetrics destinations =
                new DestinationMetrics(p.owner()::table, p.server().counters());
        metrics.bind(destinations).beforeScrape(destinations::refresh);
        if (p.health() != null) {
            HealthMetrics health = new HealthMetrics(p.health().monitor());
            metrics.bind(health).beforeScrape(health::refresh);
        }
        QuorumState quorum = null;
        if (p.quorum() != null) {
            metrics.bind(new GaleraMetrics(p.quorum().client()));
            quorum = followQuorum(p.quorum());
        }
        if (p.site() != null) {
            metrics.bind(new AnycastMetrics(p.site()::status));
            watchAnycast(p.site());
        }
        DestinationListReload reload = new DestinationListReload(p.options(), p.writer(), p.health(), log);
        ProxyNodeActions actions = new ProxyNodeActions(p, reload, log);
        server.attach(new ProxyNodeView(p, actions, reload, log, quorum), actions);
        reloadOnSighup(reload);
        LOG.info(
                "admin endpoint {} serves the node; {}",
                server.url(),
                reload.reloadable()
                        ? "SIGHUP or POST " + server.url() + "reload reloads " + reload.source()
                        : "no reload: the destinations come from " + reload.source());
    }

    private QuorumState followQuorum(QuorumWiring quorum) {
        QuorumState state = new QuorumState();
        quorum.addListener((SiteQuorumSignal.Change c) -> {
            boolean was = state.quorate;
            state.reason = c.reason();
            state.quorate = c.quorate();
            if (was != c.quorate() || c.reason().equals("current state")) {
                log.record(new StateChange(
                        c.atEpochMs(),
                        "quorum",
                        was ? "quorate" : "lost",
                        c.quorate() ? "quorate" : "lost",
                        c.reason()));
            }
        });
        return state;
    }

    /** Records each transition of the anycast decision (it publishes snapshots, not events). */
    private void watchAnycast(SiteNode site) {
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sipha-admin-anycast-watch");
            t.setDaemon(true);
            return t;
        });
        AnycastStatus[] last = {site.status()};
        watcher.scheduleWithFixedDelay(
                () -> {
                    AnycastStatus s = site.status();
                    if (s.transitions() != last[0].transitions() || s.state() != last[0].state()) {
                        log.record(new StateChange(
                                System.currentTimeMillis(),
                                "anycast",
                                HealthChangeLog.word(last[0].state().name()),
                                HealthChangeLog.word(s.state().name()),
                                s.cause()));
                        last[0] = s;
                    }
                },
                ANYCAST_WATCH_MS,
                ANYCAST_WATCH_MS,
                TimeUnit.MILLISECONDS);
    }

    private static void reloadOnSighup(DestinationListReload reload) {
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
            Thread t = new Thread(
                    () -> {
                        ActionResult r = reload.run(false);
                        if (r.httpStatus() < 300) {
                            LOG.info("SIGHUP: {}", r.message());
                        } else {
                            LOG.warn("SIGHUP: reload refused: {}", r.message());
                        }
                    },
                    "sipha-admin-sighup");
            t.setDaemon(true);
            t.start();
        });
    }

    /** The endpoint's address, e.g. {@code http://127.0.0.1:8080/}. */
    String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
        if (watcher != null) {
            watcher.shutdownNow();
        }
        metrics.close();
        if (ownWriter != null) {
            ownWriter.close();
        }
    }
}
