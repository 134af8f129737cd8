package org.sipha.core.message;

import static org.sipha.core.message.GeneratedMessage.NameAddrSpec;
import static org.sipha.core.message.GeneratedMessage.Param;
import static org.sipha.core.message.GeneratedMessage.ViaSpec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * jqwik generators for valid SIP messages and their parts. Values that a property checks (hosts, ports,
 * branches, URIs, tags, bodies) come from shrinkable arbitraries; layout choices that RFC 3261 leaves free
 * (header order, compact or long names, letter case, LWS, line folding, how Via/Route values are spread over
 * lines, CRLF or bare LF) come from one seeded {@link Random} per message, see {@link MessageLayout}.
 */
final class SipMessageArbitraries {
    static final String TOKEN_CHARS =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
    static final List<String> METHODS = List.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK",
        "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE");
    private static final String ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String CALL_ID_CHARS = ALNUM + "-.!%*_+`'~()<>:\\\"/[]?{}";

    private SipMessageArbitraries() {
    }

    static Arbitrary<String> tokens(int min, int max) {
        return Arbitraries.strings().withChars(TOKEN_CHARS).ofMinLength(min).ofMaxLength(max);
    }

    /** IPv4 addresses from the documentation networks (RFC 5737) and loopback: never a real peer's. */
    static Arbitrary<String> ipv4() {
        Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
        Arbitrary<String> documentation = Combinators.combine(
            Arbitraries.of("192.0.2.", "198.51.100.", "203.0.113."), octet).as((net, host) -> net + host);
        Arbitrary<String> loopback = Combinators.combine(octet, octet, octet)
            .as((a, b, c) -> "127." + a + "." + b + "." + c);
        return Arbitraries.oneOf(documentation, documentation, loopback);
    }

    /**
     * IPv6 references with brackets, in the documentation prefix 2001:db8::/32 (RFC 3849) or loopback and
     * link-local: full, compressed with {@code ::}, and a few classic forms.
     */
    static Arbitrary<String> ipv6() {
        Arbitrary<List<Integer>> groups = Arbitraries.integers().between(0, 0xffff).list().ofSize(6);
        Arbitrary<String> full = groups.map(g -> "[2001:db8:" + join(g, 0, 6) + "]");
        Arbitrary<String> compressed = Combinators.combine(groups, Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 2)).as((g, head, tail) ->
                "[2001:db8" + (head > 0 ? ":" : "") + join(g, 0, head) + "::" + join(g, 6 - tail, 6) + "]");
        Arbitrary<String> classic = Arbitraries.of("[::1]", "[::]", "[2001:db8::1]", "[fe80::a:b:c:d]",
            "[2001:DB8:0:0:8:800:200C:417A]", "[::ffff:192.0.2.128]");
        return Arbitraries.oneOf(full, compressed, classic);
    }

    private static String join(List<Integer> groups, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) {
            s.append(i > from ? ":" : "").append(Integer.toHexString(groups.get(i)));
        }
        return s.toString();
    }

    /** Host names under the reserved top-level domains of RFC 2606. */
    static Arbitrary<String> domains() {
        Arbitrary<String> label = Combinators.combine(
            Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz").ofLength(1),
            Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-").ofMaxLength(10),
            Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                .ofLength(1)).as((a, b, c) -> a + b + c);
        return label.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(".", l))
            .flatMap(d -> Arbitraries.of(d + ".example.com", d + ".invalid", d + ".test", d + ".example"));
    }

    static Arbitrary<String> hosts() {
        return Arbitraries.oneOf(ipv4(), ipv6(), domains());
    }

    static Arbitrary<Integer> optionalPorts() {
        return Arbitraries.frequencyOf(
            Tuple.of(2, Arbitraries.just(-1)),
            Tuple.of(3, Arbitraries.integers().between(0, 65535)));
    }

    /** Via values: transports, IPv4/IPv6/domain sent-by, optional port, branch, rport, received, extras. */
    static Arbitrary<ViaSpec> vias() {
        Arbitrary<String> transport = Arbitraries.of("UDP", "TCP", "TLS", "SCTP", "WS", "WSS", "udp", "tcp");
        Arbitrary<Param> branch = tokens(1, 20).flatMap(t -> Arbitraries.of(
            new Param("branch", "z9hG4bK" + t), new Param("branch", "z9hG4bK" + t),
            new Param("Branch", "z9hG4bK" + t), new Param("branch", t))).injectNull(0.1);
        Arbitrary<Param> rport = Arbitraries.integers().between(0, 65535).flatMap(p -> Arbitraries.of(
            new Param("rport", null), new Param("RPort", null), new Param("rport", String.valueOf(p))))
            .injectNull(0.4);
        Arbitrary<Param> received = Arbitraries.oneOf(ipv4(), ipv6()).map(h -> new Param("received", h))
            .injectNull(0.7);
        return Combinators.combine(transport, hosts(), optionalPorts(), branch, rport, received,
            viaExtraParams().list().ofMaxSize(3), layoutSeeds()).as((t, h, port, b, rp, rc, extras, seed) -> {
                Random r = new Random(seed);
                List<Param> params = new ArrayList<>(extras);
                for (Param p : new Param[] {b, rp, rc}) {
                    if (p != null) {
                        params.add(p);
                    }
                }
                Collections.shuffle(params, r);
                return new ViaSpec(t, h, port, params, pick(r, 90, "/", " / "),
                    pick(r, 85, " ", "  ", "\t", " \t "), pick(r, 90, ":", " : "), pick(r, 85, ";", " ;", "; ", " ; "));
            });
    }

    private static Arbitrary<Param> viaExtraParams() {
        return Arbitraries.oneOf(
            Arbitraries.integers().between(0, 255).map(v -> new Param("ttl", String.valueOf(v))),
            hosts().map(h -> new Param("maddr", h)),
            Arbitraries.of(new Param("alias", null), new Param("keep", null), new Param("comp", "sigcomp")),
            Combinators.combine(tokens(1, 8), tokens(0, 8)).as((n, v) -> new Param("x-" + n, v.isEmpty() ? null : v)),
            Combinators.combine(tokens(1, 8), quotedText()).as((n, q) -> new Param("x-" + n, q)));
    }

    /** A quoted-string with escaped quotes and backslashes and the separators a splitter must not split at. */
    static Arbitrary<String> quotedText() {
        Arbitrary<String> chunk = Arbitraries.oneOf(
            Arbitraries.strings().withChars(ALNUM + " ,;:<>@=/?()[]{}").ofMinLength(1).ofMaxLength(6),
            Arbitraries.of("\\\"", "\\\\", "\\a", "\u00c3\u00a7", "\u00e2\u0082\u00ac"));
        return chunk.list().ofMaxSize(6).map(l -> "\"" + String.join("", l) + "\"");
    }

    static Arbitrary<String> displayNames() {
        Arbitrary<String> tokenRun = tokens(1, 8).list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(" ", l));
        return Arbitraries.oneOf(quotedText(), tokenRun);
    }

    static Arbitrary<String> users() {
        Arbitrary<String> plain = Arbitraries.strings().withChars(ALNUM + "-_.!~*'").ofMinLength(1).ofMaxLength(12);
        return Arbitraries.oneOf(plain, plain, plain.map(u -> u + "%20" + u), Arbitraries.strings()
            .withChars("0123456789").ofMinLength(3).ofMaxLength(12).map(d -> "+" + d));
    }

    /** Route and Record-Route entries: always {@code <sip:...>}, mostly loose-routing, some with display names. */
    static Arbitrary<NameAddrSpec> routeEntries() {
        Arbitrary<String> user = Arbitraries.oneOf(Arbitraries.just(""), users().map(u -> u + "@"));
        Arbitrary<String> uriParams = Arbitraries.of("", ";transport=tcp", ";ftag=a1b2", ";x-q=1");
        return Combinators.combine(Arbitraries.of("sip", "sips"), user, hosts(), optionalPorts(),
            Arbitraries.of(true, true, true, false), uriParams, displayNames().injectNull(0.7),
            Arbitraries.of(true, false, false, false)).as((scheme, u, h, port, lr, extra, dn, fold) -> {
                String uri = scheme + ":" + u + h + (port >= 0 ? ":" + port : "") + (lr ? ";lr" : "") + extra;
                List<Param> params = fold ? List.of(new Param("x-hp", "1")) : List.of();
                return new NameAddrSpec(dn, true, uri, h, port, lr, params, dn != null && fold);
            });
    }

    /** From and To values: name-addr or bare addr-spec, with a tag unless {@code tag} is false. */
    static Arbitrary<NameAddrSpec> parties(boolean tag) {
        Arbitrary<String> tags = tag ? tokens(1, 16) : Arbitraries.just((String) null);
        return Combinators.combine(users(), hosts(), optionalPorts(), displayNames().injectNull(0.4), tags,
            Arbitraries.of(true, true, true, false), Arbitraries.of(true, false, false, false))
            .as((u, h, port, dn, t, angle, fold) -> {
                String uri = "sip:" + u + "@" + h + (port >= 0 ? ":" + port : "");
                List<Param> params = t == null ? List.of() : List.of(new Param("tag", t));
                boolean useAngle = angle || dn != null;
                return new NameAddrSpec(dn, useAngle, uri, h, port, false, params, dn != null && fold);
            });
    }

    static Arbitrary<NameAddrSpec> contacts() {
        Arbitrary<List<Param>> params = Arbitraries.of(List.of(), List.of(new Param("expires", "3600")),
            List.of(new Param("+sip.instance", "\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"")));
        return Combinators.combine(users(), hosts(), optionalPorts(), params).as((u, h, port, p) ->
            new NameAddrSpec(null, true, "sip:" + u + "@" + h + (port >= 0 ? ":" + port : ""), h, port, false, p,
                false));
    }

    /** Request-URIs: sip/sips with user, host, port and parameters; tel and urn. */
    static Arbitrary<String> requestUris() {
        Arbitrary<String> sip = Combinators.combine(Arbitraries.of("sip", "sips"),
            Arbitraries.oneOf(Arbitraries.just(""), users().map(u -> u + "@")), hosts(), optionalPorts(),
            Arbitraries.of("", ";transport=udp", ";user=phone", ";lr", ";maddr=239.255.255.1;ttl=15"))
            .as((s, u, h, port, p) -> s + ":" + u + h + (port >= 0 ? ":" + port : "") + p);
        Arbitrary<String> tel = Arbitraries.strings().withChars("0123456789-").ofMinLength(1).ofMaxLength(12)
            .map(d -> "tel:+1" + d + ";phone-context=example.com");
        return Arbitraries.frequencyOf(Tuple.of(8, sip), Tuple.of(1, tel),
            Tuple.of(1, Arbitraries.just("urn:service:sos")));
    }

    static Arbitrary<String> callIds() {
        Arbitrary<String> word = Arbitraries.strings().withChars(CALL_ID_CHARS).ofMinLength(1).ofMaxLength(32);
        return Combinators.combine(word, hosts().injectNull(0.5)).as((w, h) -> h == null ? w : w + "@" + h);
    }

    static Arbitrary<String> methods() {
        Arbitrary<String> extension = Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZ-")
            .ofMinLength(3).ofMaxLength(10).filter(m -> Character.isLetter(m.charAt(0)));
        return Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.of(METHODS)),
            Tuple.of(1, extension));
    }

    /** Bodies as Latin-1 text: none, SDP-like text, or arbitrary bytes (CR, LF, NUL and high bytes included). */
    static Arbitrary<String> bodies() {
        Arbitrary<String> sdp = Combinators.combine(ipv4(), Arbitraries.integers().between(1024, 65535))
            .as((ip, port) -> "v=0\r\no=- 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio "
                + port + " RTP/AVP 0\r\n");
        Arbitrary<String> bytes = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(200)
            .map(b -> new String(b, StandardCharsets.ISO_8859_1));
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just("")),
            Tuple.of(2, sdp), Tuple.of(2, bytes));
    }

    /** Extra headers sip-ha does not interpret: {@code X-} names, empty, ASCII and UTF-8 values. */
    static Arbitrary<String[]> extraHeaders() {
        Arbitrary<String> name = tokens(1, 10).map(t -> "X-" + t);
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(40)
            .map(String::trim).filter(s -> !s.isEmpty());
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.just(""), text, text,
            Arbitraries.just("caf\u00c3\u00a9 \u00e2\u0082\u00ac 1"));
        return Combinators.combine(name, value).as((n, v) -> new String[] {n, v});
    }

    /** A valid request or response, see the class comment. */
    static Arbitrary<GeneratedMessage> messages() {
        Arbitrary<MessageLayout.Head> head = Arbitraries.oneOf(
            Combinators.combine(methods(), requestUris()).as((m, u) -> new MessageLayout.Head(true, m, u, 0, null)),
            Combinators.combine(methods(), Arbitraries.integers().between(100, 699),
                Arbitraries.of("OK", "Trying", "Ringing", "Session Progress", "Not Found", "", "\u00c3\u0087a va"))
                .as((m, code, reason) -> new MessageLayout.Head(false, m, null, code, reason)));
        Arbitrary<MessageLayout.Parties> parties = Combinators.combine(parties(true), parties(false),
            parties(true), contacts().list().ofMaxSize(2)).as((f, toNoTag, toTag, c) ->
                new MessageLayout.Parties(f, c.size() % 2 == 0 ? toTag : toNoTag, c));
        Arbitrary<MessageLayout.Ids> ids = Combinators.combine(callIds(),
            Arbitraries.longs().between(0, 0xFFFF_FFFFL), Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(-1)),
                Tuple.of(4, Arbitraries.integers().between(0, 255)),
                Tuple.of(1, Arbitraries.integers().between(0, Integer.MAX_VALUE))))
            .as(MessageLayout.Ids::new);
        Arbitrary<MessageLayout.Extras> extras = Combinators.combine(extraHeaders().list().ofMaxSize(6),
            layoutSeeds()).as(MessageLayout.Extras::new);
        return Combinators.combine(head, vias().list().ofMinSize(1).ofMaxSize(6),
            routeEntries().list().ofMaxSize(4), routeEntries().list().ofMaxSize(4), parties, ids, bodies(), extras)
            .as(MessageLayout::build);
    }

    /** Seeds for layout choices, uniform so that no two tries share a layout by jqwik's bias towards 0. */
    static Arbitrary<Long> layoutSeeds() {
        return Arbitraries.longs().withDistribution(RandomDistribution.uniform());
    }

    /** Picks the first choice with {@code firstPercent} probability, else one of the others uniformly. */
    static String pick(Random r, int firstPercent, String first, String... others) {
        return r.nextInt(100) < firstPercent ? first : others[r.nextInt(others.length)];
    }
}
