package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
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
    private final String contact;
    private final String contactWithTransport;
    /**
     * Responses so far (backend thread only). Every other one is written the way many UAs (SIPp among them) write
     * theirs: all Via values on one line, a transport parameter in the Contact, Content-Length padded with
     * spaces. The warm-up's calls meet both forms, so neither is new to the compiled code when a real PBX answers.
     */
    private int responses;

    DemoBackend(InetSocketAddress address) throws SocketException {
        socket = new DatagramSocket(address);
        contact = "<sip:" + address.getHostString() + ':' + address.getPort() + '>';
        contactWithTransport = "<sip:" + address.getHostString() + ':' + address.getPort() + ";transport=UDP>";
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
                send(response(msg, "180 Ringing", true, null), to);
                send(response(msg, "200 OK", true, null, SDP), to);
            }
            case CANCEL -> {
                send(response(msg, "200 OK", false, null), to);
                send(response(msg, "487 Request Terminated", false, "INVITE"), to);
            }
            default -> send(response(msg, "200 OK", m == SipMethod.BYE, null), to);
        }
    }

    /** A PBX's answer carries SDP, which the proxy must frame (and the warm-up must exercise). */
    private static final String SDP = "v=0\r\no=demo 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\n";

    private String response(SipMessageView req, String status, boolean withContact, String cseqMethod) {
        return response(req, status, withContact, cseqMethod, null);
    }

    private String response(SipMessageView req, String status, boolean withContact, String cseqMethod, String sdp) {
        boolean compact = (responses++ & 1) == 1;
        StringBuilder sb = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        boolean viasWritten = false;
        for (int i = 0; i < req.headerCount(); i++) {
            SipHeaderName k = req.headerKind(i);
            String v = req.headerValue(i).toString();
            switch (k) {
                case VIA -> {
                    if (!compact) {
                        sb.append("Via: ").append(v).append("\r\n");
                    } else if (!viasWritten) {
                        viasWritten = true;
                        sb.append("Via: ");
                        for (int j = 0; j < req.viaCount(); j++) {
                            sb.append(j == 0 ? "" : ", ").append(req.via(j).asText());
                        }
                        sb.append("\r\n");
                    }
                }
                case FROM, CALL_ID, RECORD_ROUTE -> sb.append(k.canonicalName()).append(": ").append(v).append("\r\n");
                case TO -> sb.append("To: ").append(v).append(req.to().tag() == null ? ";tag=demo" + port() : "")
                    .append("\r\n");
                case CSEQ -> sb.append("CSeq: ").append(cseqMethod == null ? v : req.cseqNumber() + " " + cseqMethod)
                    .append("\r\n");
                default -> { }
            }
        }
        if (withContact) {
            sb.append("Contact: ").append(compact ? contactWithTransport : contact).append("\r\n");
        }
        String lengthField = compact ? "Content-Length:   " : "Content-Length: ";
        if (sdp != null) {
            return sb.append("Content-Type: application/sdp\r\n").append(lengthField).append(sdp.length())
                .append("\r\n\r\n").append(sdp).toString();
        }
        return sb.append(lengthField).append("0\r\n\r\n").toString();
    }

    private int port() {
        return socket.getLocalPort();
    }

    private void send(String text, InetSocketAddress to) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, to));
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
