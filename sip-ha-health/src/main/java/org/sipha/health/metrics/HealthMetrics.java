package org.sipha.health.metrics;

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
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.sipha.health.DestinationHealthView;
import org.sipha.health.HealthMonitor;
import org.sipha.health.LatencySummary;

/**
 * Health checking's numbers as meters, read from the monitor's latest {@code HealthSnapshot} at scrape time:
 * per destination ({@code destination=<id>}) {@code sipha_health_healthy} (1 while the checks find it healthy),
 * {@code sipha_health_ejections_total}, {@code sipha_health_probe_latency_seconds{quantile}} and
 * {@code sipha_health_traffic_latency_seconds{quantile}} (0.5, 0.9, 0.99 and 1 for the maximum, from the
 * HdrHistogram of every sample since start) with their sample counts ({@code ..._samples_total}); per set
 * ({@code set=<name>}) {@code sipha_health_panic} (1 while it fails open); and
 * {@code sipha_health_outcomes_dropped_total}.
 *
 * <p>The destinations change when a set is replaced: {@link #refresh}, before each scrape, adds and removes
 * meters to match the snapshot. {@link #bindTo} once, then {@link #refresh} from any thread (serialised).
 */
public final class HealthMetrics implements MeterBinder {
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 1.0};
    private final HealthMonitor monitor;
    private final Map<String, List<Meter>> meters = new HashMap<>();
    private MeterRegistry registry;

    public HealthMetrics(HealthMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        FunctionCounter.builder("sipha.health.outcomes.dropped", monitor, HealthMonitor::droppedOutcomes)
                .description("forwarding outcomes health checking could not take in time (its queue was full)")
                .register(registry);
        refresh();
    }

    /** Brings the per-destination and per-set meters in line with the latest snapshot. Any thread; serialised. */
    public synchronized void refresh() {
        if (registry == null) {
            return;
        }
        Set<String> keys = new LinkedHashSet<>();
        for (DestinationHealthView v : monitor.snapshot().destinations().values()) {
            keys.add("d:" + v.id());
            keys.add("s:" + v.setName());
        }
        for (String k : keys) {
            meters.computeIfAbsent(k, x -> x.startsWith("d:") ? destination(x.substring(2)) : set(x.substring(2)));
        }
        meters.entrySet().removeIf(e -> {
            if (keys.contains(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
    }

    private List<Meter> set(String name) {
        return List.of(Gauge.builder(
                        "sipha.health.panic",
                        monitor,
                        m -> m.snapshot().panicSets().contains(name) ? 1 : 0)
                .description("1 while too many of the set's destinations fail and it fails open")
                .tag("set", name)
                .strongReference(true)
                .register(registry));
    }

    private List<Meter> destination(String id) {
        Tags tags = Tags.of("destination", id);
        List<Meter> out = new ArrayList<>();
        out.add(Gauge.builder("sipha.health.healthy", monitor, m -> view(m, id, v -> v.healthy() ? 1 : 0))
                .description("1 while the health checks find the destination healthy")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        out.add(FunctionCounter.builder("sipha.health.ejections", monitor, m -> view(m, id, v -> v.ejections()))
                .description("passive ejections of the destination")
                .tags(tags)
                .register(registry));
        latency(out, tags, "probe", id, true);
        latency(out, tags, "traffic", id, false);
        return out;
    }

    private void latency(List<Meter> out, Tags tags, String kind, String id, boolean probe) {
        for (double q : QUANTILES) {
            out.add(Gauge.builder(
                            "sipha.health." + kind + ".latency",
                            monitor,
                            m -> view(m, id, v -> quantileSeconds(probe ? v.probeLatency() : v.trafficLatency(), q)))
                    .description(kind + " round-trip time of the destination since start, by quantile (1: maximum)")
                    .baseUnit("seconds")
                    .tags(tags)
                    .tag("quantile", q == 1.0 ? "1" : Double.toString(q))
                    .strongReference(true)
                    .register(registry));
        }
        out.add(FunctionCounter.builder(
                        "sipha.health." + kind + ".latency.samples",
                        monitor,
                        m -> view(m, id, v -> (probe ? v.probeLatency() : v.trafficLatency()).count()))
                .description(kind + " round-trip times recorded for the destination")
                .tags(tags)
                .register(registry));
    }

    private static double quantileSeconds(LatencySummary s, double q) {
        if (s.count() == 0) {
            return Double.NaN;
        }
        long ns = q == 0.5 ? s.p50Ns() : q == 0.9 ? s.p90Ns() : q == 0.99 ? s.p99Ns() : s.maxNs();
        return ns / 1e9;
    }

    private static double view(HealthMonitor m, String id, ToDoubleFunction<DestinationHealthView> f) {
        DestinationHealthView v = m.snapshot().destination(id);
        return v == null ? Double.NaN : f.applyAsDouble(v);
    }
}
