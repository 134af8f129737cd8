package org.sipha.anycast;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A minimal SIP UDP endpoint standing in for the local proxy: answers every request with 200 OK (or what
 * {@link #answer} sets), copying Via, From, To, Call-ID and CSeq. {@link #stop()} closes the socket, so probes
 * then get ICMP port unreachable, as they would from a crashed proxy. Test-only; {@link #answer} from any thread.
 */
final class SipOptionsResponder implements AutoCloseable {
    private final InetSocketAddress address;
    private volatile DatagramSocket socket;
    private volatile String statusLineAndHeaders = "SIP/2.0 200 OK\r\n";
    private Thread thread;

    SipOptionsResponder(InetSocketAddress address) {
        this.address = address;
    }

    /** From now on answer with this status, adding each extra header line (e.g. {@code Reason: ...}). */
    void answer(int code, String reason, String... extraHeaders) {
        StringBuilder b = new StringBuilder("SIP/2.0 ")
                .append(code)
                .append(' ')
                .append(reason)
                .append("\r\n");
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        statusLineAndHeaders = b.toString();
    }

    synchronized void start() throws SocketException {
        DatagramSocket s = new DatagramSocket(null);
        s.setReuseAddress(true);
        s.bind(address);
        socket = s;
        thread = new Thread(() -> serve(s), "test-sip-responder");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve(DatagramSocket s) {
        byte[] buf = new byte[65_535];
        while (!s.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                String req = new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
                if (req.startsWith("SIP/2.0")) {
                    continue;
                }
                StringBuilder resp = new StringBuilder(statusLineAndHeaders);
                for (String line : req.split("\r\n")) {
                    String lower = line.toLowerCase();
                    if (lower.startsWith("via:")
                            || lower.startsWith("from:")
                            || lower.startsWith("call-id:")
                            || lower.startsWith("cseq:")) {
                        resp.append(line).append("\r\n");
                    } else if (lower.startsWith("to:")) {
                        resp.append(line).append(";tag=responder\r\n");
                    }
                }
                resp.append("Content-Length: 0\r\n\r\n");
                byte[] out = resp.toString().getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    synchronized void stop() throws InterruptedException {
        DatagramSocket s = socket;
        if (s != null) {
            s.close();
            thread.join(2_000);
            socket = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
