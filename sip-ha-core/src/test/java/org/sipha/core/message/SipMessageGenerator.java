package org.sipha.core.message;

import static org.sipha.core.message.BiasedDraws.anyOf;
import static org.sipha.core.message.BiasedDraws.between;
import static org.sipha.core.message.BiasedDraws.list;
import static org.sipha.core.message.BiasedDraws.orNull;
import static org.sipha.core.message.GeneratedMessage.NameAddrSpec;
import static org.sipha.core.message.GeneratedMessage.Param;
import static org.sipha.core.message.GeneratedMessage.ViaSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Generators of valid SIP messages and their parts, each drawing from the {@link Random} it is given. Values
 * that a property checks (hosts, ports, branches, URIs, tags, bodies) come from {@link BiasedDraws}, which
 * favours bounds and empty values; layout choices that RFC 3261 leaves free (header order, compact or long
 * names, letter case, LWS, line folding, how Via/Route values are spread over lines, CRLF or bare LF) are
 * made by {@link MessageLayout}.
 */
final class SipMessageGenerator {
    static final String TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
    static final List<String> METHODS = List.of(
            "INVITE",
            "ACK",
            "BYE",
            "CANCEL",
            "OPTIONS",
            "REGISTER",
            "PRACK",
            "SUBSCRIBE",
            "NOTIFY",
            "PUBLISH",
            "INFO",
            "REFER",
            "MESSAGE",
            "UPDATE");
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String ALNUM = LOWER + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String CALL_ID_CHARS = ALNUM + "-.!%*_+`'~()<>:\\\"/[]?{}";
    private static final String PRINTABLE = printable();

    private SipMessageGenerator() {}

    static String tokens(Random r, int min, int max) {
        return BiasedDraws.string(r, TOKEN_CHARS, min, max);
    }

    /** IPv4 addresses from the documentation networks (RFC 5737) and loopback: never a real peer's. */
    static String ipv4(Random r) {
        if (r.nextInt(3) < 2) {
            return anyOf(r, "192.0.2.", "198.51.100.", "203.0.113.") + octet(r);
        }
        return "127." + octet(r) + "." + octet(r) + "." + octet(r);
    }

    private static int octet(Random r) {
        return between(r, 0, 255);
    }

