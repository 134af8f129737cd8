package org.sipha.core.spi;

import java.net.InetSocketAddress;

/**
 * What the forwarding engine observed about one destination, reported to the health side (passive outlier
 * detection: {@code sip-ha-health} implements this; the engine only calls it).
 *
 * <h2>Threading</h2>
 * Called on the engine's I/O threads, possibly several at once, for every forwarded INVITE branch that ends.
 * Implementations must be thread-safe, must not block and should not allocate: hand the figures to the health
 * side's owner thread (for example through a bounded queue) and return.
 */
public interface ForwardingOutcomeListener {
    /** A listener that ignores everything. */
    ForwardingOutcomeListener NONE = new ForwardingOutcomeListener() {
        @Override
        public void onResponse(InetSocketAddress destination, int statusCode, long latencyNs) {}

        @Override
        public void onTimeout(InetSocketAddress destination, long waitedNs) {}
    };

    /**
     * {@code destination} answered a forwarded request with its first response or a final response
     * {@code statusCode}, {@code latencyNs} after the request was sent. A status the engine fails over on
     * (503 by default) is reported here too.
     */
    void onResponse(InetSocketAddress destination, int statusCode, long latencyNs);

    /** {@code destination} sent no response at all within the failover timer ({@code waitedNs}). */
    void onTimeout(InetSocketAddress destination, long waitedNs);

    /**
     * Early warning: {@code destination} has not answered a forwarded INVITE with anything (not even 100 Trying)
     * {@code waitedNs} after it was sent; the engine has just retransmitted it (RFC 3261 timer A) and keeps
     * waiting. The branch is not over: a later {@link #onResponse} or {@link #onTimeout} for it still follows.
     * This lets passive detection see a silent destination well before the failover timer. The default ignores it.
     */
    default void onUnanswered(InetSocketAddress destination, long waitedNs) {}
}
