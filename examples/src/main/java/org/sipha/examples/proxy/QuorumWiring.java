package org.sipha.examples.proxy;

import java.net.InetSocketAddress;
import org.sipha.core.spi.SiteQuorumSignal;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.galera.GaleraClientConfig;
import org.sipha.galera.GaleraQuorumClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the reference proxy follow its site's Galera quorum, as its options say, and logs every change: while no
 * database node of the site can be trusted for writes (CDRs and billing would be lost or refused), new calls are
 * answered 503 with the client's Retry-After hint ({@link SipProxyServer#quorumGate()}), so carriers retry at
 * another site; calls in progress go on. With {@code quorum-loss: ignore} the state is only logged. The quorum
 * client's event thread calls the listeners.
 */
final class QuorumWiring implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QuorumWiring.class);

    private final GaleraQuorumClient client;
    private volatile boolean quorate;

    private QuorumWiring(GaleraQuorumClient client) {
        this.client = client;
    }

    /** Starts polling the nodes in {@code o.galeraNodes} (the first is the local one) and drives {@code server}. */
    static QuorumWiring start(ProxyOptions o, SipProxyServer server) {
        QuorumWiring w = connect(o);
        w.gate(o, server);
        return w;
    }

    /**
     * Starts polling the nodes in {@code o.galeraNodes} (the first is the local one) before the proxy runs, e.g. to
     * read its configuration from the cluster; {@link #gate} then drives the proxy.
     */
    static QuorumWiring connect(ProxyOptions o) {
        return new QuorumWiring(GaleraQuorumClient.start(config(o)));
    }

    /**
     * The quorum client's configuration from {@code o}, validated; nothing is contacted.
     *
     * @throws IllegalArgumentException if a node address or figure is wrong
     */
    static GaleraClientConfig config(ProxyOptions o) {
        return configBuilder(o).build();
    }

    /** As {@link #config}, still open to changes. */
    static GaleraClientConfig.Builder configBuilder(ProxyOptions o) {
        GaleraClientConfig.Builder b = GaleraClientConfig.builder();
        int i = 1;
        for (String node : o.galeraNodes) {
            InetSocketAddress a = ProxyOptions.hostPort(node, "--galera-node");
            b.node("g" + i++, a.getHostString(), a.getPort());
        }
        return b.localNode("g1")
                .voters(o.galeraVoters > 0 ? o.galeraVoters : o.galeraNodes.size())
                .user(o.galeraUser)
                .password(o.galeraPassword())
                .database(o.galeraDatabase);
    }

    /** Makes {@code server} follow the site's quorum as {@code o} says, and logs every change. Once. */
    void gate(ProxyOptions o, SipProxyServer server) {
        boolean refuse = o.quorumLoss.equals("503");
        if (refuse) {
            client.addSiteQuorumListener(server.quorumGate());
        }
        client.addSiteQuorumListener(c -> onChange(c, refuse));
        LOG.info(
                "following Galera site quorum of {} (voters {}); on loss: {}",
                o.galeraNodes,
                o.galeraVoters > 0 ? o.galeraVoters : o.galeraNodes.size(),
                refuse ? "503 to new calls" : "log only");
    }

    /** The quorum client: its routing data source reads only from nodes it trusts; its meters. */
    GaleraQuorumClient client() {
        return client;
    }

    private void onChange(SiteQuorumSignal.Change c, boolean refuse) {
        quorate = c.quorate();
        if (c.quorate()) {
            LOG.info("site quorum: quorate ({}); taking new calls", c.reason());
        } else {
            LOG.warn(
                    "site quorum LOST ({}); {}",
                    c.reason(),
                    refuse
                            ? "new calls get 503 Retry-After " + c.retryAfterSecs()
                            : "quorum-loss=ignore: still taking calls");
        }
    }

    /** Also tells {@code listener} the site's quorum: at once, then every change (on the client's event thread). */
    void addListener(SiteQuorumSignal.Listener listener) {
        client.addSiteQuorumListener(listener);
    }

    /** The last state the quorum client reported. */
    boolean isQuorate() {
        return quorate;
    }

    @Override
    public void close() {
        client.close();
    }
}
