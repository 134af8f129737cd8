package org.sipha.anycast;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;

/**
 * Sends one SIP OPTIONS over UDP and waits for a final response. A final response passes unless its code is in
 * the down set (default 503: a proxy that is draining, has no quorum or no backend left says so with 503); any
 * other code passes, since 404 or 483 from a Kamailio without an OPTIONS handler is still a living Kamailio.
 *
 * <p>The socket is connected to the target, so an ICMP port-unreachable (proxy process gone) fails the probe
 * at once instead of after the timeout. Responses are matched by Call-ID; stale or foreign datagrams and 1xx are
 * skipped until the deadline.
 *
 * <p>Threading: one owner thread (the {@link ProxyProbeLoop}); blocking.
 */
public final class SipOptionsPinger implements LocalProxyProbe {
    private static final int MAX_DATAGRAM = 65_535;
    private static final int MAX_HEADER_IN_DETAIL = 200;

    private final InetSocketAddress target;
    private final SipStatusCodeSet downCodes;
    private final DatagramSocket socket;
    private final byte[] receiveBuffer = new byte[MAX_DATAGRAM];
    private final SipMessageView view = new SipMessageView();
    private final String localHost;
    private final String tag = Long.toHexString(ThreadLocalRandom.current().nextLong());
    private long cseq;

    /**
     * Outcome of one ping: {@code pass} for a final response outside the down set; {@code statusCode} 0 when none
     * came; {@code detail} says what happened (code, reason phrase, Reason/Warning headers), for the decision log.
     */
    public record Result(boolean pass, int statusCode, long rttUs, String detail) {}

    /** Counts 503 as down ({@link SipStatusCodeSet#SERVICE_UNAVAILABLE}). */
    public SipOptionsPinger(InetSocketAddress local, InetSocketAddress target) throws IOException {
        this(local, target, SipStatusCodeSet.SERVICE_UNAVAILABLE);
    }

    /**
     * @param local     address to send from (port 0 = ephemeral)
     * @param target    the proxy's SIP address, e.g. the service address on port 5060
     * @param downCodes final responses that fail the probe; {@link SipStatusCodeSet#NONE}: only silence fails
     */
    public SipOptionsPinger(InetSocketAddress local, InetSocketAddress target, SipStatusCodeSet downCodes)
            throws IOException {
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("unresolved SIP target: " + target);
        }
        this.target = target;
        this.downCodes = Objects.requireNonNull(downCodes, "downCodes");
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
                    return new Result(
                            false,
                            0,
                            us(t0),
                            "no final response to OPTIONS from " + hostPort() + " within " + timeoutMs + " ms");
                }
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
                DatagramPacket packet = new DatagramPacket(receiveBuffer, receiveBuffer.length);
                socket.receive(packet);
                int code = finalStatusFor(callId, packet.getLength());
                if (code > 0) {
                    long rttUs = us(t0);
                    return new Result(!downCodes.contains(code), code, rttUs, describe(code, rttUs));
                }
            }
        } catch (PortUnreachableException e) {
            return new Result(false, 0, us(t0), "ICMP port unreachable from " + hostPort() + " (no SIP listener)");
        } catch (SocketTimeoutException e) {
            return new Result(
                    false,
                    0,
                    us(t0),
                    "no final response to OPTIONS from " + hostPort() + " within " + timeoutMs + " ms");
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

    /** Status line, then Reason and Warning if present: why a proxy answering 503 says it cannot take calls. */
    private String describe(int code, long rttUs) {
        StringBuilder d = new StringBuilder().append(code);
        if (view.reasonPhrase() != null && view.reasonPhrase().length() > 0) {
            d.append(' ').append(view.reasonPhrase());
        }
        d.append(" to OPTIONS from ")
                .append(hostPort())
                .append(" in ")
                .append(rttUs)
                .append(" us");
        if (downCodes.contains(code)) {
            d.append(" (down code)");
        }
        appendHeader(d, "Reason");
        appendHeader(d, "Warning");
        return d.toString();
    }

    private void appendHeader(StringBuilder d, String name) {
        CharSequence v = view.header(name);
        if (v != null) {
            d.append("; ").append(name).append(": ").append(v, 0, Math.min(v.length(), MAX_HEADER_IN_DETAIL));
        }
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
