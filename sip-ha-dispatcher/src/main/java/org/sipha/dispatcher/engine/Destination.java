package org.sipha.dispatcher.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One next hop the engine may forward to: an IP literal, a port and a transport. Immutable; any thread.
 *
 * <p>{@link #tokenText()} is how the destination is named inside a Record-Route token
 * ({@code 127.0.0.1~5081}, or {@code 127.0.0.1~5081~tcp}), so any proxy instance can route a dialog's later requests to it without state.
 */
public final class Destination {
    private final String host;
    private final int port;
    private final String transport;
    private final InetSocketAddress address;
    private final byte[] token;

    private Destination(String host, int port, String transport, InetSocketAddress address) {
        this.host = host;
        this.port = port;
        this.transport = transport;
        this.address = address;
        this.token = (host + '~' + port + ("tcp".equals(transport) ? "~tcp" : "")).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A UDP destination at {@code host} (an IPv4 or IPv6 literal: the engine never resolves names on its I/O
     * threads) and {@code port}.
     *
     * @throws IllegalArgumentException if {@code host} is not an IP literal or the port is out of range
     */
    public static Destination udp(String host, int port) {
        return of(host, port, "udp");
    }

    /** Like {@link #udp} with an explicit transport ({@code udp} or {@code tcp}). */
    public static Destination of(String host, int port, String transport) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        String t = transport.toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("udp") && !t.equals("tcp")) {
            throw new IllegalArgumentException("unsupported transport: " + transport);
        }
        return new Destination(host, port, t, new InetSocketAddress(literal(host), port));
    }

    /**
     * Parses {@code sip:HOST[:PORT][;transport=udp|tcp]} as written in a dispatcher list or on the command line.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static Destination parseSipUri(String uri) {
        String s = uri.trim();
        if (!s.regionMatches(true, 0, "sip:", 0, 4)) {
            throw new IllegalArgumentException("destination must be a sip: URI: " + uri);
        }
        s = s.substring(4);
        String transport = "udp";
        int semi = s.indexOf(';');
        if (semi >= 0) {
            for (String p : s.substring(semi + 1).split(";")) {
                if (p.regionMatches(true, 0, "transport=", 0, 10)) {
                    transport = p.substring(10);
                }
            }
            s = s.substring(0, semi);
        }
        String host;
        int port = 5060;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed IPv6 reference: " + uri);
            }
            host = s.substring(0, close + 1);
            if (close + 1 < s.length() && s.charAt(close + 1) == ':') {
                port = parsePort(s.substring(close + 2), uri);
            }
        } else {
            int colon = s.lastIndexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            if (colon >= 0) {
                port = parsePort(s.substring(colon + 1), uri);
            }
        }
        return of(host, port, transport);
    }

    private static int parsePort(String p, String uri) {
        try {
            return Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in " + uri, e);
        }
    }

    /** Resolves an IP literal without DNS. */
    static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean ok = !h.isEmpty();
        for (int i = 0; i < h.length() && ok; i++) {
            char c = h.charAt(i);
            ok = (c >= '0' && c <= '9') || c == '.' || c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }
        if (!ok || (h.indexOf(':') < 0 && h.chars().anyMatch(Character::isLetter))) {
            throw new IllegalArgumentException("not an IP literal (names are not resolved): " + host);
        }
        try {
            return InetAddress.getByName(h); // a literal: parsed, no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + host, e);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String transport() {
        return transport;
    }

    /** True if messages to this destination go over TCP. */
    public boolean isTcp() {
        return "tcp".equals(transport);
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The ASCII bytes naming this destination in a Record-Route token; do not modify. */
    byte[] tokenBytes() {
        return token;
    }

    /** {@code host~port} (UDP) or {@code host~port~tcp}, as carried in the Record-Route token. */
    public String tokenText() {
        return new String(token, StandardCharsets.US_ASCII);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Destination d && d.port == port && d.host.equals(host) && d.transport.equals(transport);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, transport);
    }

    @Override
    public String toString() {
        return "sip:" + host + ':' + port + (transport.equals("udp") ? "" : ";transport=" + transport);
    }
}
