package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.RoutingTableOwner;
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
 * <p>Gap: OPTIONS probes leave from their own UDP socket on the first listen address's host, not from the
 * proxy's listening socket, so an ACL that admits only the proxy's port would drop them.
 */
final class HealthWiring implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthWiring.class);
    private static final String SET = "1";

    private final HealthMonitor monitor;
    private final HealthMonitorRunner runner;
    private final Thread tableWriter;
    private volatile boolean running = true;

    private HealthWiring(HealthMonitor monitor, RoutingTableOwner owner, WakingHealthSink sink) {
        this.monitor = monitor;
        // 5 ms: the resolution of probe timers and passive ejection; finer only burns wake-ups
        this.runner = new HealthMonitorRunner(monitor, TimeUnit.MILLISECONDS.toNanos(5), "sipha-health");
        this.tableWriter = new Thread(() -> writeTable(owner, sink), "sipha-routing-table");
        this.tableWriter.setDaemon(true);
    }

    /**
     * Builds and starts health checking of {@code destinations} (the dispatcher set 1 of {@code owner}), probing
     * with OPTIONS from {@code probeHost}.
     */
    static HealthWiring start(RoutingTableOwner owner, List<org.sipha.core.model.Destination> destinations,
                              String probeHost, ProxyOptions o) throws IOException {
        OptionsProbeConfig probes = OptionsProbeConfig.builder()
            .intervalNs(TimeUnit.MILLISECONDS.toNanos(o.probeIntervalMs))
            .timeoutNs(TimeUnit.MILLISECONDS.toNanos(o.probeTimeoutMs))
            .build();
        WakingHealthSink sink = new WakingHealthSink(owner.healthSink());
        HealthMonitor monitor = HealthMonitor.builder(HealthConfig.defaults())
            .addSet(SET, destinations, null)
            .sink(sink)
            .prober(probes, UdpProbeTransport.open(new InetSocketAddress(probeHost, 0)))
            .build();
        HealthWiring w = new HealthWiring(monitor, owner, sink);
        w.runner.start();
        w.tableWriter.start();
        LOG.info("health checking {} destination(s): OPTIONS every {} ms (timeout {} ms) plus passive detection",
            destinations.size(), o.probeIntervalMs, o.probeTimeoutMs);
        return w;
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
