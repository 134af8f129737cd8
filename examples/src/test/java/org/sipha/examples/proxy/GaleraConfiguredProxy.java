package org.sipha.examples.proxy;

import java.util.ArrayList;
import java.util.List;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.galera.config.ConfigWatchStatus;
import org.sipha.health.HealthChecking;

/**
 * The reference proxy with {@code --config-from-galera}, wired in process as {@link ReferenceProxy#main} wires it:
 * quorum client first, the starting version, routing table and its writer, health checking (unless
 * {@code --no-health}), the engine, the quorum gate, then the configuration watcher.
 */
final class GaleraConfiguredProxy implements AutoCloseable {
    final ProxyOptions options;
    final RoutingTableOwner owner;
    final SipProxyServer server;
    private final QuorumWiring quorum;
    private final GaleraConfigWiring config;
    private final RoutingTableWriter writer;
    private final HealthChecking health;

    private GaleraConfiguredProxy(
            ProxyOptions options,
            QuorumWiring quorum,
            GaleraConfigWiring config,
            RoutingTableOwner owner,
            RoutingTableWriter writer,
            HealthChecking health,
            SipProxyServer server) {
        this.options = options;
        this.quorum = quorum;
        this.config = config;
        this.owner = owner;
        this.writer = writer;
        this.health = health;
        this.server = server;
    }

    static GaleraConfiguredProxy start(String... args) throws Exception {
        ProxyOptions o = ProxyOptions.parse(args);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            QuorumWiring quorum = QuorumWiring.connect(o);
            opened.add(quorum);
            GaleraConfigWiring config = GaleraConfigWiring.prepare(o, quorum);
            opened.add(0, config);
            RoutingTableOwner owner = ReferenceProxy.routingTable(o);
            DispatcherNextHopSelector selector = new DispatcherNextHopSelector(owner, 1);
            String name = o.listen.get(0);
            RoutingTableWriter writer = new RoutingTableWriter(owner, "sipha-routing-table " + name);
            opened.add(writer);
            HealthChecking health =
                    o.health ? ReferenceProxy.healthChecking(o, writer, selector, "sipha-health " + name) : null;
            if (health != null) {
                opened.add(0, health);
            }
            SipProxyServer server = SipProxyServer.start(ReferenceProxy.config(
                    o, selector, health == null ? ForwardingOutcomeListener.NONE : health.outcomeListener()));
            opened.add(0, server);
            if (health != null) {
                ReferenceProxy.startHealth(health, writer, o, server);
            } else {
                writer.start();
            }
            quorum.gate(o, server);
            config.start(server, writer, health);
            return new GaleraConfiguredProxy(o, quorum, config, owner, writer, health, server);
        } catch (Exception | AssertionError e) {
            for (AutoCloseable c : opened) {
                c.close();
            }
            throw e;
        }
    }

    ConfigWatchStatus status() {
        return config.status();
    }

    boolean quorate() {
        return quorum.isQuorate();
    }

    /** The destination ids of the routing table in force. */
    List<String> destinationIds() {
        return owner.table().config().sets().get(1).destinations().stream()
                .map(d -> d.id())
                .toList();
    }

    @Override
    public void close() {
        config.close();
        server.close();
        if (health != null) {
            health.close();
        }
        writer.close();
        quorum.close();
    }
}
