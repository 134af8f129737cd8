package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A caller that sets up a dialog through one proxy and sends its ACK and BYE through whichever proxy the test
 * names, as callers do when anycast moves them to another proxy of the site: over UDP on 127.0.0.1, one request
 * at a time, retransmitted every 500 ms (4 times at most). Single test thread.
 */
final class RawDialogClient implements AutoCloseable {
    /** What a dialog needs for its later requests. */
    record Dialog(String callId, String fromTag, String toTag, String route, String remoteTarget) {
        /** The key id of the token in its Record-Route ({@code shk}). */
        String keyId() {
            int k = route.indexOf(";shk=") + 5;
            return route.substring(k, k + 4);
        }
    }

    private final DatagramSocket socket;
    private final int port;
    private int sequence;

    RawDialogClient(int port) throws IOException {
        this.port = port;
        this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(500);
    }

    /** INVITE through {@code proxy} until a 200; the dialog it set up. */
    Dialog invite(InetSocketAddress proxy) throws IOException {
        String callId = "raw-" + System.nanoTime() + "@127.0.0.1";
        String fromTag = "rawtag" + (++sequence);
        String branch = "z9hG4bK-raw-" + sequence + "-" + System.nanoTime();
        String invite = "INVITE sip:service@" + host(proxy) + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=" + branch + "\r\n"
                + "From: <sip:raw@127.0.0.1:" + port + ">;tag=" + fromTag + "\r\n"
                + "To: <sip:service@" + host(proxy) + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:raw@127.0.0.1:" + port + ">\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
        String ok = request(invite, proxy, callId, "INVITE");
        if (ok == null || !ok.startsWith("SIP/2.0 200")) {
            throw new IOException("INVITE through " + proxy + " got no 200: " + ok);
        }
        String to = header(ok, "To");
        String toTag = to.substring(to.indexOf(";tag=") + 5).trim();
        String contact = header(ok, "Contact");
        String target = contact.substring(contact.indexOf('<') + 1, contact.indexOf('>'));
        return new Dialog(callId, fromTag, toTag, header(ok, "Record-Route"), target);
    }

    /** ACK of the 200 through {@code proxy} (no response). */
    void ack(Dialog d, InetSocketAddress proxy) throws IOException {
        send(inDialog("ACK", 1, d), proxy);
    }

    /** BYE through {@code proxy}: the final status code it got, or -1 if none came. */
    int bye(Dialog d, InetSocketAddress proxy) throws IOException {
        String r = request(inDialog("BYE", 2, d), proxy, d.callId(), "BYE");
        return r == null ? -1 : Integer.parseInt(r.substring(8, 11));
    }

    private String inDialog(String method, int cseq, Dialog d) {
        return method + " " + d.remoteTarget() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-raw-" + method + "-" + (++sequence) + "\r\n"
                + "Route: " + d.route() + "\r\n"
                + "From: <sip:raw@127.0.0.1:" + port + ">;tag=" + d.fromTag() + "\r\n"
                + "To: <sip:service@127.0.0.1>;tag=" + d.toTag() + "\r\n"
                + "Call-ID: " + d.callId() + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** Sends {@code text} (resent every 500 ms, 4 times at most) until a final response of its transaction. */
    private String request(String text, InetSocketAddress to, String callId, String method) throws IOException {
        byte[] buf = new byte[65_535];
        for (int attempt = 0; attempt < 4; attempt++) {
            send(text, to);
            long deadline = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < deadline) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                String r = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                if (r.startsWith("SIP/2.0 ")
                        && r.charAt(8) != '1'
                        && r.contains(callId)
                        && header(r, "CSeq").endsWith(method)) {
                    return r;
                }
            }
        }
        return null;
    }

    private void send(String text, InetSocketAddress to) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, to));
    }

    /** The first value of header {@code name} (full name, any case). */
    private static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    private static String host(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public void close() {
        socket.close();
    }
}
