package org.sipha.anycast.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.function.Supplier;
import org.sipha.anycast.AnycastState;
import org.sipha.anycast.AnycastStatus;
import org.sipha.anycast.RouteAnnouncement;

/**
 * The anycast decision as meters, read from its latest {@link AnycastStatus} at scrape time:
 * {@code sipha_anycast_state{state}} (1 for the current state: init, up, draining, withdrawn, disabled),
 * {@code sipha_anycast_applied{announcement}} (1 for what the routing daemon was last confirmed to do: announce,
 * drain, withdraw; all 0 while unknown), {@code sipha_anycast_transitions_total} and
 * {@code sipha_anycast_damping_penalty}. Bind once; any thread may scrape.
 */
public final class AnycastMetrics implements MeterBinder {
    private final Supplier<AnycastStatus> status;

    /** @param status the decision's latest snapshot, e.g. {@code AnycastController::status} */
    public AnycastMetrics(Supplier<AnycastStatus> status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (AnycastState s : AnycastState.values()) {
            Gauge.builder("sipha.anycast.state", status, x -> x.get().state() == s ? 1 : 0)
                    .description("1 for the anycast decision's current state")
                    .tag("state", s.name().toLowerCase(Locale.ROOT))
                    .strongReference(true)
                    .register(registry);
        }
        for (RouteAnnouncement a : RouteAnnouncement.values()) {
            Gauge.builder("sipha.anycast.applied", status, x -> x.get().applied() == a ? 1 : 0)
                    .description("1 for what the routing daemon was last confirmed to do with the prefix")
                    .tag("announcement", a.name().toLowerCase(Locale.ROOT))
                    .strongReference(true)
                    .register(registry);
        }
        FunctionCounter.builder(
                        "sipha.anycast.transitions", status, x -> x.get().transitions())
                .description("state transitions of the anycast decision")
                .register(registry);
        Gauge.builder("sipha.anycast.damping.penalty", status, x -> x.get().dampingPenalty())
                .description("flap-damping penalty")
                .strongReference(true)
                .register(registry);
    }
}
