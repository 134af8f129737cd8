package org.sipha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class LateBoundProbeTransportTest {
    private static final InetSocketAddress TO = new InetSocketAddress("127.0.0.1", 5071);

    @Test
    void sendsAndReceivesNothingUntilBound() {
        LateBoundProbeTransport t = new LateBoundProbeTransport();
        assertFalse(t.send(TO, ByteBuffer.wrap(new byte[] {'x'})));
        assertEquals(0, t.poll((from, b, off, len) -> {}, 10));
        assertThrows(IllegalStateException.class, t::localAddress);
        t.close();
    }

    @Test
    void delegatesEverythingOnceBoundAndBindsOnlyOnce() {
        LateBoundProbeTransport t = new LateBoundProbeTransport();
        InMemoryProbeTransport real = new InMemoryProbeTransport();
        t.bind(real);
        assertThrows(IllegalStateException.class, () -> t.bind(new InMemoryProbeTransport()));

        assertTrue(t.send(TO, ByteBuffer.wrap(new byte[] {'x'})));
        assertEquals(TO, real.sent.get(0).to());
        real.replies.add(new byte[] {'y'});
        int[] got = {0};
        assertEquals(1, t.poll((from, b, off, len) -> got[0] = len, 10));
        assertEquals(1, got[0]);
        assertEquals(real.localAddress(), t.localAddress());
        t.close();
        assertTrue(real.closed);
    }
}
