package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.health.HealthChecking;

/**
 * The reference proxy with its admin endpoint, wired in process as {@link ReferenceProxy#main} wires them
 * (routing table, health checking, engine, {@link AdminWiring}), without the warm-up, plus an HTTP client for the
 * endpoint and a reader of its Prometheus text. Test-only; the test's thread.
 */
final class AdminProxyFixture implements AutoCloseable {
    final ProxyOptions options;
    final RoutingTableOwner owner;
    final RoutingTableWriter writer;
    final HealthChecking health;
    final SipProxyServer server;
    final AdminWiring admin;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AdminProxyFixture(String... args) throws IOException {
        options = ProxyOptions.parse(args);
        admin = AdminWiring.prepare(options);
        owner = ReferenceProxy.routingTable(options);
        DispatcherNextHopSelector selector = new DispatcherNextHopSelector(owner, 1);
        writer = options.health ? new RoutingTableWriter(owner, "sipha-routing-table") : null;
        health = options.health
                ? ReferenceProxy.healthChecking(
                        options, writer, selector, "sipha-health", null, AdminWiring.healthListener(admin))
                : null;
        server = SipProxyServer.start(ReferenceProxy.config(
                options, selector, health == null ? ForwardingOutcomeListener.NONE : health.outcomeListener()));
        if (health != null) {
            ReferenceProxy.startHealth(health, writer, options, server);
        }
        admin.attach(new AdminWiring.Parts(options, owner, writer, selector, health, server, null, null, null));
    }

    /** Starts it with the reference proxy's command-line {@code args} (which must enable the endpoint). */
    static AdminProxyFixture start(String... args) throws IOException {
        return new AdminProxyFixture(args);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(admin.url() + path.substring(1)))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin.url() + path.substring(1)))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The scrape's value of {@code series} (name and labels exactly as exposed, labels sorted), or NaN if absent. */
    double metric(String series) throws IOException, InterruptedException {
        return value(get("/metrics").body(), series);
    }

    static double value(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    /** Bounded poll for an external condition (not a timing assertion). */
    static void await(BooleanSupplier condition, long timeoutMs, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(failure + " (waited " + timeoutMs + " ms)");
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        admin.close();
        server.close();
        if (health != null) {
            health.close();
            writer.close();
        }
    }
}