    /**
     * IPv6 references with brackets, in the documentation prefix 2001:db8::/32 (RFC 3849) or loopback and
     * link-local: full, compressed with {@code ::}, and a few classic forms.
     */
    static String ipv6(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> "[2001:db8:" + join(groups(r), 0, 6) + "]";
            case 1 -> {
                List<Integer> g = groups(r);
                int head = between(r, 0, 3);
                int tail = between(r, 0, 2);
                yield "[2001:db8" + (head > 0 ? ":" : "") + join(g, 0, head) + "::" + join(g, 6 - tail, 6) + "]";
            }
            default ->
                anyOf(
                        r,
                        "[::1]",
                        "[::]",
                        "[2001:db8::1]",
                        "[fe80::a:b:c:d]",
                        "[2001:DB8:0:0:8:800:200C:417A]",
                        "[::ffff:192.0.2.128]");
        };
    }

    private static List<Integer> groups(Random r) {
        List<Integer> g = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            g.add(between(r, 0, 0xffff));
        }
        return g;
    }

    private static String join(List<Integer> groups, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) {
            s.append(i > from ? ":" : "").append(Integer.toHexString(groups.get(i)));
        }
        return s.toString();
    }

    /** Host names under the reserved top-level domains of RFC 2606. */
    static String domain(Random r) {
        List<String> labels = list(
                r,
                1,
                3,
                x -> BiasedDraws.string(x, LOWER, 1, 1)
                        + BiasedDraws.string(x, LOWER + "0123456789-", 0, 10)
                        + BiasedDraws.string(x, ALNUM, 1, 1));
        String d = String.join(".", labels);
        return anyOf(r, d + ".example.com", d + ".invalid", d + ".test", d + ".example");
    }

    static String host(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> ipv4(r);
            case 1 -> ipv6(r);
            default -> domain(r);
        };
    }

    /** -1 (no port) two times in five, else a port with 0 and 65535 among the favoured values. */
    static int optionalPort(Random r) {
        return r.nextInt(5) < 2 ? -1 : between(r, 0, 65535);
    }

    /** Via values: transports, IPv4/IPv6/domain sent-by, optional port, branch, rport, received, extras. */
    static ViaSpec via(Random r) {
        String transport = anyOf(r, "UDP", "TCP", "TLS", "SCTP", "WS", "WSS", "udp", "tcp");
        String host = host(r);
        int port = optionalPort(r);
        List<Param> params = list(r, 0, 3, SipMessageGenerator::viaExtraParam);
        Param branch = orNull(r, 0.1, x -> {
            String t = tokens(x, 1, 20);
            return anyOf(
                    x,
                    new Param("branch", "z9hG4bK" + t),
                    new Param("branch", "z9hG4bK" + t),
                    new Param("Branch", "z9hG4bK" + t),
                    new Param("branch", t));
        });
        Param rport = orNull(
                r,
                0.4,
                x -> anyOf(
                        x,
                        new Param("rport", null),
                        new Param("RPort", null),
                        new Param("rport", String.valueOf(between(x, 0, 65535)))));
        Param received = orNull(r, 0.7, x -> new Param("received", x.nextBoolean() ? ipv4(x) : ipv6(x)));
        for (Param p : new Param[] {branch, rport, received}) {
            if (p != null) {
                params.add(p);
            }
        }
        Collections.shuffle(params, r);
        return new ViaSpec(
                transport,
                host,
                port,
                params,
                pick(r, 90, "/", " / "),
                pick(r, 85, " ", "  ", "\t", " \t "),
                pick(r, 90, ":", " : "),
                pick(r, 85, ";", " ;", "; ", " ; "));
    }

    private static Param viaExtraParam(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> new Param("ttl", String.valueOf(between(r, 0, 255)));
            case 1 -> new Param("maddr", host(r));
            case 2 -> anyOf(r, new Param("alias", null), new Param("keep", null), new Param("comp", "sigcomp"));
            case 3 -> {
                String name = "x-" + tokens(r, 1, 8);
                String value = tokens(r, 0, 8);
                yield new Param(name, value.isEmpty() ? null : value);
            }
            default -> new Param("x-" + tokens(r, 1, 8), quotedText(r));
        };
    }

    /** A quoted-string with escaped quotes and backslashes and the separators a splitter must not split at. */
    static String quotedText(Random r) {
        List<String> chunks = list(
                r,
                0,
                6,
                x -> x.nextBoolean()
                        ? BiasedDraws.string(x, ALNUM + " ,;:<>@=/?()[]{}", 1, 6)
                        : anyOf(x, "\\\"", "\\\\", "\\a", "\u00c3\u00a7", "\u00e2\u0082\u00ac"));
        return "\"" + String.join("", chunks) + "\"";
    }

    static String displayName(Random r) {
        return r.nextBoolean() ? quotedText(r) : String.join(" ", list(r, 1, 3, x -> tokens(x, 1, 8)));
    }

    static String user(Random r) {
        return switch (r.nextInt(4)) {
            case 0, 1 -> plainUser(r);
            case 2 -> {
                String u = plainUser(r);
                yield u + "%20" + u;
            }
            default -> "+" + BiasedDraws.string(r, "0123456789", 3, 12);
        };
    }

    private static String plainUser(Random r) {
        return BiasedDraws.string(r, ALNUM + "-_.!~*'", 1, 12);
    }

    /** Route and Record-Route entries: always {@code <sip:...>}, mostly loose-routing, some with display names. */
    static NameAddrSpec routeEntry(Random r) {
        String scheme = anyOf(r, "sip", "sips");
        String user = r.nextBoolean() ? "" : user(r) + "@";
        String host = host(r);
        int port = optionalPort(r);
        boolean lr = r.nextInt(4) != 0;
        String extra = anyOf(r, "", ";transport=tcp", ";ftag=a1b2", ";x-q=1");
        String displayName = orNull(r, 0.7, SipMessageGenerator::displayName);
        boolean fold = r.nextInt(4) == 0;
        String uri = scheme + ":" + user + host + (port >= 0 ? ":" + port : "") + (lr ? ";lr" : "") + extra;
        List<Param> params = fold ? List.of(new Param("x-hp", "1")) : List.of();
        return new NameAddrSpec(displayName, true, uri, host, port, lr, params, displayName != null && fold);
    }

    /** From and To values: name-addr or bare addr-spec, with a tag unless {@code tag} is false. */
    static NameAddrSpec party(Random r, boolean tag) {
        String user = user(r);
        String host = host(r);
        int port = optionalPort(r);
        String displayName = orNull(r, 0.4, SipMessageGenerator::displayName);
        String t = tag ? tokens(r, 1, 16) : null;
        boolean angle = r.nextInt(4) != 0;
        boolean fold = r.nextInt(4) == 0;
        String uri = "sip:" + user + "@" + host + (port >= 0 ? ":" + port : "");
        List<Param> params = t == null ? List.of() : List.of(new Param("tag", t));
        return new NameAddrSpec(
                displayName, angle || displayName != null, uri, host, port, false, params, displayName != null && fold);
    }

    static NameAddrSpec contact(Random r) {
        String user = user(r);
        String host = host(r);
        int port = optionalPort(r);
        List<Param> params = anyOf(
                r,
                List.of(),
                List.of(new Param("expires", "3600")),
                List.of(new Param("+sip.instance", "\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"")));
        return new NameAddrSpec(
                null,
                true,
                "sip:" + user + "@" + host + (port >= 0 ? ":" + port : ""),
                host,
                port,
                false,
                params,
                false);
    }

    /** Request-URIs: sip/sips with user, host, port and parameters (eight in ten); tel and urn. */
    static String requestUri(Random r) {
        int kind = r.nextInt(10);
        if (kind == 8) {
            return "tel:+1" + BiasedDraws.string(r, "0123456789-", 1, 12) + ";phone-context=example.com";
        }
        if (kind == 9) {
            return "urn:service:sos";
        }
        String scheme = anyOf(r, "sip", "sips");
        String user = r.nextBoolean() ? "" : user(r) + "@";
        String host = host(r);
        int port = optionalPort(r);
        String params = anyOf(r, "", ";transport=udp", ";user=phone", ";lr", ";maddr=239.255.255.1;ttl=15");
        return scheme + ":" + user + host + (port >= 0 ? ":" + port : "") + params;
    }

    static String callId(Random r) {
        String word = BiasedDraws.string(r, CALL_ID_CHARS, 1, 32);
        String host = orNull(r, 0.5, SipMessageGenerator::host);
        return host == null ? word : word + "@" + host;
    }

    /** One of {@link #METHODS} nine times in ten, else an extension method of capitals and dashes. */
    static String method(Random r) {
        if (r.nextInt(10) < 9) {
            return anyOf(r, METHODS.toArray(new String[0]));
        }
        return BiasedDraws.string(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1, 1)
                + BiasedDraws.string(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ-", 2, 9);
    }

    /** Bodies as Latin-1 text: none, SDP-like text, or arbitrary bytes (CR, LF, NUL and high bytes included). */
    static String body(Random r) {
        int kind = r.nextInt(10);
        if (kind < 6) {
            return "";
        }
        if (kind < 8) {
            String ip = ipv4(r);
            return "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio "
                    + between(r, 1024, 65535) + " RTP/AVP 0\r\n";
        }
        int n = BiasedDraws.size(r, 1, 200);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) (between(r, Byte.MIN_VALUE, Byte.MAX_VALUE) & 0xff));
        }
        return s.toString();
    }

    /** Extra headers sip-ha does not interpret: {@code X-} names, empty, ASCII and UTF-8 values. */
    static String[] extraHeader(Random r) {
        String name = "X-" + tokens(r, 1, 10);
        String value = switch (r.nextInt(4)) {
            case 0 -> "";
            case 1, 2 -> {
                String text = BiasedDraws.string(r, PRINTABLE, 1, 40).trim();
                yield text.isEmpty() ? BiasedDraws.string(r, PRINTABLE.trim(), 1, 1) : text;
            }
            default -> "caf\u00c3\u00a9 \u00e2\u0082\u00ac 1";
        };
        return new String[] {name, value};
    }

    /** A valid request or response, see the class comment. */
    static GeneratedMessage message(Random r) {
        String method = method(r);
        MessageLayout.Head head = r.nextBoolean()
                ? new MessageLayout.Head(true, method, requestUri(r), 0, null)
                : new MessageLayout.Head(
                        false,
                        method,
                        null,
                        between(r, 100, 699),
                        anyOf(r, "OK", "Trying", "Ringing", "Session Progress", "Not Found", "", "\u00c3\u0087a va"));
        List<ViaSpec> vias = list(r, 1, 6, SipMessageGenerator::via);
        List<NameAddrSpec> routes = list(r, 0, 4, SipMessageGenerator::routeEntry);
        List<NameAddrSpec> recordRoutes = list(r, 0, 4, SipMessageGenerator::routeEntry);
        NameAddrSpec from = party(r, true);
        NameAddrSpec toNoTag = party(r, false);
        NameAddrSpec toTag = party(r, true);
        List<NameAddrSpec> contacts = list(r, 0, 2, SipMessageGenerator::contact);
        MessageLayout.Parties parties =
                new MessageLayout.Parties(from, contacts.size() % 2 == 0 ? toTag : toNoTag, contacts);
        MessageLayout.Ids ids = new MessageLayout.Ids(callId(r), between(r, 0, 0xFFFF_FFFFL), maxForwards(r));
        String body = body(r);
        MessageLayout.Extras extras =
                new MessageLayout.Extras(list(r, 0, 6, SipMessageGenerator::extraHeader), r.nextLong());
        return MessageLayout.build(head, vias, routes, recordRoutes, parties, ids, body, extras);
    }

    /** -1 (no Max-Forwards) one time in six, mostly 0..255, sometimes up to {@link Integer#MAX_VALUE}. */
    private static int maxForwards(Random r) {
        int kind = r.nextInt(6);
        return kind == 0 ? -1 : kind < 5 ? between(r, 0, 255) : between(r, 0, Integer.MAX_VALUE);
    }

    /** Picks the first choice with {@code firstPercent} probability, else one of the others uniformly. */
    static String pick(Random r, int firstPercent, String first, String... others) {
        return r.nextInt(100) < firstPercent ? first : others[r.nextInt(others.length)];
    }

    private static String printable() {
        StringBuilder s = new StringBuilder();
        for (char c = ' '; c <= '~'; c++) {
            s.append(c);
        }
        return s.toString();
    }
}
