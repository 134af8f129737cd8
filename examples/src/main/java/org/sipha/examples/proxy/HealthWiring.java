package org.sipha.examples.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.sipha.core.model.Destination;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.health.HealthConfig;
import org.sipha.health.HealthMonitor;
import org.sipha.health.HealthMonitorRunner;
import org.sipha.health.OptionsProbeConfig;
import org.sipha.health.UdpProbeTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects health checking to the dispatcher for the reference proxy, the one place modules meet:
 * <pre>
 *   engine I/O threads --ForwardingOutcomeListener--> HealthMonitor (own thread: probes, passive ejection)
 *   HealthMonitor --DestinationHealthSink--> RoutingTableOwner queue --doWork() on the table thread--> new snapshot
 * </pre>
 * Two daemon threads: the health monitor's duty cycle, and the routing table's single writer, which sleeps until
 * the health side queues a change ({@link WakingHealthSink}), then applies it and publishes a new snapshot the
 * engine's next selection sees.
 *
 * <p>OPTIONS probes leave from the proxy's own UDP listening socket ({@link SipProxyServer#probeTransport()}), so
 * firewalls and ACLs see the source real traffic has. Hence two steps: {@link #create} before the proxy starts
 * (the engine needs the outcome listener), {@link #start} once it has bound its sockets. A proxy that listens on
 * TCP only probes from a UDP socket of its own on the first listen host.
 */
final class HealthWiring implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthWiring.class);
    private static final String SET = "1";

    private final HealthMonitor monitor;
    private final HealthMonitorRunner runner;
    private final Thread tableWriter;
    private final LateBoundProbeTransport probes;
    private final int destinationCount;
    private final ProxyOptions options;
    /** Whether {@link #start} logs what it checks (not for the warm-up's throw-away engines). */
    private final boolean announce;
    private volatile boolean running = true;

    private HealthWiring(HealthMonitor monitor, LateBoundProbeTransport probes, RoutingTableOwner owner,
                         WakingHealthSink sink, int destinationCount, ProxyOptions o, String threadPrefix,
                         boolean announce) {
        this.monitor = monitor;
        this.probes = probes;
        this.destinationCount = destinationCount;
        this.options = o;
        this.announce = announce;
        // The resolution of probe timers and of passive ejection. Each idle park is a wake-up of this thread: at 5 ms
        // (200 a second) this thread cost 13-16 ms of CPU a second under 1000 calls/s, about 6 % of the proxy's CPU.
        // 20 ms is far below the probe interval and timeout (seconds, hundreds of ms), and outcomes just wait queued.
        this.runner = new HealthMonitorRunner(monitor, TimeUnit.MILLISECONDS.toNanos(20), threadPrefix + "-health");
        this.tableWriter = new Thread(() -> writeTable(owner, sink), threadPrefix + "-routing-table");
        this.tableWriter.setDaemon(true);
    }

    /**
     * Builds health checking of {@code destinations} (the dispatcher set 1 of {@code owner}); nothing runs until
     * {@link #start}. Its {@link #outcomeListener()} goes into the proxy's configuration.
     */
    static HealthWiring create(RoutingTableOwner owner, List<Destination> destinations,
                               ProxyOptions o, java.util.function.ObjDoubleConsumer<String> slowStart) {
        return create(owner, destinations, o, slowStart, "sipha", true);
    }

    /**
     * The same wiring for a warm-up engine listening on {@code 127.0.0.1:proxyPort} and routing to
     * {@code destinations} (its dispatcher set 1), with the default probe timers
     * (shorter ones timed out under the warm-up's bursts, and the set went into panic), so the code
     * that reports, drains and applies call outcomes is compiled with the branches real traffic takes, and the
     * probes' writes from outside the event loop are no longer new when the real engine starts. Its threads are
     * named {@code sipha-warmup-*} and {@link #start} logs nothing.
     */
    static HealthWiring forWarmup(RoutingTableOwner owner, List<Destination> destinations,
                                  int proxyPort, java.util.function.ObjDoubleConsumer<String> slowStart) {
        ProxyOptions o = new ProxyOptions();
        o.listen.clear();
        o.listen.add("udp:127.0.0.1:" + proxyPort);
        return create(owner, destinations, o, slowStart, "sipha-warmup", false);
    }

    private static HealthWiring create(RoutingTableOwner owner, List<Destination> destinations,
                                       ProxyOptions o, java.util.function.ObjDoubleConsumer<String> slowStart,
                                       String threadPrefix, boolean announce) {
        OptionsProbeConfig probeConfig = OptionsProbeConfig.builder()
            .intervalNs(TimeUnit.MILLISECONDS.toNanos(o.probeIntervalMs))
            .timeoutNs(TimeUnit.MILLISECONDS.toNanos(o.probeTimeoutMs))
            .build();
        LateBoundProbeTransport probes = new LateBoundProbeTransport();
        WakingHealthSink sink = new WakingHealthSink(owner.healthSink());
        HealthMonitor monitor = HealthMonitor.builder(HealthConfig.defaults())
            .addSet(SET, destinations, null)
            .sink(sink)
            .prober(probeConfig, probes)
            .listener(new org.sipha.health.HealthListener() {
                @Override
                public void onHealthEvent(org.sipha.health.HealthEvent event) {
                }

                @Override
                public void onRampFactor(String destinationId, double factor, long timeNs) {
                    slowStart.accept(destinationId, factor); // the share of calls it takes while it warms up
                }
            })
            .build();
        return new HealthWiring(monitor, probes, owner, sink, destinations.size(), o, threadPrefix, announce);
    }

    /**
     * Starts probing through {@code server}'s own UDP socket (or, if it listens on TCP only, a UDP socket of its
     * own on the first listen host) and the two threads. Once; the caller's thread.
     *
     * @throws IOException if the fallback socket cannot be opened
     */
    void start(SipProxyServer server) throws IOException {
        String from;
        if (options.udpListen().isEmpty()) {
            InetSocketAddress host = new InetSocketAddress(options.tcpListen().get(0).getAddress(), 0);
            try {
                probes.bind(UdpProbeTransport.open(host));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            from = "a UDP socket of their own on " + host.getAddress().getHostAddress() + " (no UDP listen address)";
        } else {
            probes.bind(server.probeTransport());
            from = "the proxy's listening socket " + options.udpListen().get(0);
        }
        runner.start();
        tableWriter.start();
        if (!announce) {
            return;
        }
        LOG.info("health checking {} destination(s): OPTIONS every {} ms (timeout {} ms) from {}, plus passive "
            + "detection", destinationCount, options.probeIntervalMs, options.probeTimeoutMs, from);
    }

    /** Where the engine reports what real traffic saw. */
    ForwardingOutcomeListener outcomeListener() {
        return monitor.outcomeListener();
    }

    HealthMonitor monitor() {
        return monitor;
    }

    /** The routing table's single writer: applies queued health changes and publishes new snapshots. */
    private void writeTable(RoutingTableOwner owner, WakingHealthSink sink) {
        while (running) {
            try {
                sink.beforeWork();
                if (owner.doWork() == 0) {
                    sink.awaitWork();
                }
            } catch (RuntimeException e) {
                LOG.error("routing table duty cycle failed", e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        java.util.concurrent.locks.LockSupport.unpark(tableWriter);
        runner.close();
        tableWriter.join(TimeUnit.SECONDS.toMillis(5));
    }
}
