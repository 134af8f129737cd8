package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
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
    private static final byte[] RINGING = AsciiWriter.ascii("SIP/2.0 180 Ringing\r\n");
    private static final byte[] OK = AsciiWriter.ascii("SIP/2.0 200 OK\r\n");
    private static final byte[] TERMINATED = AsciiWriter.ascii("SIP/2.0 487 Request Terminated\r\n");
    private static final byte[] INVITE_METHOD = AsciiWriter.ascii(" INVITE");
    private static final byte[] VIA = AsciiWriter.ascii("Via: ");
    private static final byte[] COMMA = AsciiWriter.ascii(", ");
    private static final byte[] FROM = AsciiWriter.ascii("From: ");
    private static final byte[] TO = AsciiWriter.ascii("To: ");
    private static final byte[] CALL_ID = AsciiWriter.ascii("Call-ID: ");
    private static final byte[] CSEQ = AsciiWriter.ascii("CSeq: ");
    private static final byte[] RECORD_ROUTE = AsciiWriter.ascii("Record-Route: ");
    private static final byte[] TO_TAG = AsciiWriter.ascii(";tag=demo");
    private static final byte[] CONTACT = AsciiWriter.ascii("Contact: ");
    private static final byte[] CONTENT_TYPE_SDP = AsciiWriter.ascii("Content-Type: application/sdp\r\n");
    private static final byte[] LENGTH = AsciiWriter.ascii("Content-Length: ");
    private static final byte[] LENGTH_PADDED = AsciiWriter.ascii("Content-Length:   ");
    /** A PBX's answer carries SDP, which the proxy must frame (and the warm-up must exercise). */
    private static final byte[] SDP = AsciiWriter.ascii("v=0\r\no=demo 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
            + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n");

    private final DatagramSocket socket;
    private final Thread thread;
    private final int port;
    private final byte[] contact;
    private final byte[] contactWithTransport;
    /** The response being written, and the packet that sends it (backend thread only). */
    private final AsciiWriter out = new AsciiWriter();

    private final DatagramPacket packet = new DatagramPacket(out.array(), 0);
    /**
     * Responses so far (backend thread only). Every other one is written the way many UAs (SIPp among them) write
     * theirs: all Via values on one line, a transport parameter in the Contact, Content-Length padded with
     * spaces. The warm-up's calls meet both forms, so neither is new to the compiled code when a real PBX answers.
     */
    private int responses;

    DemoBackend(InetSocketAddress address) throws SocketException {
        socket = new DatagramSocket(address);
        port = socket.getLocalPort();
        contact = AsciiWriter.ascii("<sip:" + address.getHostString() + ':' + port + '>');
        contactWithTransport = AsciiWriter.ascii("<sip:" + address.getHostString() + ':' + port + ";transport=UDP>");
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
                if (msg.wrap(buf, 0, p.getLength()) != SipParseResult.OK
                        || !msg.isRequest()
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
            case ACK -> {}
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

    /**
     * Writes the response into {@link #out} and returns its length (bytes, not strings: see {@link AsciiWriter}).
     */
    private int response(SipMessageView req, byte[] status, boolean withContact, byte[] cseqMethod, byte[] sdp) {
        boolean compact = (responses++ & 1) == 1;
        out.reset().put(status);
        boolean viasWritten = false;
        for (int i = 0; i < req.headerCount(); i++) {
            SipHeaderName k = req.headerKind(i);
            switch (k) {
                case VIA -> {
                    if (!compact) {
                        out.put(VIA).put(req.headerValue(i)).crlf();
                    } else if (!viasWritten) {
                        viasWritten = true;
                        out.put(VIA);
                        for (int j = 0; j < req.viaCount(); j++) {
                            if (j > 0) {
                                out.put(COMMA);
                            }
                            out.put(req.via(j).asText());
                        }
                        out.crlf();
                    }
                }
                case FROM -> out.put(FROM).put(req.headerValue(i)).crlf();
                case CALL_ID -> out.put(CALL_ID).put(req.headerValue(i)).crlf();
                case RECORD_ROUTE ->
                    out.put(RECORD_ROUTE).put(req.headerValue(i)).crlf();
                case TO -> {
                    out.put(TO).put(req.headerValue(i));
                    if (req.to().tag() == null) {
                        out.put(TO_TAG).putNumber(port);
                    }
                    out.crlf();
                }
                case CSEQ -> {
                    out.put(CSEQ);
                    if (cseqMethod == null) {
                        out.put(req.headerValue(i));
                    } else {
                        out.putNumber(req.cseqNumber()).put(cseqMethod);
                    }
                    out.crlf();
                }
                default -> {}
            }
        }
        if (withContact) {
            out.put(CONTACT).put(compact ? contactWithTransport : contact).crlf();
        }
        if (sdp != null) {
            out.put(CONTENT_TYPE_SDP);
        }
        out.put(compact ? LENGTH_PADDED : LENGTH)
                .putNumber(sdp == null ? 0 : sdp.length)
                .crlf()
                .crlf();
        if (sdp != null) {
            out.put(sdp);
        }
        return out.length();
    }

    private void send(int length, InetSocketAddress to) throws IOException {
        packet.setData(out.array(), 0, length);
        packet.setSocketAddress(to);
        socket.send(packet);
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
