package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.EngineLoops;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.health.HealthChecking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running reference proxy and the order of its parts: {@link #start} brings them up (configuration from Galera,
 * admin endpoint, demo backends, routing table, health checking, engine, quorum, accounting, site node) and, if one
 * fails, closes what it started; {@link #stop} is the planned stop (leave anycast, drain, wait for the calls in
 * flight, close in the reverse order). Started and stopped by the proxy's main thread.
 */
final class ProxyNode {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyNode.class);
    private static final long WATCHDOG_CHECK_MS = 1000;
    /** A health or writer thread that has not cycled for this many checks is stuck (both cycle every 100 ms). */
    private static final int WATCHDOG_STUCK_CHECKS = 10;

    private final ProxyOptions o;
    private final List<DemoBackend> demos = new ArrayList<>();
    private RoutingTableWriter writer;
    private HealthChecking health;
    private QuorumWiring quorum;
    private ThreadLivenessWatchdog watchdog;
    private SiteNode site; // --anycast: announces the site's prefix while it can take calls
    private GaleraConfigWiring galeraConfig; // --config-from-galera: destinations and keys from the cluster
    private AdminWiring admin; // --admin-listen: metrics, status, actions
    private AccountingWiring accounting; // --accounting: call records into the Galera cluster
    private EngineLoops loops;
    private SipProxyServer server;

    private ProxyNode(ProxyOptions o) {
        this.o = o;
    }

    /**
     * The proxy as {@code o} configures it, bound and taking calls.
     *
     * @throws IllegalArgumentException naming the option, for a configuration that cannot run
     * @throws IllegalStateException or IOException if a part cannot start (an address taken, no configuration)
     */
    static ProxyNode start(ProxyOptions o) throws IOException, InterruptedException {
        ProxyNode n = new ProxyNode(o);
        try {
            n.startParts();
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            n.close();
            throw e;
        }
        InetSocketAddress first =
                o.udpListen().isEmpty() ? o.tcpListen().get(0) : o.udpListen().get(0);
        LOG.info(
                "sip-ha proxy listening on {}, forwarding to {}",
                o.listen,
                o.backends.stream().map(ProxyOptions::addressKey).toList());
        LOG.info(
                "place a test call: sipp -sf benchmarks/load/uac_rr.xml {}:{} -m 1",
                first.getHostString(),
                first.getPort());
        return n;
    }

    private void startParts() throws IOException, InterruptedException {
        if (o.galeraConfig.enabled()) {
            quorum = QuorumWiring.connect(o);
            galeraConfig = GaleraConfigWiring.prepare(o, quorum);
        }
        admin = AdminWiring.prepare(o); // /live and /metrics from now on; /ready says starting until attached
        if (o.backends.isEmpty()) {
            for (int port : ReferenceProxy.DEMO_PORTS) {
                demos.add(new DemoBackend(new InetSocketAddress("127.0.0.1", port)));
                o.backends.add(ProxyOptions.backend("sip:127.0.0.1:" + port));
            }
            System.out.println(ReferenceProxy.DEMO_BANNER);
            LOG.info("no backend configured: started demo backends on 127.0.0.1:5081 and 127.0.0.1:5082");
        }
        site = SiteNode.prepare(o);
        RoutingTableOwner owner = ReferenceProxy.routingTable(o);
        DispatcherNextHopSelector selector = new DispatcherNextHopSelector(owner, o.routeSet);
        writer = o.health || galeraConfig != null ? new RoutingTableWriter(owner, ReferenceProxy.WRITER_THREAD) : null;
        health = o.health
                ? ReferenceProxy.healthChecking(
                        o, writer, selector, ReferenceProxy.HEALTH_THREAD, site, AdminWiring.healthListener(admin))
                : null;

        ForwardingOutcomeListener outcomes = health == null ? ForwardingOutcomeListener.NONE : health.outcomeListener();
        accounting = AccountingWiring.prepare(o);
        ProxyConfig cfg = ReferenceProxy.config(o, selector, outcomes, accounting);
        if (quorum == null && !o.galeraNodes.isEmpty()) {
            quorum = QuorumWiring.connect(o); // polls while the warm-up runs; gated below once the server is bound
        }
        // BIRD and the relay start while the warm-up runs; the prefix stays withdrawn until site.start
        CompletableFuture<Void> announcer = site == null
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(site::startAnnouncer, ProxyNode::startAnnouncerThread);
        try {
            loops = EngineLoops.start(cfg);
            Warmup.run(o.warmupCalls, 10_000, ReferenceProxy.algorithm(o.algorithm), loops, health != null);
        } catch (Throwable t) {
            announcer.exceptionally(x -> null).join(); // let it finish before close() stops what it started
            throw t;
        }
        awaitAnnouncer(announcer);
        server = SipProxyServer.start(cfg, loops); // on the warm-up's threads: see EngineLoops
        if (health != null) {
            ReferenceProxy.startHealth(health, writer, o, server); // probes leave from the proxy's own socket
            watchdog = watch(health, writer);
        }
        if (quorum != null) {
            quorum.gate(o, server);
        }
        if (accounting != null) {
            accounting.start(quorum.client()); // accounting needs --galera-node, so quorum is set
        }
        if (galeraConfig != null) {
            if (health == null) {
                writer.start();
            }
            galeraConfig.start(server, writer, health);
        }
        if (site != null) {
            long probeRoundsMs = 3 * o.probeIntervalMs + o.probeTimeoutMs; // health's default fall: 3 probes
            site.start(loops, health, probeRoundsMs, quorum, o.quorumLoss.equals("503"));
        }
        if (admin != null) {
            admin.attach(new AdminWiring.Parts(o, owner, writer, selector, health, server, site, quorum, galeraConfig));
        }
    }

    private static void startAnnouncerThread(Runnable r) {
        Thread t = new Thread(r, "sipha-announcer-start");
        t.setDaemon(true);
        t.start();
    }

    /** Waits for the announcer's start; its failure (BIRD cannot run, the relay cannot be armed) ends the start. */
    private static void awaitAnnouncer(CompletableFuture<Void> announcer) throws InterruptedException {
        try {
            announcer.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Ends the process when the health thread or the routing table's writer has died or is stuck. */
    private static ThreadLivenessWatchdog watch(HealthChecking health, RoutingTableWriter writer) {
        return new ThreadLivenessWatchdog(WATCHDOG_CHECK_MS, WATCHDOG_STUCK_CHECKS, Runtime.getRuntime()::halt)
                .watch(
                        "health checking (" + ReferenceProxy.HEALTH_THREAD + ")",
                        health::isAlive,
                        health::lastDutyCycleNanos)
                .watch(
                        "routing table writer (" + ReferenceProxy.WRITER_THREAD + ")",
                        writer::isAlive,
                        writer::lastDutyCycleNanos)
                .start();
    }

    /**
     * The planned stop: drains the anycast announcement (still taking calls), stops taking new calls, waits up to
     * {@code drain-timeout-ms} for the calls in flight, logs what the engine counted, and closes every part.
     *
     * @return true if no call was still in flight
     */
    boolean stop() throws InterruptedException {
        if (site != null) {
            site.leaveAnycast(); // drain, then withdraw, still taking calls; only then stop taking them
        }
        LOG.info(
                "stopping: no new calls; waiting up to {} ms for {} call(s) in flight",
                o.drainTimeoutMs,
                server.activeCalls());
        server.drain();
        boolean idle = server.awaitIdle(o.drainTimeoutMs);
        if (site != null) {
            site.close(); // before the loops stop: its self-check watches them
            site = null;
        }
        logCounts();
        close();
        return idle;
    }

    private void logCounts() {
        LOG.info(
                "{} call setup(s) moved to another backend as soon as theirs was ejected, {} of them while ringing",
                server.ejectionFailovers() + server.ringingFailovers(),
                server.ringingFailovers());
        long suppressed = server.suppressedSilenceReports();
        if (suppressed > 0) {
            LOG.info(
                    "{} backend timeout(s) were not held against the backend: the proxy itself was behind then",
                    suppressed);
        }
        long forged = server.forgedResponsesDropped();
        long refused = server.relayAttemptsRefused();
        long unconnected = server.tcpSendsWithoutConnection();
        if (forged + refused + unconnected > 0) {
            LOG.info(
                    "{} forged response(s) dropped, {} in-dialog request(s) refused, {} TCP send(s) dropped: no "
                            + "connection, and none opened towards an address read from a message",
                    forged,
                    refused,
                    unconnected);
        }
        if (!o.tcpListen().isEmpty()) {
            LOG.info("TCP bounds: {}", server.tcpCounters());
        }
    }

    /** Closes every part that was started, in the order that keeps each one's inputs alive while it runs. */
    private void close() throws InterruptedException {
        if (site != null) {
            site.close();
        }
        if (watchdog != null) {
            watchdog.close(); // before the threads it watches end on purpose
        }
        if (galeraConfig != null) {
            galeraConfig.close(); // before the table's writer: no reload after it stops
        }
        if (server != null) {
            server.close();
        }
        if (loops != null) {
            loops.close();
        }
        if (accounting != null) {
            accounting.close(); // what the loops recorded until now, before the quorum client goes
        }
        if (quorum != null) {
            quorum.close();
        }
        if (health != null) {
            health.close();
        }
        if (writer != null) {
            writer.close();
        }
        for (DemoBackend d : demos) {
            d.close();
        }
        if (admin != null) {
            admin.close(); // last: it showed the node draining until now
        }
    }
}
