package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.sipha.core.model.DestinationState;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.health.HealthChecking;

/**
 * The reference proxy wired as {@link ReferenceProxy#main} wires it (routing table, health checking, engine), in
 * process, plus a record of every outcome the engine reported to health checking, per destination and status.
 */
final class ProxyUnderTest implements AutoCloseable {
    static final int TIMEOUT = -1;
    static final int UNANSWERED = -2;

    final RoutingTableOwner owner;
    final RoutingTableWriter writer;
    final HealthChecking health;
    final DispatcherNextHopSelector selector;
    final SipProxyServer server;
    private final ConcurrentHashMap<String, LongAdder> outcomes = new ConcurrentHashMap<>();

    private ProxyUnderTest(String... args) throws IOException {
        ProxyOptions o = ProxyOptions.parse(args);
        owner = ReferenceProxy.routingTable(o);
        selector = new DispatcherNextHopSelector(owner, 1);
        writer = new RoutingTableWriter(owner, "sipha-routing-table");
        health = ReferenceProxy.healthChecking(o, writer, selector, "sipha-health");
        ForwardingOutcomeListener real = health.outcomeListener();
        SipProxyServer s = null;
        try {
            s = SipProxyServer.start(ReferenceProxy.config(o, selector, new ForwardingOutcomeListener() {
                @Override
                public void onResponse(InetSocketAddress destination, int statusCode, long latencyNs) {
                    count(destination, statusCode);
                    real.onResponse(destination, statusCode, latencyNs);
                }

                @Override
                public void onTimeout(InetSocketAddress destination, long waitedNs) {
                    count(destination, TIMEOUT);
                    real.onTimeout(destination, waitedNs);
                }

                @Override
                public void onUnanswered(InetSocketAddress destination, long waitedNs) {
                    count(destination, UNANSWERED);
                    real.onUnanswered(destination, waitedNs);
                }
            }));
            ReferenceProxy.startHealth(health, writer, o, s);
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            closeHealth();
            throw e;
        }
        server = s;
    }

    /** Starts it with the reference proxy's command-line {@code args}. */
    static ProxyUnderTest start(String... args) throws IOException {
        return new ProxyUnderTest(args);
    }

    private void count(InetSocketAddress destination, int code) {
        outcomes.computeIfAbsent(destination.getPort() + " " + code, k -> new LongAdder())
                .increment();
    }

    /** Outcomes with {@code code} ({@link #TIMEOUT}, {@link #UNANSWERED}) reported for the backend on {@code port}. */
    long outcomes(int port, int code) {
        LongAdder a = outcomes.get(port + " " + code);
        return a == null ? 0 : a.sum();
    }

    /** Final 2xx responses from the backend on {@code port}: calls it took. */
    long answered(int port) {
        long n = 0;
        for (int code = 200; code < 300; code++) {
            n += outcomes(port, code);
        }
        return n;
    }

    DestinationState state(String id) {
        return owner.table().state(id);
    }

    void awaitState(String id, DestinationState want, long timeoutMs) throws InterruptedException {
        await(() -> state(id) == want, timeoutMs, () -> id + " did not become " + want + "; it is " + state(id));
    }

    /** Bounded poll for an external condition (not a timing assertion). */
    static void await(BooleanSupplier condition, long timeoutMs, java.util.function.Supplier<String> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(failure.get() + " (waited " + timeoutMs + " ms)");
            }
            Thread.sleep(20);
        }
    }

    private void closeHealth() {
        health.close();
        writer.close();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        closeHealth();
    }
}
