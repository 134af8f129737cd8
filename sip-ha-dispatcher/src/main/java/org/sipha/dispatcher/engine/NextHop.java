package org.sipha.dispatcher.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.sipha.core.model.Destination;
import org.sipha.core.model.Transport;

/**
 * A {@link Destination} as the I/O threads need it, worked out once: its socket address (the host must be an IP
 * literal: names are never resolved on an I/O thread), whether it is reached over TCP, and how a Record-Route token
 * names it ({@code 127.0.0.1~5081}, or {@code 127.0.0.1~5081~tcp}), so that any proxy instance can route a dialog's
 * later requests to it without state. Made by {@link DispatcherNextHopSelector} once per destination, never per
 * message. With a {@code socket=udp:IP:PORT} attribute, requests to it leave from that listen address (else from
 * the socket the request came on), so that its answers come back to an address of the caller's choosing.
 * Immutable; any thread. Equal when host, port and transport are; the selector's index, which keys the
 * per-destination counters, and the socket do not count.
 */
final class NextHop {
    private final String host;
    private final int port;
    private final boolean tcp;
    private final InetSocketAddress address;
    private final byte[] token;
    private final int index;
    /** The listen address to send from ({@code socket=} attribute), or null: the socket the request came on. */
    private final InetSocketAddress source;

    private NextHop(String host, int port, boolean tcp, int index, InetSocketAddress source) {
        this.host = host;
        this.port = port;
        this.tcp = tcp;
        this.index = index;
        this.source = source;
        this.address = new InetSocketAddress(literal(host), port);
        this.token = (host + '~' + port + (tcp ? "~tcp" : "")).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The next hop of {@code d}.
     *
     * @throws IllegalArgumentException if its host is not an IP literal or its transport is neither UDP nor TCP
     */
    static NextHop of(Destination d) {
        return of(d, -1);
    }

    /**
     * The next hop of {@code d} with the selector's {@code index} for its counters ({@link DestinationCounters});
     * -1: not counted.
     *
     * @throws IllegalArgumentException as {@link #of(Destination)}
     */
    static NextHop of(Destination d, int index) {
        if (d.transport() != Transport.UDP && d.transport() != Transport.TCP) {
            throw new IllegalArgumentException(
                    "transport " + d.transport().name().toLowerCase(java.util.Locale.ROOT) + " of " + d.uri()
                            + " is not supported by the engine (udp or tcp)");
        }
        boolean tcp = d.transport() == Transport.TCP;
        InetSocketAddress source = source(d.attribute(SOCKET));
        if (source != null && tcp) {
            throw new IllegalArgumentException(
                    SOCKET + "= of " + d.uri() + ": only UDP destinations choose the socket" + " they are sent from");
        }
        return new NextHop(d.host(), d.port(), tcp, index, source);
    }

    /** The destination attribute naming the listen address requests to it leave from, as Kamailio's dispatcher. */
    static final String SOCKET = "socket";

    /**
     * The address of a {@code socket} attribute, {@code udp:IP:PORT} (IPv6 in brackets), or null for none.
     *
     * @throws IllegalArgumentException naming the attribute if it is malformed
     */
    static InetSocketAddress source(String socket) {
        if (socket == null) {
            return null;
        }
        int colon = socket.lastIndexOf(':');
        if (!socket.startsWith("udp:") || colon <= 4) {
            throw new IllegalArgumentException(SOCKET + "=" + socket + ": expected udp:IP:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(socket.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(SOCKET + "=" + socket + ": expected udp:IP:PORT");
        }
        try {
            return new InetSocketAddress(literal(socket.substring(4, colon)), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SOCKET + "=" + socket + ": " + e.getMessage(), e);
        }
    }

    /** The listen address to send from, or null for the socket the request came on. */
    InetSocketAddress source() {
        return source;
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

    /** The selector's index of this destination's counters, or -1. */
    int index() {
        return index;
    }

    InetSocketAddress address() {
        return address;
    }

    /** True if messages to this next hop go over TCP. */
    boolean isTcp() {
        return tcp;
    }

    /** The ASCII bytes naming this next hop in a Record-Route token; do not modify. */
    byte[] tokenBytes() {
        return token;
    }

    /** {@code host~port} (UDP) or {@code host~port~tcp}, as carried in the Record-Route token. */
    String tokenText() {
        return new String(token, StandardCharsets.US_ASCII);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NextHop n && n.port == port && n.tcp == tcp && n.host.equals(host);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, tcp);
    }

    @Override
    public String toString() {
        return "sip:" + host + ':' + port + (tcp ? ";transport=tcp" : "");
    }
}
