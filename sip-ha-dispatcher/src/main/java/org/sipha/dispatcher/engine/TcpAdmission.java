package org.sipha.dispatcher.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides at accept whether a TCP connection may stay: its source must pass the access list or be the address of
 * a configured destination (from any port: a destination connects from an ephemeral one), and fewer than
 * {@link ProxyConfig#tcpMaxConnections()} accepted connections in all and
 * {@link ProxyConfig#tcpMaxConnectionsPerSource()} from its address may be open. A refused connection is reset
 * before anything is read from it, and counted in {@link TcpCounters}.
 *
 * <p>Thread-safe: every loop accepts. Its tables change on accept and close only, never per message.
 */
final class TcpAdmission {
    private final SourceAccessList accessList;
    private final Set<InetAddress> destinations = new HashSet<>();
    private final int maxTotal;
    private final int maxPerSource;
    private final TcpCounters counters;
    private final ConcurrentHashMap<InetAddress, Integer> perSource = new ConcurrentHashMap<>();

    TcpAdmission(ProxyConfig cfg, TcpCounters counters) {
        this.accessList = cfg.accessList();
        for (InetSocketAddress a : cfg.alwaysAllowed()) {
            destinations.add(a.getAddress());
        }
        this.maxTotal = cfg.tcpMaxConnections();
        this.maxPerSource = cfg.tcpMaxConnectionsPerSource();
        this.counters = counters;
    }

    /**
     * On the accepted channel's loop, before its first read: true if it may stay (it is then counted until it
     * closes); false after resetting it.
     */
    boolean admit(Channel ch) {
        InetAddress src = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        if (!accessList.allows(src) && !destinations.contains(src)) {
            counters.refusedByAccessList.incrementAndGet();
            reset(ch);
            return false;
        }
        if (counters.open.incrementAndGet() > maxTotal) {
            counters.open.decrementAndGet();
            counters.refusedOverTotalLimit.incrementAndGet();
            reset(ch);
            return false;
        }
        boolean[] over = new boolean[1];
        perSource.compute(src, (k, n) -> {
            if (n == null) {
                return 1;
            }
            over[0] = n >= maxPerSource;
            return over[0] ? n : n + 1;
        });
        if (over[0]) {
            counters.open.decrementAndGet();
            counters.refusedOverSourceLimit.incrementAndGet();
            reset(ch);
            return false;
        }
        ch.closeFuture().addListener(f -> release(src));
        return true;
    }

    private void release(InetAddress src) {
        perSource.computeIfPresent(src, (k, n) -> n <= 1 ? null : n - 1);
        counters.open.decrementAndGet();
    }

    /**
     * Closes {@code ch} with a reset (SO_LINGER 0): what it had queued is dropped at once and no TIME_WAIT is left
     * behind, as suits a connection closed for abuse. Its loop.
     */
    static void reset(Channel ch) {
        try {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
            // the socket is already closed: close() below is then a no-op
        }
        ch.close();
    }
}
