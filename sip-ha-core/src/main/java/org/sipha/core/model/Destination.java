package org.sipha.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One place requests can be sent to: an immutable value, safe to share between threads.
 *
 * <p>The {@link #id()} is what identifies a destination across configuration reloads: state,
 * load counters and statistics follow the id, so two configurations that keep the id keep them.
 * The other fields describe where to send and how much traffic to give it:
 * <ul>
 *   <li>{@link #weight()}: relative share within its priority, 0 means never chosen by weighted algorithms;</li>
 *   <li>{@link #priority()}: <b>higher value is preferred</b>, as in Kamailio's {@code dispatcher.list}
 *       (the reverse of DNS SRV, where lower is preferred);</li>
 *   <li>{@link #attributes()}: free key/value pairs kept verbatim (e.g. Kamailio's {@code maxload}, {@code socket}).</li>
 * </ul>
 * Host, port and transport are derived from the URI by {@link #builder(String)} unless set explicitly.
 */
public final class Destination {
    /** Port used when the URI names none: 5061 for {@code sips:}, 5060 otherwise (RFC 3263 without DNS). */
    public static final int DEFAULT_SIP_PORT = 5060;

    private final String id;
    private final String uri;
    private final String host;
    private final int port;
    private final Transport transport;
    private final int weight;
    private final int priority;
    private final Map<String, String> attributes;
    /** Cached: the engine looks destinations up by value on every call, and Objects.hash boxes and iterates. */
    private final int hash;

    private Destination(final Builder b) {
        this.uri = Objects.requireNonNull(b.uri, "uri");
        this.id = b.id != null ? b.id : b.uri;
        this.host = Objects.requireNonNull(b.host, "host");
        this.port = b.port;
        this.transport = Objects.requireNonNull(b.transport, "transport");
        if (b.weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0: " + b.weight);
        }
        this.weight = b.weight;
        this.priority = b.priority;
        this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.attributes));
        this.hash = Objects.hash(id, uri, host, port, transport, weight, priority, attributes);
    }

    /**
     * Starts a builder for the given SIP URI ({@code sip:host[:port][;params]} or {@code sips:...}); host,
     * port and transport are parsed from it, id defaults to the URI, weight to 1, priority to 0.
     *
     * @throws IllegalArgumentException when the URI is not a sip/sips URI with a host.
     */
    public static Builder builder(final String uri) {
        return new Builder(uri);
    }

    /** Shorthand for {@code builder(uri).id(id).build()}. */
    public static Destination of(final String id, final String uri) {
        return builder(uri).id(id).build();
    }

    public String id() {
        return id;
    }

    public String uri() {
        return uri;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Transport transport() {
        return transport;
    }

    public int weight() {
        return weight;
    }

    public int priority() {
        return priority;
    }

    /** @return unmodifiable attributes in their configured order. */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** @return the attribute value or null. */
    public String attribute(final String name) {
        return attributes.get(name);
    }

    /** @return a builder starting from this destination's values. */
    public Builder toBuilder() {
        final Builder b = new Builder(uri);
        b.id = id;
        b.host = host;
        b.port = port;
        b.transport = transport;
        b.weight = weight;
        b.priority = priority;
        b.attributes.putAll(attributes);
        return b;
    }

    @Override
    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Destination)) {
            return false;
        }
        final Destination d = (Destination) o;
        return port == d.port
                && weight == d.weight
                && priority == d.priority
                && id.equals(d.id)
                && uri.equals(d.uri)
                && host.equals(d.host)
                && transport == d.transport
                && attributes.equals(d.attributes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "Destination{id=" + id + ", uri=" + uri + ", weight=" + weight + ", priority=" + priority
                + (attributes.isEmpty() ? "" : ", attributes=" + attributes) + '}';
    }

    /** Mutable builder; not thread-safe, use from one thread. */
    public static final class Builder {
        private final String uri;
        private String id;
        private String host;
        private int port;
        private Transport transport;
        private int weight = 1;
        private int priority;
        private final Map<String, String> attributes = new LinkedHashMap<>();

        private Builder(final String uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
            parseUri(uri);
        }

        public Builder id(final String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        public Builder host(final String host) {
            this.host = host;
            return this;
        }

        public Builder port(final int port) {
            this.port = port;
            return this;
        }

        public Builder transport(final Transport transport) {
            this.transport = transport;
            return this;
        }

        public Builder weight(final int weight) {
            this.weight = weight;
            return this;
        }

        public Builder priority(final int priority) {
            this.priority = priority;
            return this;
        }

        public Builder attribute(final String name, final String value) {
            attributes.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        public Destination build() {
            return new Destination(this);
        }

        // Enough of RFC 3261 section 19.1 to find host, port and transport: the full grammar lives in core's message
        // package.
        private void parseUri(final String uri) {
            final boolean secure;
            int i;
            if (uri.regionMatches(true, 0, "sips:", 0, 5)) {
                secure = true;
                i = 5;
            } else if (uri.regionMatches(true, 0, "sip:", 0, 4)) {
                secure = false;
                i = 4;
            } else {
                throw new IllegalArgumentException("not a sip: or sips: URI: '" + uri + "'");
            }
            final int at = uri.indexOf('@', i);
            final int firstSemi = uri.indexOf(';', i);
            if (at >= 0 && (firstSemi < 0 || at < firstSemi)) {
                i = at + 1;
            }
            int hostEnd;
            if (i < uri.length() && uri.charAt(i) == '[') {
                hostEnd = uri.indexOf(']', i);
                if (hostEnd < 0) {
                    throw new IllegalArgumentException("unterminated IPv6 reference in '" + uri + "'");
                }
                hostEnd++;
            } else {
                hostEnd = i;
                while (hostEnd < uri.length() && ":;?".indexOf(uri.charAt(hostEnd)) < 0) {
                    hostEnd++;
                }
            }
            if (hostEnd == i) {
                throw new IllegalArgumentException("no host in '" + uri + "'");
            }
            host = uri.substring(i, hostEnd);
            port = secure ? 5061 : DEFAULT_SIP_PORT;
            int p = hostEnd;
            if (p < uri.length() && uri.charAt(p) == ':') {
                int end = p + 1;
                while (end < uri.length() && Character.isDigit(uri.charAt(end))) {
                    end++;
                }
                if (end == p + 1) {
                    throw new IllegalArgumentException("bad port in '" + uri + "'");
                }
                port = Integer.parseInt(uri.substring(p + 1, end));
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("port out of range in '" + uri + "'");
                }
                p = end;
            }
            transport = secure ? Transport.TLS : Transport.UDP;
            final int tp = indexOfIgnoreCase(uri, ";transport=", p);
            if (tp >= 0) {
                final int start = tp + ";transport=".length();
                int end = start;
                while (end < uri.length() && ";?>".indexOf(uri.charAt(end)) < 0) {
                    end++;
                }
                final Transport t = Transport.fromUriParameter(uri.substring(start, end));
                transport = secure && t == Transport.TCP ? Transport.TLS : t;
            }
        }

        private static int indexOfIgnoreCase(final String s, final String needle, final int from) {
            for (int i = from; i <= s.length() - needle.length(); i++) {
                if (s.regionMatches(true, i, needle, 0, needle.length())) {
                    return i;
                }
            }
            return -1;
        }
    }
}
