import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The outside attacks of the hardening work, run against any proxy on 127.0.0.1:5060 that routes to PBXs on
 * 127.0.0.1:5081 and :5082, so sip-ha and Kamailio get the same bytes. This program plays the PBXs (answering
 * probes), the caller, the attacker and a third party on 127.0.0.1:5099 (UDP and TCP), starts the proxy command it
 * is given as its child, prints one line per attack, and ends the child by its pid. Run it through run.sh.
 */
public final class Attacks {
    static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 5060);
    static final List<String> rows = new ArrayList<>();

    /** A UDP socket whose received messages queue up; a PBX answers OPTIONS itself and queues the rest. */
    static final class Peer implements AutoCloseable {
        final DatagramSocket socket;
        final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        final Thread reader;

        Peer(String host, int port, boolean pbx) throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(host, port));
            reader = new Thread(() -> read(pbx), "peer-" + port);
            reader.setDaemon(true);
            reader.start();
        }

        private void read(boolean pbx) {
            byte[] b = new byte[65535];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(b, b.length);
                try {
                    socket.receive(p);
                } catch (IOException e) {
                    return;
                }
                String m = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
                if (pbx && m.startsWith("OPTIONS ")) {
                    send(answer(m, "200 OK", "probe"), (InetSocketAddress) p.getSocketAddress());
                } else {
                    inbox.add(m);
                }
            }
        }

        void send(String m, InetSocketAddress to) {
            byte[] b = m.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            try {
                socket.send(new DatagramPacket(b, b.length, to));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The next message that is not a 100 Trying, or null within {@code ms}. */
        String receive(long ms) throws InterruptedException {
            long end = System.nanoTime() + ms * 1_000_000;
            while (true) {
                long left = end - System.nanoTime();
                String m = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
                if (m == null || !m.startsWith("SIP/2.0 100 ")) {
                    return m;
                }
            }
        }

        /** The next message of call {@code callId}, or null within {@code ms} (others, e.g. retransmissions of an
         * earlier attack, are skipped). */
        String receive(String callId, long ms) throws InterruptedException {
            long end = System.nanoTime() + ms * 1_000_000;
            while (true) {
                long left = end - System.nanoTime();
                String m = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
                if (m == null || callId.equals(header(m, "Call-ID")) || callId.equals(header(m, "i"))) {
                    return m;
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static Peer pbx1;
    static Peer pbx2;
    static Peer caller;
    static Peer attacker;
    static Peer thirdParty;
    static ServerSocket thirdPartyTcp;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Attacks LABEL COMMAND...");
            System.exit(2);
        }
        String label = args[0];
        pbx1 = new Peer("127.0.0.1", 5081, true);
        pbx2 = new Peer("127.0.0.1", 5082, true);
        caller = new Peer("127.0.0.1", 5071, false);
        attacker = new Peer("127.0.0.2", 5072, false);
        thirdParty = new Peer("127.0.0.1", 5099, false);
        thirdPartyTcp = new ServerSocket();
        thirdPartyTcp.setReuseAddress(true);
        thirdPartyTcp.bind(new InetSocketAddress("127.0.0.1", 5099));
        Process proxy = new ProcessBuilder(List.of(args).subList(1, args.length))
                .redirectErrorStream(true)
                .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "attacks-proxy-" + label + ".log").toFile())
                .start();
        try {
            waitForProxy();
            relayByForeignRouteInDialog();
            relayByForeignRouteWithoutDialog();
            relayByRequestUriOfAnInitialRequest();
            reflectUnsolicitedResponse("UDP");
            reflectUnsolicitedResponse("TCP");
            forgedFinalResponseFromAnotherSource();
            malformedFlood(proxy.pid(), 150_000);
        } finally {
            proxy.destroy(); // SIGTERM to our own child, by its pid
            if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
                proxy.waitFor(5, TimeUnit.SECONDS);
            }
            for (Peer p : List.of(pbx1, pbx2, caller, attacker, thirdParty)) {
                p.close();
            }
            thirdPartyTcp.close();
        }
        for (String r : rows) {
            System.out.println(label + " | " + r);
        }
    }

    /** OPTIONS from the caller until the proxy (or a PBX through it) answers; at most 60 s (sip-ha warms up first). */
    static void waitForProxy() throws Exception {
        for (int i = 0; i < 120; i++) {
            caller.send(request("OPTIONS", "sip:ping@127.0.0.1:5060", "ping-" + i, "", ""), PROXY);
            String m = caller.receive(500);
            if (m != null && m.startsWith("SIP/2.0 ")) {
                Thread.sleep(6000); // let the proxy's probes see both PBXs up
                drain();
                return;
            }
        }
        throw new IllegalStateException("the proxy did not answer within 60 s");
    }

    static void drain() {
        for (Peer p : List.of(pbx1, pbx2, caller, attacker, thirdParty)) {
            p.inbox.clear();
        }
    }

    static String request(String method, String ruri, String callId, String extraHeaders, String toTag) {
        return method + " " + ruri + " SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-" + method + "-" + callId + ";rport\n"
                + extraHeaders
                + "From: <sip:a@127.0.0.1:5071>;tag=caller-" + callId + "\n"
                + "To: <sip:service@127.0.0.1:5060>" + (toTag.isEmpty() ? "" : ";tag=" + toTag) + "\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: " + (method.equals("INVITE") || method.equals("ACK") ? 1 : 2) + " " + method + "\n"
                + "Contact: <sip:a@127.0.0.1:5071>\n"
                + "Max-Forwards: 70\n"
                + "Content-Length: 0\n\n";
    }

    /** A PBX's answer to {@code request}: its Vias, Record-Route, From, Call-ID, CSeq, and a To tag. */
    static String answer(String request, String status, String toTag) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append('\n');
        for (String line : request.split("\r\n")) {
            String l = line.toLowerCase();
            if (l.startsWith("via:") || l.startsWith("v:") || l.startsWith("record-route:") || l.startsWith("from:")
                    || l.startsWith("f:") || l.startsWith("call-id:") || l.startsWith("i:") || l.startsWith("cseq:")) {
                b.append(line).append('\n');
            } else if (l.startsWith("to:") || l.startsWith("t:")) {
                b.append(line).append(line.contains("tag=") ? "" : ";tag=" + toTag).append('\n');
            }
        }
        return b.append("Contact: <sip:b@127.0.0.1:5081>\nContent-Length: 0\n\n").toString();
    }

    static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    /** One call set up through the proxy; returns {pbx index, Record-Route set as the caller must use it}. */
    static String[] establishCall(String callId) throws Exception {
        caller.send(request("INVITE", "sip:service@127.0.0.1:5060", callId, "", ""), PROXY);
        Peer pbx = null;
        String fwd = null;
        for (int i = 0; i < 30 && fwd == null; i++) {
            for (Peer p : List.of(pbx1, pbx2)) {
                String m = p.inbox.poll(50, TimeUnit.MILLISECONDS);
                if (m != null && m.startsWith("INVITE ")) {
                    pbx = p;
                    fwd = m;
                    break;
                }
            }
        }
        if (fwd == null) {
            throw new IllegalStateException("the INVITE of " + callId + " reached no PBX");
        }
        pbx.send(answer(fwd, "200 OK", "pbx"), PROXY);
        String ok = caller.receive(3000);
        if (ok == null || !ok.startsWith("SIP/2.0 200")) {
            throw new IllegalStateException("no 200 for " + callId + ": " + ok);
        }
        String rr = header(ok, "Record-Route");
        String ack = request("ACK", "sip:b@127.0.0.1:" + pbx.socket.getLocalPort(), callId, "Route: " + rr + "\n", "pbx");
        caller.send(ack, PROXY);
        pbx.receive(1000);
        return new String[] {String.valueOf(pbx.socket.getLocalPort()), rr};
    }

    static void result(String attack, boolean harmed, String detail) {
        rows.add(attack + " | " + (harmed ? "HARMED" : "safe") + " | " + detail);
    }

    static void relayByForeignRouteInDialog() throws Exception {
        drain();
        String[] call = establishCall("relay-in-dialog");
        caller.send(request("BYE", "sip:b@127.0.0.1:" + call[0], "relay-in-dialog",
                "Route: " + call[1] + ", <sip:127.0.0.1:5099;lr>\n", "pbx"), PROXY);
        String leaked = thirdParty.receive("relay-in-dialog", 1500);
        String back = caller.receive(500);
        result("in-dialog BYE with the dialog's Record-Route and a foreign Route after it", leaked != null,
                leaked != null ? "the third party got: " + firstLine(leaked) : "caller got: " + firstLine(back));
    }

    static void relayByForeignRouteWithoutDialog() throws Exception {
        drain();
        caller.send(request("INFO", "sip:x@127.0.0.1:5099", "relay-no-dialog",
                "Route: <sip:127.0.0.1:5060;lr>, <sip:127.0.0.1:5099;lr>\n", "forged"), PROXY);
        String leaked = thirdParty.receive("relay-no-dialog", 1500);
        String back = caller.receive(500);
        result("in-dialog INFO with no valid token: Route to the proxy, then a foreign Route", leaked != null,
                leaked != null ? "the third party got: " + firstLine(leaked) : "caller got: " + firstLine(back));
    }

    static void relayByRequestUriOfAnInitialRequest() throws Exception {
        drain();
        attacker.send(request("MESSAGE", "sip:x@127.0.0.1:5099", "relay-ruri", "", "")
                .replace("127.0.0.1:5071", "127.0.0.2:5072"), PROXY);
        String leaked = thirdParty.receive("relay-ruri", 1500);
        result("initial MESSAGE whose Request-URI names a third party", leaked != null,
                leaked != null ? "the third party got: " + firstLine(leaked) : "not sent to the Request-URI");
    }

    static void reflectUnsolicitedResponse(String transport) throws Exception {
        drain();
        String forged = "SIP/2.0 200 OK\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKshL1f2e3d4c5b6a7988\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.1:5099;branch=z9hG4bK-victim\n"
                + "From: <sip:x@127.0.0.1>;tag=x\nTo: <sip:y@127.0.0.1>;tag=y\n"
                + "Call-ID: forged-" + transport + "\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n";
        for (int i = 0; i < 3; i++) {
            attacker.send(forged, PROXY);
        }
        boolean harmed;
        String detail;
        if (transport.equals("UDP")) {
            String leaked = thirdParty.receive("forged-" + transport, 1500);
            harmed = leaked != null;
            detail = harmed ? "the third party got: " + firstLine(leaked) : "nothing reached the third party";
        } else {
            thirdPartyTcp.setSoTimeout(1500);
            try (Socket s = thirdPartyTcp.accept()) {
                s.setSoTimeout(500);
                byte[] b = new byte[4096];
                int n;
                try {
                    n = s.getInputStream().read(b);
                } catch (SocketTimeoutException e) {
                    n = 0;
                }
                harmed = true;
                detail = "the proxy connected to the third party and wrote " + Math.max(n, 0) + " bytes";
            } catch (SocketTimeoutException e) {
                harmed = false;
                detail = "no connection to the third party";
            }
        }
        result("unsolicited 200 OK, second Via " + transport + " to a third party", harmed, detail);
    }

    static void forgedFinalResponseFromAnotherSource() throws Exception {
        drain();
        caller.send(request("INVITE", "sip:service@127.0.0.1:5060", "forged-final", "", ""), PROXY);
        String fwd = null;
        Peer pbx = null;
        for (int i = 0; i < 30 && fwd == null; i++) {
            for (Peer p : List.of(pbx1, pbx2)) {
                String m = p.inbox.poll(50, TimeUnit.MILLISECONDS);
                if (m != null && m.startsWith("INVITE ")) {
                    fwd = m;
                    pbx = p;
                    break;
                }
            }
        }
        if (fwd == null) {
            throw new IllegalStateException("the INVITE of forged-final reached no PBX");
        }
        attacker.send(answer(fwd, "486 Busy Here", "forger"), PROXY); // the real branch, sniffed
        String got = caller.receive(1500);
        boolean harmed = got != null && got.startsWith("SIP/2.0 486");
        result("forged 486 for a live call (sniffed branch) from another source", harmed,
                harmed ? "the caller got the forged 486" : "the caller got: " + firstLine(got));
        pbx.send(answer(fwd, "200 OK", "pbx"), PROXY); // end the call cleanly where it still lives
        caller.receive(1000);
    }

    static void malformedFlood(long pid, int count) throws Exception {
        drain();
        long before = rssKb(pid);
        StringBuilder pad = new StringBuilder();
        while (pad.length() < 3300) {
            pad.append("X-Pad: 0123456789abcdef0123456789abcdef0123456789abcdef\n");
        }
        String junk = "OPTIONS sip:x@127.0.0.1:5060 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.2:5072;branch=z9hG4bK-j\n"
                + "From: <sip:a@b>;tag=1\nTo: <sip:a@b\nCall-ID: junk\nCSeq: 1 OPTIONS\nMax-Forwards: 70\n" + pad
                + "Content-Length: 0\n\n";
        for (int i = 0; i < count; i++) {
            attacker.send(junk, PROXY);
            if ((i & 255) == 255) {
                Thread.sleep(1); // about 100k datagrams/s at most, so the kernel drops little
            }
        }
        Thread.sleep(3000);
        long after = rssKb(pid);
        result(count + " malformed 3.5 KB OPTIONS (bad To) from one source", after - before > 64 * 1024,
                "RSS of the proxy's process tree " + before / 1024 + " MB before, " + after / 1024 + " MB 3 s after");
    }

    /** Resident set of {@code pid} and its children (Kamailio's workers), in KB. */
    static long rssKb(long pid) throws IOException {
        long total = 0;
        for (long p : ProcessHandle.of(pid).map(h -> h.descendants().map(ProcessHandle::pid).toList())
                .orElse(List.of())) {
            total += rssOf(p);
        }
        return total + rssOf(pid);
    }

    static long rssOf(long pid) throws IOException {
        Path status = Path.of("/proc/" + pid + "/status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    static String firstLine(String m) {
        return m == null ? "nothing" : m.lines().findFirst().orElse("");
    }
}
