package org.sipha.dispatcher.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.DestinationEntry;
import org.sipha.dispatcher.DestinationRuntime;
import org.sipha.dispatcher.DestinationSet;
import org.sipha.dispatcher.RoutingTable;
import org.sipha.dispatcher.engine.EngineCounters;

/**
 * Every destination of the routing table as meters, tagged {@code destination=<id>}, read at scrape time from the
 * current table, its {@link DestinationRuntime}s and (if given) the engine's per-loop counters:
 * {@code sipha_destination_state{state}} (1 for its current state: active, inactive, probing, disabled),
 * {@code sipha_destination_weight}, {@code sipha_destination_leases} (calls counted against it now),
 * {@code sipha_destination_leases_acquired_total}, {@code sipha_destination_leases_refused_total} (at its
 * maxload), {@code sipha_destination_latency_ewma_seconds}, and with the engine
 * {@code sipha_destination_forwarded_total} and {@code sipha_destination_responses_total{class}}; plus
 * {@code sipha_routing_table_version}.
 *
 * <p>The destinations change with reloads: {@link #refresh} (called by whoever scrapes, before each scrape) adds
 * the meters of new ids and removes those of ids no longer configured. {@link #bindTo} once, then {@link #refresh}
 * from any thread (calls are serialised).
 */
public final class DestinationMetrics implements MeterBinder {
    private static final DestinationState[] STATES = DestinationState.values();
    private final Supplier<RoutingTable> tables;
    private final EngineCounters engine;
    private final Map<String, List<Meter>> meters = new HashMap<>();
    private MeterRegistry registry;

    /**
     * @param tables the current routing table (e.g. {@code RoutingTableOwner::table})
     * @param engine the engine's counters, or null when no engine forwards through these tables
     */
    public DestinationMetrics(Supplier<RoutingTable> tables, EngineCounters engine) {
        this.tables = tables;
        this.engine = engine;
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("sipha.routing.table.version", tables, t -> t.get().version())
                .description("version of the routing table snapshot in use; each reload or state change adds one")
                .strongReference(true)
                .register(registry);
        refresh();
    }

    /** Brings the per-destination meters in line with the current table. Any thread; serialised. */
    public synchronized void refresh() {
        if (registry == null) {
            return;
        }
        Set<String> ids = ids(tables.get());
        for (String id : ids) {
            meters.computeIfAbsent(id, this::register);
        }
        meters.entrySet().removeIf(e -> {
            if (ids.contains(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
    }

    private static Set<String> ids(RoutingTable table) {
        Set<String> ids = new LinkedHashSet<>();
        for (int setId : table.setIds()) {
            DestinationSet set = table.set(setId);
            for (int i = 0; i < set.size(); i++) {
                ids.add(set.entry(i).destination().id());
            }
        }
        return ids;
    }

    private List<Meter> register(String id) {
        Tags tags = Tags.of("destination", id);
        List<Meter> out = new ArrayList<>();
        for (DestinationState s : STATES) {
            out.add(Gauge.builder("sipha.destination.state", this, m -> m.state(id) == s ? 1 : 0)
                    .description("1 for the destination's current state in the routing table")
                    .tags(tags)
                    .tag("state", s.name().toLowerCase(Locale.ROOT))
                    .strongReference(true)
                    .register(registry));
        }
        out.add(Gauge.builder("sipha.destination.weight", this, m -> {
                    DestinationEntry e = m.tables.get().entry(id);
                    return e == null ? Double.NaN : e.destination().weight();
                })
                .description("configured weight")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        out.add(Gauge.builder("sipha.destination.leases", this, m -> runtimeValue(m, id, 0))
                .description("calls counted against the destination now (an answered call counts for call-hold)")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        out.add(FunctionCounter.builder("sipha.destination.leases.acquired", this, m -> runtimeValue(m, id, 1))
                .description("calls counted against the destination since it was configured")
                .tags(tags)
                .register(registry));
        out.add(FunctionCounter.builder("sipha.destination.leases.refused", this, m -> runtimeValue(m, id, 2))
                .description("calls not sent to the destination because it was at its maxload")
                .tags(tags)
                .register(registry));
        out.add(Gauge.builder("sipha.destination.latency.ewma", this, m -> runtimeValue(m, id, 3))
                .description("moving average of the destination's probe round-trip time")
                .baseUnit("seconds")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        if (engine != null) {
            out.add(FunctionCounter.builder("sipha.destination.forwarded", engine, c -> c.forwardedTo(id))
                    .description("initial requests forwarded to the destination (INVITE branches included)")
                    .tags(tags)
                    .register(registry));
            for (int k = 1; k <= 6; k++) {
                int cls = k;
                out.add(FunctionCounter.builder("sipha.destination.responses", engine, c -> c.responsesFrom(id, cls))
                        .description("responses of the destination to forwarded INVITEs (a final one once per branch)")
                        .tags(tags)
                        .tag("class", k + "xx")
                        .register(registry));
            }
        }
        return out;
    }

    private DestinationState state(String id) {
        return tables.get().state(id);
    }

    /** 0 live leases, 1 acquired, 2 refused, 3 latency EWMA in seconds; NaN for an id no longer configured. */
    private static double runtimeValue(DestinationMetrics m, String id, int which) {
        DestinationEntry e = m.tables.get().entry(id);
        if (e == null) {
            return Double.NaN;
        }
        DestinationRuntime r = e.runtime();
        return switch (which) {
            case 0 -> r.activeLeases();
            case 1 -> r.leasesAcquired();
            case 2 -> r.leasesRefused();
            default -> r.latencyEwmaNs() < 0 ? Double.NaN : r.latencyEwmaNs() / 1e9;
        };
    }
}
