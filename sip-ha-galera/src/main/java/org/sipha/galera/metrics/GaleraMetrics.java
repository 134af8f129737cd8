package org.sipha.galera.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.sipha.galera.ClusterView;
import org.sipha.galera.GaleraNode;
import org.sipha.galera.GaleraQuorumClient;
import org.sipha.galera.GaleraRoutingDataSource;

/**
 * The Galera client's numbers as meters, read at scrape time: {@code sipha_galera_quorate} (1 while a node of the
 * site is trusted for writes), {@code sipha_galera_node_up{node}}, the routing data source's counters
 * ({@code sipha_galera_demotions_total}, {@code sipha_galera_backoff_retries_total},
 * {@code sipha_galera_unknown_outcomes_total}, {@code sipha_galera_probe_hits_total},
 * {@code sipha_galera_busy_skips_total}); and HikariCP's own pool metrics ({@code hikaricp_connections...},
 * tagged {@code pool=galera-<node>}), which its pools record into the registry from then on. Bind once (HikariCP
 * takes one registry per pool); any thread may scrape.
 */
public final class GaleraMetrics implements MeterBinder {
    private final GaleraQuorumClient client;

    public GaleraMetrics(GaleraQuorumClient client) {
        this.client = client;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("sipha.galera.quorate", client, c -> c.isSiteQuorate() ? 1 : 0)
                .description("1 while at least one database node of the site is trusted for writes")
                .strongReference(true)
                .register(registry);
        for (GaleraNode n : client.config().nodes()) {
            Gauge.builder("sipha.galera.node.up", client, c -> up(c.view(), n.name()))
                    .description("1 while the node is trusted for writes")
                    .tag("node", n.name())
                    .strongReference(true)
                    .register(registry);
        }
        GaleraRoutingDataSource ds = client.dataSource();
        counter(
                registry,
                "sipha.galera.demotions",
                "nodes demoted at once by an error seen on them",
                ds,
                GaleraRoutingDataSource::demotions);
        counter(
                registry,
                "sipha.galera.backoff.retries",
                "units of work rerun after a deadlock or lock wait",
                ds,
                GaleraRoutingDataSource::backoffRetries);
        counter(
                registry,
                "sipha.galera.unknown.outcomes",
                "commits whose outcome was unknown",
                ds,
                GaleraRoutingDataSource::unknownOutcomes);
        counter(
                registry,
                "sipha.galera.probe.hits",
                "unknown commits found applied by their probe",
                ds,
                GaleraRoutingDataSource::probeHits);
        counter(
                registry,
                "sipha.galera.busy.skips",
                "nodes skipped because their pool was exhausted",
                ds,
                GaleraRoutingDataSource::busySkips);
        ds.setPoolMetricRegistry(registry);
    }

    private static double up(ClusterView view, String node) {
        ClusterView.NodeView v = view == null ? null : view.node(node);
        return v != null && v.up() ? 1 : 0;
    }

    private static void counter(
            MeterRegistry registry,
            String name,
            String description,
            GaleraRoutingDataSource ds,
            java.util.function.ToDoubleFunction<GaleraRoutingDataSource> f) {
        FunctionCounter.builder(name, ds, f).description(description).register(registry);
    }
}
