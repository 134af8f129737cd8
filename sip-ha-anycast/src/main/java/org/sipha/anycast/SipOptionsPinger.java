package org.sipha.anycast;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;

/**
 * Sends one SIP OPTIONS over UDP and waits for a final response (any 2xx–6xx counts: the proxy's SIP stack is
 * alive and answering; 404 or 483 from a Kamailio without an OPTIONS handler is still a living Kamailio).
 *
 * <p>The socket is connected to the target, so an ICMP port-unreachable (proxy process gone) fails the probe
 * at once instead of after the timeout. Responses are matched by Call-ID; stale or foreign datagrams and 1xx are
 * skipped until the deadline.
 *
 * <p>Threading: one owner thread (the {@link ProxyProbeLoop}); blocking.
 */
public final class SipOptionsPinger implements LocalProxyProbe {
    private static final int MAX_DATAGRAM = 65_535;

    private final InetSocketAddress target;
    private final DatagramSocket socket;
    private final byte[] receiveBuffer = new byte[MAX_DATAGRAM];
    private final SipMessageView view = new SipMessageView();
    private final String localHost;
    private final String tag = Long.toHexString(ThreadLocalRandom.current().nextLong());
    private long cseq;

    /** Outcome of one ping; {@code detail} says what happened, for the decision log. */
    public record Result(boolean pass, int statusCode, long rttUs, String detail) {
    }

    /**
     * @param local  address to send from (port 0 = ephemeral)
     * @param target the proxy's SIP address, e.g. the service address on port 5060
     */
    public SipOptionsPinger(InetSocketAddress local, InetSocketAddress target) throws IOException {
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("unresolved SIP target: " + target);
        }
        this.target = target;
        this.socket = new DatagramSocket(local);
        this.socket.connect(target);
        this.localHost = socket.getLocalAddress().getHostAddress();
    }

    public InetSocketAddress target() {
        return target;
    }

    /** Sends one OPTIONS and waits up to {@code timeoutMs} for its final response. */
    @Override
    public Result ping(long timeoutMs) {
        long t0 = System.nanoTime();
        long deadlineNs = t0 + timeoutMs * 1_000_000L;
        String callId = Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-" + (++cseq) + "@" + localHost;
        byte[] request = options(callId).getBytes(StandardCharsets.US_ASCII);
        try {
            socket.send(new DatagramPacket(request, request.length));
            while (true) {
                long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    return new Result(false, 0, us(t0), "no final response to OPTIONS from " + hostPort()
                            + " within " + timeoutMs + " ms");
                }
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
                DatagramPacket packet = new DatagramPacket(receiveBuffer, receiveBuffer.length);
                socket.receive(packet);
                int code = finalStatusFor(callId, packet.getLength());
                if (code > 0) {
                    return new Result(true, code, us(t0), code + " to OPTIONS from " + hostPort() + " in "
                            + us(t0) + " us");
                }
            }
        } catch (PortUnreachableException e) {
            return new Result(false, 0, us(t0), "ICMP port unreachable from " + hostPort() + " (no SIP listener)");
        } catch (SocketTimeoutException e) {
            return new Result(false, 0, us(t0), "no final response to OPTIONS from " + hostPort() + " within "
                    + timeoutMs + " ms");
        } catch (IOException e) {
            return new Result(false, 0, us(t0), "OPTIONS to " + hostPort() + " failed: " + e);
        }
    }

    /** Status code if the datagram is a final response to our request, else 0. */
    private int finalStatusFor(String callId, int length) {
        if (view.wrap(receiveBuffer, 0, length) != SipParseResult.OK || !view.isResponse()) {
            return 0;
        }
        if (view.callId() == null || !view.callId().contentEquals(callId)) {
            return 0;
        }
        int code = view.statusCode();
        return code >= 200 && code <= 699 ? code : 0;
    }

    private String options(String callId) {
        String host = hostPort();
        int localPort = socket.getLocalPort();
        return "OPTIONS sip:" + host + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + localHost + ":" + localPort + ";branch=z9hG4bK-sipha-" + callId.hashCode()
                + "-" + cseq + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:sipha-anycast@" + localHost + ">;tag=" + tag + "\r\n"
                + "To: <sip:" + host + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " OPTIONS\r\n"
                + "Contact: <sip:sipha-anycast@" + localHost + ":" + localPort + ">\r\n"
                + "User-Agent: sip-ha-anycast\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private String hostPort() {
        String h = target.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + target.getPort();
    }

    private static long us(long t0) {
        return (System.nanoTime() - t0) / 1_000;
    }

    @Override
    public void close() {
        socket.close();
    }
}
