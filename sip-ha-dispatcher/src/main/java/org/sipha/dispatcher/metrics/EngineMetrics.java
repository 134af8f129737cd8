package org.sipha.dispatcher.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;
import org.sipha.core.message.SipMethod;
import org.sipha.dispatcher.engine.EngineCounters;
import org.sipha.dispatcher.engine.Failover;
import org.sipha.dispatcher.engine.Refusal;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.dispatcher.engine.TcpCounters;

/**
 * The forwarding engine's numbers as meters, read from its per-loop counters at scrape time (nothing is recorded
 * through Micrometer on the message path):
 * <ul>
 *   <li>{@code sipha_requests_total{method}}, {@code sipha_responses_sent_total{class}} (1xx to 6xx, relayed or
 *       the engine's own);</li>
 *   <li>{@code sipha_drops_total{reason}}: every {@link Refusal} by its label (unparseable, malformed,
 *       max-forwards, loop, bad-extension, access-list, request-rate, new-call-rate, calls-per-loop,
 *       call-bytes-per-loop, calls-per-source, handling-error, forged-response, in-dialog-refused,
 *       tcp-no-connection);</li>
 *   <li>{@code sipha_failovers_total{reason}}: timeout, code, ejection, ringing;</li>
 *   <li>{@code sipha_calls_in_flight}, {@code sipha_new_calls_refused} (1 while draining or refusing);</li>
 *   <li>{@code sipha_tcp_connections_open}, {@code sipha_tcp_connections_refused_total{reason}},
 *       {@code sipha_tcp_connections_closed_total{reason}}.</li>
 * </ul>
 * Bind once; any thread may scrape.
 */
public final class EngineMetrics implements MeterBinder {
    private final SipProxyServer server;

    public EngineMetrics(SipProxyServer server) {
        this.server = server;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        EngineCounters c = server.counters();
        for (SipMethod m : SipMethod.values()) {
            counter(registry, "sipha.requests", "SIP requests received", c, x -> x.requests(m), "method", m.name());
        }
        for (int k = 1; k <= 6; k++) {
            int cls = k;
            counter(
                    registry,
                    "sipha.responses.sent",
                    "SIP responses sent upstream, relayed or the proxy's own",
                    c,
                    x -> x.responsesSent(cls),
                    "class",
                    k + "xx");
        }
        String drops = "messages dropped, or answered with an error or a 503 by the proxy itself";
        for (Refusal r : Refusal.values()) {
            counter(registry, "sipha.drops", drops, c, x -> x.refusals(r), "reason", r.label());
        }
        for (Failover f : Failover.values()) {
            counter(
                    registry,
                    "sipha.failovers",
                    "call setups moved to another destination",
                    c,
                    x -> x.failovers(f),
                    "reason",
                    f.label());
        }
        Gauge.builder("sipha.calls.in.flight", c, EngineCounters::callsInFlight)
                .description("INVITE transactions without a final response yet")
                .strongReference(true)
                .register(registry);
        Gauge.builder("sipha.new.calls.refused", server, s -> s.newCallRefusal() == null ? 0 : 1)
                .description("1 while new calls are answered 503 (draining, or refused while the site lacks quorum)")
                .strongReference(true)
                .register(registry);
        bindTcp(registry, server.tcpCounters());
    }

    private static void bindTcp(MeterRegistry registry, TcpCounters t) {
        Gauge.builder("sipha.tcp.connections.open", t, TcpCounters::openAccepted)
                .description("accepted TCP connections open now")
                .strongReference(true)
                .register(registry);
        String refused = "TCP connections closed at accept";
        counter(
                registry,
                "sipha.tcp.connections.refused",
                refused,
                t,
                TcpCounters::refusedByAccessList,
                "reason",
                "access-list");
        counter(
                registry,
                "sipha.tcp.connections.refused",
                refused,
                t,
                TcpCounters::refusedOverTotalLimit,
                "reason",
                "total-limit");
        counter(
                registry,
                "sipha.tcp.connections.refused",
                refused,
                t,
                TcpCounters::refusedOverSourceLimit,
                "reason",
                "source-limit");
        String closed = "TCP connections closed by a bound";
        counter(registry, "sipha.tcp.connections.closed", closed, t, TcpCounters::closedIdle, "reason", "idle");
        counter(
                registry,
                "sipha.tcp.connections.closed",
                closed,
                t,
                TcpCounters::closedIncompleteMessage,
                "reason",
                "incomplete-message");
        counter(
                registry,
                "sipha.tcp.connections.closed",
                closed,
                t,
                TcpCounters::closedSlowReader,
                "reason",
                "slow-reader");
        counter(
                registry,
                "sipha.tcp.connections.closed",
                closed,
                t,
                TcpCounters::closedTooLarge,
                "reason",
                "too-large");
        counter(
                registry,
                "sipha.tcp.connections.closed",
                closed,
                t,
                TcpCounters::closedMalformed,
                "reason",
                "malformed");
    }

    private static <T> void counter(
            MeterRegistry registry,
            String name,
            String description,
            T source,
            ToDoubleFunction<T> value,
            String tag,
            String tagValue) {
        FunctionCounter.builder(name, source, value)
                .description(description)
                .tag(tag, tagValue)
                .register(registry);
    }
}
