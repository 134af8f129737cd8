package org.sipha.health;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.sipha.core.spi.HealthProbeTransport;

/**
 * A {@link HealthProbeTransport} whose real transport is plugged in later: a monitor must exist before the proxy
 * starts (the engine is configured with its outcome listener), but the proxy's own sockets, which probes should
 * leave from, exist only once it has bound them. Unbound, it sends nothing and receives nothing.
 *
 * <p>Threading: {@link #bind} once, before the health thread starts (starting the thread publishes the field);
 * every other method on the health thread, as the interface says.
 */
final class LateBoundProbeTransport implements HealthProbeTransport {
    private HealthProbeTransport target;

    void bind(final HealthProbeTransport transport) {
        if (target != null) {
            throw new IllegalStateException("probe transport already bound");
        }
        target = java.util.Objects.requireNonNull(transport, "transport");
    }

    @Override
    public boolean send(final InetSocketAddress destination, final ByteBuffer request) {
        return target != null && target.send(destination, request);
    }

    @Override
    public int poll(final ReplyHandler handler, final int limit) {
        return target == null ? 0 : target.poll(handler, limit);
    }

    @Override
    public InetSocketAddress localAddress() {
        if (target == null) {
            throw new IllegalStateException("probe transport not bound yet");
        }
        return target.localAddress();
    }

    @Override
    public void close() {
        if (target != null) {
            target.close();
        }
    }
}
