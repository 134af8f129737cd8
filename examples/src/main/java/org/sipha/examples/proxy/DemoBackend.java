package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipHeaderName;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipMethod;
import org.sipha.core.message.SipParseResult;

/**
 * A toy PBX for the embedded default: answers OPTIONS 200, INVITE with 180 then 200 (echoing Record-Route so
 * in-dialog requests pass the proxy), BYE 200, CANCEL 200 + 487. One daemon thread on a plain UDP socket; a
 * demonstration aid, not a SIP stack (no retransmissions).
 */
final class DemoBackend implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final int port;
    private final byte[] contact;
    private final byte[] contactWithTransport;
    /**
     * The response being written (backend thread only): a response copies at most a request's header values
     * (under 64 KB) plus a few hundred bytes of its own.
     */
    private final byte[] out = new byte[2 * 65536];
    private final DatagramPacket packet = new DatagramPacket(out, 0);
    private int pos;
    /**
     * Responses so far (backend thread only). Every other one is written the way many UAs (SIPp among them) write
     * theirs: all Via values on one line, a transport parameter in the Contact, Content-Length padded with
     * spaces. The warm-up's calls meet both forms, so neither is new to the compiled code when a real PBX answers.
     */
    private int responses;

    DemoBackend(InetSocketAddress address) throws SocketException {
        socket = new DatagramSocket(address);
        port = socket.getLocalPort();
        contact = ascii("<sip:" + address.getHostString() + ':' + port + '>');
        contactWithTransport = ascii("<sip:" + address.getHostString() + ':' + port + ";transport=UDP>");
        thread = new Thread(this::run, "demo-backend-" + address.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        SipMessageView msg = new SipMessageView();
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!socket.isClosed()) {
            try {
                p.setLength(buf.length);
                socket.receive(p);
                if (msg.wrap(buf, 0, p.getLength()) != SipParseResult.OK || !msg.isRequest()
                    || msg.validate() != SipParseResult.OK) {
                    continue;
                }
                answer(msg, (InetSocketAddress) p.getSocketAddress());
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private void answer(SipMessageView msg, InetSocketAddress to) throws IOException {
        SipMethod m = msg.methodCode();
        switch (m) {
            case ACK -> { }
            case INVITE -> {
                send(response(msg, RINGING, true, null, null), to);
                send(response(msg, OK, true, null, SDP), to);
            }
            case CANCEL -> {
                send(response(msg, OK, false, null, null), to);
                send(response(msg, TERMINATED, false, INVITE_METHOD, null), to);
            }
            default -> send(response(msg, OK, m == SipMethod.BYE, null, null), to);
        }
    }

    private static final byte[] RINGING = ascii("SIP/2.0 180 Ringing\r\n");
    private static final byte[] OK = ascii("SIP/2.0 200 OK\r\n");
    private static final byte[] TERMINATED = ascii("SIP/2.0 487 Request Terminated\r\n");
    private static final byte[] INVITE_METHOD = ascii(" INVITE");
    private static final byte[] VIA = ascii("Via: ");
    private static final byte[] COMMA = ascii(", ");
    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] FROM = ascii("From: ");
    private static final byte[] TO = ascii("To: ");
    private static final byte[] CALL_ID = ascii("Call-ID: ");
    private static final byte[] CSEQ = ascii("CSeq: ");
    private static final byte[] RECORD_ROUTE = ascii("Record-Route: ");
    private static final byte[] TO_TAG = ascii(";tag=demo");
    private static final byte[] CONTACT = ascii("Contact: ");
    private static final byte[] CONTENT_TYPE_SDP = ascii("Content-Type: application/sdp\r\n");
    private static final byte[] LENGTH = ascii("Content-Length: ");
    private static final byte[] LENGTH_PADDED = ascii("Content-Length:   ");
    /** A PBX's answer carries SDP, which the proxy must frame (and the warm-up must exercise). */
    private static final byte[] SDP = ascii("v=0\r\no=demo 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\n");

    /**
     * Writes the response into {@link #out} and returns its length. Bytes, not strings: the warm-up runs this for
     * every call, and the C2 compilation of its former StringBuilder version took over a second of a compiler
     * thread that the proxy's own code was waiting for.
     */
    private int response(SipMessageView req, byte[] status, boolean withContact, byte[] cseqMethod, byte[] sdp) {
        boolean compact = (responses++ & 1) == 1;
        pos = 0;
        put(status);
        boolean viasWritten = false;
        for (int i = 0; i < req.headerCount(); i++) {
            SipHeaderName k = req.headerKind(i);
            switch (k) {
                case VIA -> {
                    if (!compact) {
                        put(VIA).put(req.headerValue(i)).put(CRLF);
                    } else if (!viasWritten) {
                        viasWritten = true;
                        put(VIA);
                        for (int j = 0; j < req.viaCount(); j++) {
                            if (j > 0) {
                                put(COMMA);
                            }
                            put(req.via(j).asText());
                        }
                        put(CRLF);
                    }
                }
                case FROM -> put(FROM).put(req.headerValue(i)).put(CRLF);
                case CALL_ID -> put(CALL_ID).put(req.headerValue(i)).put(CRLF);
                case RECORD_ROUTE -> put(RECORD_ROUTE).put(req.headerValue(i)).put(CRLF);
                case TO -> {
                    put(TO).put(req.headerValue(i));
                    if (req.to().tag() == null) {
                        put(TO_TAG).putNumber(port);
                    }
                    put(CRLF);
                }
                case CSEQ -> {
                    put(CSEQ);
                    if (cseqMethod == null) {
                        put(req.headerValue(i));
                    } else {
                        putNumber(req.cseqNumber()).put(cseqMethod);
                    }
                    put(CRLF);
                }
                default -> { }
            }
        }
        if (withContact) {
            put(CONTACT).put(compact ? contactWithTransport : contact).put(CRLF);
        }
        if (sdp != null) {
            put(CONTENT_TYPE_SDP);
        }
        put(compact ? LENGTH_PADDED : LENGTH).putNumber(sdp == null ? 0 : sdp.length).put(CRLF).put(CRLF);
        if (sdp != null) {
            put(sdp);
        }
        return pos;
    }

    private DemoBackend put(byte[] b) {
        System.arraycopy(b, 0, out, pos, b.length);
        pos += b.length;
        return this;
    }

    private DemoBackend put(AsciiView v) {
        pos = v.copyTo(out, pos);
        return this;
    }

    private DemoBackend putNumber(long n) {
        if (n >= 10) {
            putNumber(n / 10);
        }
        out[pos++] = (byte) ('0' + n % 10);
        return this;
    }

    private void send(int length, InetSocketAddress to) throws IOException {
        packet.setData(out, 0, length);
        packet.setSocketAddress(to);
        socket.send(packet);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
