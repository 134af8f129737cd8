package org.sipha.dispatcher.engine;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What the proxy's peers send back in a fuzz run, written from what the proxy sent them (as text): a destination's
 * answer to a request, an in-dialog request of the caller (from a response it got) or of the callee (from the
 * INVITE it got), and a caller's CANCEL. The fuzzer cannot forge the proxy's signed branches and tokens, so these
 * let it reach the stateful paths; whatever it sends raw comes on top. Malformed inputs give malformed messages,
 * which is fine: the proxy must cope with them too.
 */
final class ScriptedPeers {
    static final int[] CODES = {100, 180, 183, 200, 202, 302, 401, 404, 408, 480, 486, 487, 500, 503, 600, 603};
    static final String[] METHODS = {"ACK", "BYE", "INFO", "UPDATE", "PRACK", "INVITE", "REFER", "NOTIFY"};

    private ScriptedPeers() {}

    /** The answer of the destination at {@code self} to {@code request}, with {@code code}. */
    static String answer(String request, int code, InetSocketAddress self) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(code).append(" Scripted\r\n");
        for (String line : headerLines(request)) {
            String name = name(line);
            if (name.equals("via") || name.equals("v") || name.equals("call-id") || name.equals("i")) {
                b.append(line).append("\r\n");
            } else if (name.equals("from") || name.equals("f") || name.equals("cseq")) {
                b.append(line).append("\r\n");
            } else if ((name.equals("record-route")) && code > 100 && code < 300) {
                b.append(line).append("\r\n");
            } else if (name.equals("to") || name.equals("t")) {
                b.append(line)
                        .append(code > 100 && !line.contains(";tag=") ? ";tag=callee" : "")
                        .append("\r\n");
            }
        }
        if (code > 100 && code < 300) {
            b.append("Contact: <sip:callee@").append(hostPort(self)).append(">\r\n");
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }

    /** The caller at {@code self}, in the dialog {@code response} (sent to it by the proxy) set up, sends {@code method}. */
    static String fromCaller(String response, String method, InetSocketAddress self, int seq, String extra) {
        List<String> lines = headerLines(response);
        String target = uri(first(lines, "contact", "m"), "sip:callee@10.0.0.1:5081");
        StringBuilder b = requestLine(method, target, self, seq);
        for (String rr : values(lines, "record-route", null)) {
            b.append("Route: ").append(rr).append("\r\n");
        }
        copyDialog(b, lines, method, seq, false);
        return b.append(extra).append("Content-Length: 0\r\n\r\n").toString();
    }

    /** The callee at {@code self}, in the dialog of {@code invite} (sent to it by the proxy), sends {@code method}. */
    static String fromCallee(String invite, String method, InetSocketAddress self, int seq, String extra) {
        List<String> lines = headerLines(invite);
        String target = uri(first(lines, "contact", "m"), "sip:caller@192.0.2.10:5060");
        StringBuilder b = requestLine(method, target, self, seq);
        List<String> routes = new ArrayList<>(values(lines, "record-route", null));
        Collections.reverse(routes);
        for (String rr : routes) {
            b.append("Route: ").append(rr).append("\r\n");
        }
        copyDialog(b, lines, method, seq, true);
        return b.append(extra).append("Content-Length: 0\r\n\r\n").toString();
    }

    /** The CANCEL of the caller's own {@code invite}: its request line, top Via, From, To, Call-ID and CSeq. */
    static String cancel(String invite) {
        List<String> lines = headerLines(invite);
        String requestLine = lines.isEmpty() ? "CANCEL sip:x SIP/2.0" : lines.get(0);
        int sp = requestLine.indexOf(' ');
        StringBuilder b = new StringBuilder("CANCEL").append(sp < 0 ? " sip:x SIP/2.0" : requestLine.substring(sp));
        b.append("\r\n");
        String via = first(lines, "via", "v");
        if (via != null) {
            b.append("Via: ").append(via).append("\r\n");
        }
        for (String h : new String[] {"from", "to", "call-id"}) {
            String v = first(lines, h, null);
            if (v != null) {
                b.append(h).append(": ").append(v).append("\r\n");
            }
        }
        String cseq = first(lines, "cseq", null);
        String number = cseq == null ? "1" : cseq.split(" ", 2)[0];
        return b.append("CSeq: ")
                .append(number)
                .append(" CANCEL\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
                .toString();
    }

    private static StringBuilder requestLine(String method, String target, InetSocketAddress self, int seq) {
        return new StringBuilder(method)
                .append(' ')
                .append(target)
                .append(" SIP/2.0\r\nVia: SIP/2.0/UDP ")
                .append(hostPort(self))
                .append(";branch=z9hG4bK-scripted")
                .append(seq)
                .append(";rport\r\nMax-Forwards: 70\r\n");
    }

    /** From, To (swapped for the callee, who adds its tag), Call-ID and a CSeq for {@code method}. */
    private static void copyDialog(StringBuilder b, List<String> lines, String method, int seq, boolean callee) {
        String from = first(lines, "from", "f");
        String to = first(lines, "to", "t");
        if (callee && to != null && !to.contains(";tag=")) {
            to = to + ";tag=callee";
        }
        b.append("From: ").append(callee ? to : from).append("\r\n");
        b.append("To: ").append(callee ? from : to).append("\r\n");
        String callId = first(lines, "call-id", "i");
        if (callId != null) {
            b.append("Call-ID: ").append(callId).append("\r\n");
        }
        String cseq = first(lines, "cseq", null);
        long number = 1;
        try {
            number = cseq == null ? 1 : Long.parseLong(cseq.split(" ", 2)[0].trim());
        } catch (NumberFormatException e) {
            // a malformed CSeq in what the proxy relayed: start at 1
        }
        long n = method.equals("ACK") ? number : callee ? 100 + seq : number + 1 + seq;
        b.append("CSeq: ").append(n).append(' ').append(method).append("\r\n");
    }

    /** The lines of the header block, the start line first (CRLF or bare LF ends a line). */
    static List<String> headerLines(String message) {
        List<String> out = new ArrayList<>();
        for (String line : message.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            out.add(line);
        }
        return out;
    }

    private static String name(String line) {
        int colon = line.indexOf(':');
        return colon < 0 ? "" : line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
    }

    private static List<String> values(List<String> lines, String name, String compact) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String n = name(lines.get(i));
            if (n.equals(name) || n.equals(compact)) {
                out.add(lines.get(i).substring(lines.get(i).indexOf(':') + 1).trim());
            }
        }
        return out;
    }

    private static String first(List<String> lines, String name, String compact) {
        List<String> v = values(lines, name, compact);
        return v.isEmpty() ? null : v.get(0);
    }

    /** The URI of a name-addr or addr-spec value, or {@code otherwise}. */
    private static String uri(String value, String otherwise) {
        if (value == null) {
            return otherwise;
        }
        int lt = value.indexOf('<');
        int gt = value.indexOf('>', lt + 1);
        if (lt >= 0 && gt > lt) {
            return value.substring(lt + 1, gt);
        }
        int semi = value.indexOf(';');
        String u = (semi < 0 ? value : value.substring(0, semi)).trim();
        return u.isEmpty() || u.contains(" ") ? otherwise : u;
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
