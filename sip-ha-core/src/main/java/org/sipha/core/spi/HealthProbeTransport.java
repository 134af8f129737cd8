package org.sipha.core.spi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * How a health prober sends SIP OPTIONS and receives the replies, so that a proxy can probe from its own
 * sockets (firewalls and ACLs then see the same source as real traffic). {@code sip-ha-health} ships a plain
 * UDP implementation for standalone use; a proxy may implement it over the sockets it forwards on.
 *
 * <h2>Threading</h2>
 * All methods are called by one thread at a time: the health module's owner thread. An implementation fed by
 * another I/O thread hands replies over through its own queue and delivers them from {@link #poll}. No method
 * may block.
 */
public interface HealthProbeTransport extends AutoCloseable {
    /** Receives one datagram (a SIP reply) during {@link #poll}; the buffer is only valid during the call. */
    @FunctionalInterface
    interface ReplyHandler {
        void onReply(InetSocketAddress from, byte[] buffer, int offset, int length);
    }

    /**
     * Sends one complete SIP request.
     *
     * @return false if it could not be sent now (e.g. socket buffer full); the prober counts that as a failed probe.
     */
    boolean send(InetSocketAddress destination, ByteBuffer request);

    /**
     * Delivers up to {@code limit} received datagrams to {@code handler}.
     *
     * @return how many were delivered.
     */
    int poll(ReplyHandler handler, int limit);

    /** The address and port to put in the Via header of probes (what the destination replies to). */
    InetSocketAddress localAddress();

    @Override
    void close();
}
