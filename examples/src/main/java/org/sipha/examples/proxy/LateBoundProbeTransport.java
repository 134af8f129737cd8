package org.sipha.examples.proxy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.sipha.core.spi.HealthProbeTransport;

/**
 * A {@link HealthProbeTransport} whose real transport is plugged in later: the health monitor must exist before the
 * proxy starts (the engine is configured with its outcome listener), but the proxy's own sockets, which the probes
 * should leave from, exist only once it has bound them.
 *
 * <p>Threading: {@link #bind} is called once, before the health thread starts (starting the thread publishes the
 * field); every other method runs on the health thread, as the interface says. Unbound, it sends nothing.
 */
final class LateBoundProbeTransport implements HealthProbeTransport {
    private HealthProbeTransport target;

    void bind(HealthProbeTransport transport) {
        if (target != null) {
            throw new IllegalStateException("probe transport already bound");
        }
        target = transport;
    }

    @Override
    public boolean send(InetSocketAddress destination, ByteBuffer request) {
        return target != null && target.send(destination, request);
    }

    @Override
    public int poll(ReplyHandler handler, int limit) {
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
