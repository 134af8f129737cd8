package org.sipha.dispatcher.engine;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The event loops (threads and their I/O handler) the forwarding engine runs on. One {@link SipProxyServer}
 * creates its own by default; pass one to {@link SipProxyServer#start(ProxyConfig, EngineLoops)} to run several
 * engines one after another on the same threads, so a warm-up engine leaves the real one JIT-compiled code and
 * thread-local pools that were made on those very threads.
 *
 * <p>Any thread may call every method. Closing stops the threads; close the engines that use them first.
 */
public final class EngineLoops implements AutoCloseable {
    private final SocketLayer layer;
    private final MultiThreadIoEventLoopGroup group;
    private final List<EventLoop> loops;
    private final int coalesceMicros;

    private EngineLoops(SocketLayer layer, int count, int coalesceMicros) {
        this.layer = layer;
        this.coalesceMicros = coalesceMicros;
        this.group = new MultiThreadIoEventLoopGroup(
                count, new DefaultThreadFactory("sip-ha-udp", true), layer.ioHandlers(coalesceMicros * 1_000L));
        List<EventLoop> l = new ArrayList<>(count);
        for (EventExecutor e : group) {
            l.add((EventLoop) e);
        }
        this.loops = List.copyOf(l);
    }

    /**
     * Starts {@code eventLoops} threads on {@code transport} (NIO gets one: a UDP port cannot be shared there)
     * that wait for I/O without a coalescing window.
     *
     * @throws IllegalArgumentException if {@code eventLoops} is not in [1, 64]
     * @throws IllegalStateException if a native transport asked for by name is not available here
     */
    public static EngineLoops start(IoTransport transport, int eventLoops) {
        return start(transport, eventLoops, 0);
    }

    /**
     * As {@link #start(IoTransport, int)}, with a coalescing window of {@code coalesceMicros} (0 = none; see
     * {@link ProxyConfig#coalesceMicros()}).
     *
     * @throws IllegalArgumentException if {@code eventLoops} is not in [1, 64] or {@code coalesceMicros} not in
     *     [0, {@value ProxyConfig#MAX_COALESCE_MICROS}]
     * @throws IllegalStateException if a native transport asked for by name is not available here
     */
    public static EngineLoops start(IoTransport transport, int eventLoops, int coalesceMicros) {
        if (eventLoops < 1 || eventLoops > 64) {
            throw new IllegalArgumentException("event-loops must be in [1, 64], got " + eventLoops);
        }
        ProxyConfig.requireCoalesceMicros(coalesceMicros);
        SocketLayer layer = SocketLayer.resolve(transport);
        return new EngineLoops(layer, layer.sharesPorts ? eventLoops : 1, coalesceMicros);
    }

    /** The loops of {@code cfg}: its transport, number of loops and coalescing window. */
    public static EngineLoops start(ProxyConfig cfg) {
        return start(cfg.transport(), cfg.eventLoops(), cfg.coalesceMicros());
    }

    /** What the requested transport resolved to on this machine. */
    public IoTransport transport() {
        return layer.transport;
    }

    /** Number of loops (and of sockets an engine opens per UDP listen address). */
    public int size() {
        return loops.size();
    }

    /** The loops' coalescing window in microseconds (0 = none). */
    public int coalesceMicros() {
        return coalesceMicros;
    }

    /**
     * Runs {@code task} on loop {@code index} at its next turn: for checks from outside the message path, such
     * as whether each loop still runs tasks at all. Any thread.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the loops are shut down
     */
    public void execute(int index, Runnable task) {
        loops.get(index).execute(task);
    }

    SocketLayer layer() {
        return layer;
    }

    MultiThreadIoEventLoopGroup group() {
        return group;
    }

    List<EventLoop> loops() {
        return loops;
    }

    /** Stops the threads (bounded wait). */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
