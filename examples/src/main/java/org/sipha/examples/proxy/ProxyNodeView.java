package org.sipha.examples.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sipha.admin.DestinationStatus;
import org.sipha.admin.NodeStatus;
import org.sipha.admin.NodeView;
import org.sipha.admin.Readiness;
import org.sipha.admin.SetStatus;
import org.sipha.admin.StateChangeLog;
import org.sipha.anycast.AnycastState;
import org.sipha.anycast.AnycastStatus;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.DestinationEntry;
import org.sipha.dispatcher.DestinationSet;
import org.sipha.dispatcher.RoutingTable;
import org.sipha.health.AdminState;
import org.sipha.health.DestinationHealthView;
import org.sipha.health.HealthSnapshot;
import org.sipha.health.LatencySummary;

/**
 * What the admin endpoint shows of the reference proxy, read from its parts' snapshots: the routing table, health
 * checking's snapshot, the engine's counters, the anycast decision and the quorum client's last state. Ready means
 * new calls should come here: not drained, not refusing for lost quorum, announced if it is a site node, and with
 * a usable destination. Any thread; nothing here blocks.
 */
final class ProxyNodeView implements NodeView {
    private static final int RECENT_CHANGES = 50;

    private final AdminWiring.Parts parts;
    private final ProxyNodeActions actions;
    private final DestinationListReload reload;
    private final StateChangeLog log;
    private final AdminWiring.QuorumState quorum;

    ProxyNodeView(
            AdminWiring.Parts parts,
            ProxyNodeActions actions,
            DestinationListReload reload,
            StateChangeLog log,
            AdminWiring.QuorumState quorum) {
        this.parts = parts;
        this.actions = actions;
        this.reload = reload;
        this.log = log;
        this.quorum = quorum;
    }

    /** The configuration version in force: Galera's with --config-from-galera, else the reload count. */
    private long configVersion() {
        GaleraConfigWiring g = parts.galeraConfig();
        return g == null ? reload.version() : g.status().appliedVersion();
    }

    private String configSource() {
        GaleraConfigWiring g = parts.galeraConfig();
        return g == null
                ? reload.source()
                : "the Galera cluster (version from " + g.status().appliedFrom() + ")";
    }

    @Override
    public Readiness readiness() {
        String refusal = parts.server().newCallRefusal();
        if (actions.nodeDrained() || "draining".equals(refusal)) {
            return new Readiness(false, "draining");
        }
        if (refusal != null) {
            return new Readiness(false, "new calls refused: the site's database has no quorum");
        }
        if (parts.site() != null) {
            AnycastStatus s = parts.site().status();
            if (s.state() != AnycastState.UP) {
                return new Readiness(false, "anycast " + word(s.state().name()) + ": " + s.cause());
            }
        }
        DestinationSet set = parts.owner().table().set(parts.options().routeSet);
        if (set == null || set.activeCount() == 0) {
            return new Readiness(false, "no usable destination");
        }
        if (quorum != null && !quorum.quorate()) {
            return new Readiness(true, "taking new calls; the site's database has no quorum (quorum-loss: ignore)");
        }
        return new Readiness(true, "taking new calls");
    }

    @Override
    public NodeStatus status() {
        RoutingTable table = parts.owner().table();
        HealthSnapshot health = parts.health() == null ? null : parts.health().snapshot();
        List<SetStatus> sets = new ArrayList<>();
        for (int id : table.setIds()) {
            DestinationSet set = table.set(id);
            List<DestinationStatus> members = new ArrayList<>();
            for (int i = 0; i < set.size(); i++) {
                members.add(destination(set.entry(i), health));
            }
            boolean panic = health != null && health.panicSets().contains(Integer.toString(id));
            sets.add(new SetStatus(Integer.toString(id), word(set.algorithm().name()), panic, members));
        }
        Readiness r = readiness();
        String refusal = parts.server().newCallRefusal();
        return new NodeStatus(
                node(),
                r,
                actions.nodeDrained() || "draining".equals(refusal),
                configVersion(),
                configSource(),
                table.version(),
                parts.server().counters().callsInFlight(),
                anycast(),
                quorum == null
                        ? null
                        : new NodeStatus.Quorum(
                                quorum.quorate(), quorum.reason(), "refusing new calls".equals(refusal)),
                sets,
                log.recent(RECENT_CHANGES));
    }

    private DestinationStatus destination(DestinationEntry e, HealthSnapshot health) {
        String id = e.destination().id();
        DestinationHealthView h = health == null ? null : health.destination(id);
        DestinationState state = e.state();
        String admin;
        if (h != null && h.admin() != AdminState.ENABLED) {
            admin = word(h.admin().name());
        } else if (health == null) {
            admin = actions.operatorState(id);
        } else {
            admin = state == DestinationState.DISABLED ? "disabled" : "enabled"; // e.g. a dispatcher.list flag
        }
        LatencySummary probe = h == null ? LatencySummary.EMPTY : h.probeLatency();
        LatencySummary traffic = h == null ? LatencySummary.EMPTY : h.trafficLatency();
        return new DestinationStatus(
                id,
                e.destination().uri(),
                e.destination().weight(),
                e.destination().priority(),
                word(state.name()),
                admin,
                h == null ? state == DestinationState.ACTIVE : h.healthy(),
                e.runtime().activeLeases(),
                parts.server().counters().forwardedTo(id),
                ms(probe, probe.p50Ns()),
                ms(probe, probe.p99Ns()),
                ms(traffic, traffic.p50Ns()),
                ms(traffic, traffic.p99Ns()),
                log.last(id));
    }

    private NodeStatus.Anycast anycast() {
        SiteNode site = parts.site();
        if (site == null) {
            return null;
        }
        AnycastStatus s = site.status();
        return new NodeStatus.Anycast(
                site.prefix(),
                word(s.state().name()),
                s.applied() == null ? "unknown" : word(s.applied().name()),
                s.cause(),
                s.transitions());
    }

    private String node() {
        ProxyOptions o = parts.options();
        return String.join(" ", o.listen) + (o.advertise == null ? "" : " (advertised as " + o.advertise + ")");
    }

    private static double ms(LatencySummary s, long ns) {
        return s.count() == 0 ? Double.NaN : ns / 1e6;
    }

    private static String word(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
