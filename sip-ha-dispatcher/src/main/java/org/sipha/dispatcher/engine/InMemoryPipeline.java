package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A harness for benchmarks and tests, not for production: the forwarding engine's message path without sockets.
 * One event loop's handler (the same classes every loop of a {@link SipProxyServer} runs) is fed datagrams by the
 * caller and hands what it sends to an {@link Output}. Every step a UDP message takes in production runs here
 * (framing, validation, access list, selection, call table, splicing edits, the Record-Route token, encoding into a
 * pooled buffer); only the socket calls and Netty's datagram envelopes are left out. Time is the configuration's
 * {@link ProxyConfig#clock()}, so a test can move the timers by hand.
 *
 * <h2>Threading</h2>
 * Not thread-safe: one thread drives an instance (it plays the event loop).
 */
public final class InMemoryPipeline implements AutoCloseable {
    /** Receives each message the engine sends, and takes over the buffer (it must release it). */
    @FunctionalInterface
    public interface Output {
        void send(ByteBuf message, InetSocketAddress to, boolean overTcp);
    }

    private final LoopChannelHandler worker;
    private final EngineCounters counters;

    /** A pipeline with {@code cfg} (its listen addresses are not bound; its selector and timers are used). */
    public InMemoryPipeline(ProxyConfig cfg, Output output) {
        Objects.requireNonNull(output, "output");
        this.worker = new LoopChannelHandler(0, Objects.requireNonNull(cfg, "config"), null, output);
        this.counters = new EngineCounters(new LoopChannelHandler[] {worker}, cfg.selector());
    }

    /** What this pipeline counted (see {@link SipProxyServer#counters()}). */
    public EngineCounters counters() {
        return counters;
    }

    /**
     * Processes one datagram from {@code sender}, as the event loop would on a read; its readable bytes are
     * not consumed and it stays owned by the caller. Messages produced reach the output before this returns.
     */
    public void receive(ByteBuf datagram, InetSocketAddress sender) {
        worker.handle(null, datagram, sender, null);
    }

    /** Runs the timers (failover, retransmission, ringing, expiry of finished calls), as the loop does every few ms. */
    public void tick() {
        worker.tick();
    }

    /**
     * Frees the calls in flight (their stored INVITEs go back to Netty's pool); datagrams received afterwards are
     * ignored and timers do nothing.
     */
    @Override
    public void close() {
        worker.close();
    }

    /** Calls not yet answered finally. */
    public int activeCalls() {
        return worker.activeCalls();
    }

    /** Responses dropped because their branch did not verify (see {@link SipProxyServer#forgedResponsesDropped}). */
    long forgedResponses() {
        return worker.forgedResponses();
    }

    /** In-dialog requests refused (see {@link SipProxyServer#relayAttemptsRefused}). */
    long refusedRelays() {
        return worker.refusedRelays();
    }

    /** Messages dropped, or new calls answered 503 by a bound, for {@code reason}. */
    public long refusals(Refusal reason) {
        return worker.refusals(reason);
    }
}
