package org.sipha.examples;

import java.net.InetSocketAddress;
import java.util.List;
import org.sipha.core.model.Destination;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingTable;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.galera.GaleraClientConfig;
import org.sipha.galera.GaleraQuorumClient;
import org.sipha.health.HealthChecking;

/**
 * Embedding sip-ha with library classes only: a forwarding engine that chooses among backends through the
 * dispatcher, health-checks them (OPTIONS from the proxy's own socket plus passive detection, slow start after
 * recovery) and, given a Galera cluster, answers new calls 503 while the site has no quorum. The body of
 * {@link #start} is the snippet in README.md's Embedding section (a test keeps the two the same).
 *
 * <p>Threading: {@link #start} and {@link #close} from any one thread; the accessors any thread.
 */
public final class EmbeddedProxy implements AutoCloseable {
    private final RoutingTableOwner table;
    private final SipProxyServer proxy;
    private final HealthChecking health;
    private final RoutingTableWriter tableWriter;
    private final GaleraQuorumClient quorum;

    private EmbeddedProxy(
            RoutingTableOwner table,
            SipProxyServer proxy,
            HealthChecking health,
            RoutingTableWriter tableWriter,
            GaleraQuorumClient quorum) {
        this.table = table;
        this.proxy = proxy;
        this.health = health;
        this.tableWriter = tableWriter;
        this.quorum = quorum;
    }

    /**
     * Starts a proxy on UDP {@code listen} that round-robins calls over {@code backends}.
     *
     * @param secret the Record-Route key's passphrase, shared by every proxy of the deployment
     * @param galera the site's Galera cluster, or null to take calls whatever its state
     * @throws IllegalStateException if {@code listen} cannot be bound
     */
    public static EmbeddedProxy start(
            InetSocketAddress listen, List<Destination> backends, String secret, GaleraClientConfig galera) {
        // embedding:start
        DestinationSetConfig.Builder set = DestinationSetConfig.builder(1).algorithm(Algorithm.ROUND_ROBIN);
        backends.forEach(set::add);
        RoutingTableOwner table = new RoutingTableOwner(
                DispatcherConfig.builder().set(set.build()).build());
        RoutingTableWriter tableWriter = new RoutingTableWriter(table, "routing-table"); // applies health changes
        DispatcherNextHopSelector selector = new DispatcherNextHopSelector(table, 1);
        HealthChecking health = HealthChecking.builder(backends)
                .sink(tableWriter.healthSink())
                .slowStart(selector::setTrafficShare)
                .build();
        SipProxyServer proxy = SipProxyServer.start(ProxyConfig.builder()
                .listenUdp(listen)
                .selector(selector)
                .outcomeListener(health.outcomeListener())
                .recordRouteSecret(secret)
                .build());
        tableWriter.start();
        health.start(proxy.probeTransport()); // OPTIONS leave from the proxy's own socket
        GaleraQuorumClient quorum = null;
        if (galera != null) { // new calls get 503 + Retry-After while the site's database has no quorum
            quorum = GaleraQuorumClient.start(galera);
            quorum.addSiteQuorumListener(proxy.quorumGate());
        }
        return new EmbeddedProxy(table, proxy, health, tableWriter, quorum);
        // embedding:end
    }

    /** The routing table's current snapshot: the destinations' states as selection sees them. */
    public RoutingTable routingTable() {
        return table.table();
    }

    /** The forwarding engine. */
    public SipProxyServer proxy() {
        return proxy;
    }

    /** Health checking of the backends (snapshots, operator commands). */
    public HealthChecking health() {
        return health;
    }

    /** Whether new calls are taken: true without Galera, else whether the site is quorate now. */
    public boolean siteQuorate() {
        return quorum == null || quorum.isSiteQuorate();
    }

    /** Stops everything {@link #start} started, the quorum client first and the table's writer last. */
    @Override
    public void close() {
        if (quorum != null) {
            quorum.close();
        }
        proxy.close();
        health.close();
        tableWriter.close();
    }
}
