package org.sipha.examples.proxy;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sipha.core.model.Destination;
import org.sipha.dispatcher.RoutingDiff;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.RecordRouteKeyRing;
import org.sipha.dispatcher.engine.RecordRouteKeys;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.galera.config.ConfigDiff;
import org.sipha.galera.config.ConfigVersion;
import org.sipha.galera.config.ConfigWatchStatus;
import org.sipha.galera.config.ConfigWatcher;
import org.sipha.galera.config.GaleraConfigStore;
import org.sipha.health.HealthChecking;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --config-from-galera FILE}: the reference proxy runs on the cluster's configuration version in force and
 * follows every new one. {@link #prepare} (before anything is built from the options) reads the version to start
 * with, from the database through the quorum client or else from FILE, and makes the options describe it;
 * {@link #start} then has a {@link ConfigWatcher} apply each newer version as a whole: the routing table is
 * reloaded on its writer thread (state, leases and calls in flight kept), health checking takes the new members,
 * and the Record-Route keys are published to the engine's key ring. A version the proxy could not run is refused
 * ({@link RoutingFromVersion}) and the last good one stays.
 *
 * <p>Threading: {@link #prepare} and {@link #start} on the thread that starts the proxy; versions are applied on
 * the watcher's thread; {@link #status()} and {@link #close()} any thread.
 */
final class GaleraConfigWiring implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GaleraConfigWiring.class);
    private static final long RELOAD_TIMEOUT_MS = 5_000;

    private final ProxyOptions options;
    private final ConfigWatcher watcher;
    private final ConfigVersion initial;
    /** The keys when a version has no secret: the options' own, or the key the engine was built with. */
    private final String ownSecret;

    private final String ownPreviousSecret;
    private SipProxyServer server;
    private RoutingTableWriter writer;
    private HealthChecking health;
    private RecordRouteKeys builtKeys;
    /** Watcher thread: the members health checking runs on. */
    private List<Destination> checked;

    private GaleraConfigWiring(ProxyOptions o, ConfigWatcher watcher, ConfigVersion initial) {
        this.options = o;
        this.watcher = watcher;
        this.initial = initial;
        this.ownSecret = o.recordRouteSecret();
        this.ownPreviousSecret = o.recordRoutePreviousSecret();
    }

    /**
     * Reads the version to start with (waiting up to {@code --config-start-wait-ms} for a trusted node, else the
     * local copy) and makes {@code o} describe it.
     *
     * @throws IllegalStateException if there is no usable version in the cluster nor in the local copy
     */
    static GaleraConfigWiring prepare(ProxyOptions o, QuorumWiring quorum) throws InterruptedException {
        GaleraConfigStore store = new GaleraConfigStore(quorum.client().dataSource());
        ConfigWatcher watcher = ConfigWatcher.create(
                store,
                o.galeraConfig.copyFile(),
                v -> RoutingFromVersion.readForThisProxy(v, o),
                o.galeraConfig.pollMs());
        ConfigVersion initial = watcher.startingVersion(o.galeraConfig.startWaitMs())
                .orElseThrow(() -> new IllegalStateException("--config-from-galera: no usable configuration version,"
                        + " neither in the cluster (" + watcher.status().lastPollError() + ", refused: "
                        + watcher.status().refusedReason() + ") nor in " + o.galeraConfig.copyFile()
                        + "; publish one with: java -jar sip-ha-proxy.jar config push dispatcher.list --galera-node"
                        + " ..."));
        GaleraConfigWiring w = new GaleraConfigWiring(o, watcher, initial);
        RoutingFromVersion routing;
        try {
            routing = RoutingFromVersion.readForThisProxy(initial, o);
        } catch (org.sipha.galera.config.ConfigRefusedException e) {
            throw new IllegalStateException("--config-from-galera: " + e.getMessage(), e); // validated already
        }
        routing.warnings().forEach(m -> LOG.warn("configuration version {}: {}", initial.number(), m));
        logOtherSets(routing, o);
        routing.applyTo(o);
        w.checked = routing.destinations();
        return w;
    }

    /**
     * Follows the cluster from now on: newer versions reload {@code writer}'s table (started by the caller),
     * replace {@code health}'s members (null: no health checking) and {@code server}'s Record-Route keys.
     */
    void start(SipProxyServer server, RoutingTableWriter writer, HealthChecking health) {
        this.server = server;
        this.writer = writer;
        this.health = health;
        this.builtKeys = server.recordRouteKeys().keys();
        watcher.start(initial, this::apply);
        LOG.info(
                "following the configuration in the Galera cluster: version {} in force, polled every {} ms,"
                        + " last good version kept in {}",
                initial.number(),
                options.galeraConfig.pollMs(),
                options.galeraConfig.copyFile());
    }

    /** Puts {@code next} in force: routing table, health members, keys. Watcher thread. */
    private void apply(ConfigVersion next, ConfigVersion previous, ConfigDiff diff) throws Exception {
        RoutingFromVersion routing = RoutingFromVersion.readForThisProxy(next, options);
        routing.warnings().forEach(m -> LOG.warn("configuration version {}: {}", next.number(), m));
        logOtherSets(routing, options);
        RoutingDiff table = writer.reload(
                        ReferenceProxy.dispatcherConfig(options, routing.destinations(), routing.states()))
                .get(RELOAD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (health != null && !checked.equals(routing.destinations())) {
            try { // the table is reloaded by now: a health checker that cannot follow is warned about, not fatal
                health.replaceDestinations(routing.destinations()).get(RELOAD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                checked = routing.destinations();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn(
                        "health checking did not take the members of version {} ({}); the next version retries",
                        next.number(),
                        e instanceof ExecutionException ? e.getCause().getMessage() : "no answer in time");
            }
        }
        RecordRouteKeys keys = keys(routing);
        RecordRouteKeyRing ring = server.recordRouteKeys();
        if (!keys.equals(ring.keys())) {
            ring.publish(keys);
            LOG.info("Record-Route keys now {}", keys);
        }
        if (!table.isEmpty()) {
            LOG.info("routing table reloaded for version {}: {}", next.number(), table);
        }
    }

    private static void logOtherSets(RoutingFromVersion routing, ProxyOptions o) {
        String note = routing.otherSetsNote(o.routeSet);
        if (note != null) {
            LOG.info("{}", note);
        }
    }

    private RecordRouteKeys keys(RoutingFromVersion routing) {
        if (routing.secret() != null) {
            return RecordRouteKeys.fromSecrets(routing.secret(), routing.previousSecret());
        }
        if (ownSecret != null) {
            return RecordRouteKeys.fromSecrets(ownSecret, ownPreviousSecret);
        }
        return builtKeys; // loopback only: the engine's own random key
    }

    /** What the watcher last did: the version in force, a refused one and why, poll failures. Any thread. */
    ConfigWatchStatus status() {
        return watcher.status();
    }

    @Override
    public void close() {
        watcher.close();
    }
}
