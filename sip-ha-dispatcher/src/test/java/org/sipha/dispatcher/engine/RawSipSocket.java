package org.sipha.dispatcher.engine;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain UDP socket on 127.0.0.1 for hand-written SIP in tests (a backend that must stay silent, a forger). */
final class RawSipSocket implements AutoCloseable {
    private final DatagramSocket socket;

    private RawSipSocket(DatagramSocket socket) {
        this.socket = socket;
    }

    static RawSipSocket bind(int port) throws IOException {
        return new RawSipSocket(new DatagramSocket(new InetSocketAddress("127.0.0.1", port)));
    }

    void send(String message, InetSocketAddress to) throws IOException {
        byte[] b = message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, to));
    }

    /** The next datagram as text, or null if none arrives within {@code timeoutMs}. */
    String receive(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        socket.close();
    }
}
