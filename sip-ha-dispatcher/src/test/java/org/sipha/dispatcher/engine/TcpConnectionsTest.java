package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A send that may not open a connection never calls the connector, and gives its message back. */
class TcpConnectionsTest {
    @Test
    void aSendThatMayNotConnectOpensNoConnectionAndReleasesItsMessage() {
        List<InetSocketAddress> connects = new ArrayList<>();
        TcpConnections tcp = new TcpConnections(to -> {
            connects.add(to);
            throw new AssertionError("connected to " + to);
        });
        ByteBuf out = Unpooled.buffer(16).writeZero(16);
        assertFalse(tcp.send(out, new InetSocketAddress("127.0.0.1", 15210), false));
        assertEquals(0, out.refCnt(), "the message is released");
        assertEquals(List.of(), connects);
    }
}
