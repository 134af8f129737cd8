package org.sipha.health;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.sipha.core.spi.HealthProbeTransport;

/**
 * Standalone {@link HealthProbeTransport}: one non-blocking UDP socket of its own. Owner thread only (as the
 * interface says). Use the proxy's own transport instead when probes must leave from the proxy's socket.
 */
public final class UdpProbeTransport implements HealthProbeTransport {
    private static final int MAX_DATAGRAM = 65_535;
    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final ByteBuffer receive = ByteBuffer.allocate(MAX_DATAGRAM);

    private UdpProbeTransport(final DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Opens a socket bound to {@code bind} (port 0 picks a free one).
     *
     * @throws UncheckedIOException if the socket cannot be opened or bound.
     */
    public static UdpProbeTransport open(final InetSocketAddress bind) {
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open();
            ch.configureBlocking(false);
            ch.bind(bind);
            return new UdpProbeTransport(ch);
        } catch (final IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (final IOException ignored) {
                    // already failing; the bind error is the one to report
                }
            }
            throw new UncheckedIOException("cannot open UDP probe socket on " + bind, e);
        }
    }

    @Override
    public boolean send(final InetSocketAddress destination, final ByteBuffer request) {
        try {
            return channel.send(request, destination) > 0;
        } catch (final IOException e) {
            // e.g. ICMP port unreachable reported on a later send: the probe counts as failed, nothing else.
            return false;
        }
    }

    @Override
    public int poll(final ReplyHandler handler, final int limit) {
        int n = 0;
        while (n < limit) {
            receive.clear();
            final SocketAddress from;
            try {
                from = channel.receive(receive);
            } catch (final IOException e) {
                // Linux reports an earlier ICMP port unreachable here; skip it, the probe times out.
                n++;
                continue;
            }
            if (from == null) {
                break;
            }
            receive.flip();
            handler.onReply((InetSocketAddress) from, receive.array(), 0, receive.limit());
            n++;
        }
        return n;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (final IOException ignored) {
            // closing: nothing useful to do
        }
    }
}
