package org.sipha.dispatcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

/**
 * Reads Kamailio's {@code dispatcher.list} so operators can migrate without rewriting their lists.
 *
 * <pre>
 * # setid destination [flags [priority [attrs]]]
 * 1 sip:127.0.1.1:5060 0 10 duid=pbx1;weight=50;maxload=100;socket=udp:127.0.1.9:5060
 * </pre>
 * <ul>
 *   <li>{@code #} starts a comment; blank lines are ignored.</li>
 *   <li>flags: bit 1 (inactive) starts the destination INACTIVE, bit 4 (disabled) DISABLED. Bits 2 (trying) and
 *       8 (probing) describe health checking in Kamailio; Kamailio still routes to such destinations, so they
 *       start ACTIVE here too.</li>
 *   <li>priority: higher first, as in Kamailio.</li>
 *   <li>attrs: {@code name=value} separated by {@code ;}. {@code duid} becomes the destination id (else the URI),
 *       {@code weight} the weight (default 1). All attributes are kept in {@link Destination#attributes()};
 *       names Kamailio does not define are reported in {@link Result#warnings()}.</li>
 * </ul>
 * Any malformed line fails the whole read with a {@link DispatcherListException} naming the line.
 *
 * <p>Stateless; any thread.
 */
public final class DispatcherListReader {
    private static final Set<String> KNOWN_ATTRIBUTES = Set.of(
            "duid", "weight", "rweight", "maxload", "socket", "sockname", "ping_from", "obproxy", "cc", "latency");
    private static final int FLAG_INACTIVE = 1;
    private static final int FLAG_DISABLED = 4;

    /** What a list yields: the configuration and warnings about attributes kept but not understood. */
    /**
     * @param config    every set; a destination's initial state there is that of its last row with a flag
     * @param warnings  attributes ignored, with their lines
     * @param rowStates per set, the initial states its own rows' flags give (only those not ACTIVE): what a proxy
     *     that loads one set applies, unaffected by the rows of the other sets
     */
    public record Result(
            DispatcherConfig config, List<String> warnings, Map<Integer, Map<String, DestinationState>> rowStates) {
        /** The initial state set {@code setId}'s own row for {@code destinationId} gives (ACTIVE without flags). */
        public DestinationState rowState(final int setId, final String destinationId) {
            return rowStates.getOrDefault(setId, Map.of()).getOrDefault(destinationId, DestinationState.ACTIVE);
        }
    }

    private DispatcherListReader() {}

    /** Reads a file; every set gets {@code algorithm}. */
    public static Result read(final Path file, final Algorithm algorithm) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, algorithm);
        }
    }

    /** Reads a list; every set gets {@code algorithm}. Does not close the reader. */
    public static Result read(final Reader reader, final Algorithm algorithm) throws IOException {
        final BufferedReader in =
                reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
        final Map<Integer, DestinationSetConfig.Builder> sets = new LinkedHashMap<>();
        final Map<Integer, Set<String>> idsPerSet = new LinkedHashMap<>();
        final DispatcherConfig.Builder config = DispatcherConfig.builder();
        final List<String> warnings = new ArrayList<>();
        final Map<Integer, Map<String, DestinationState>> rowStates = new LinkedHashMap<>();
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            final int hash = line.indexOf('#');
            final String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (text.isEmpty()) {
                continue;
            }
            final String[] f = text.split("\\s+");
            if (f.length < 2) {
                throw new DispatcherListException(lineNo, "expected 'setid destination [flags [priority [attrs]]]'");
            }
            if (f.length > 5) {
                throw new DispatcherListException(lineNo, "unexpected text after the attributes: '" + f[5] + "'");
            }
            final int setId = integer(f[0], "set id", lineNo);
            final int flags = f.length > 2 ? integer(f[2], "flags", lineNo) : 0;
            final int priority = f.length > 3 ? integer(f[3], "priority", lineNo) : 0;
            final Destination.Builder b;
            try {
                b = Destination.builder(f[1]).priority(priority);
            } catch (final IllegalArgumentException e) {
                throw new DispatcherListException(lineNo, "bad destination: " + e.getMessage());
            }
            if (f.length > 4) {
                attributes(f[4], b, lineNo, warnings);
            }
            final Destination d = b.build();
            if (!idsPerSet
                    .computeIfAbsent(setId, k -> new java.util.HashSet<>())
                    .add(d.id())) {
                throw new DispatcherListException(lineNo, "destination '" + d.id() + "' already in set " + setId);
            }
            sets.computeIfAbsent(setId, id -> DestinationSetConfig.builder(id).algorithm(algorithm))
                    .add(d);
            final DestinationState state = (flags & FLAG_DISABLED) != 0
                    ? DestinationState.DISABLED
                    : (flags & FLAG_INACTIVE) != 0 ? DestinationState.INACTIVE : null;
            if (state != null) {
                config.initialState(d.id(), state);
                rowStates.computeIfAbsent(setId, k -> new LinkedHashMap<>()).put(d.id(), state);
            }
        }
        sets.values().forEach(s -> config.set(s.build()));
        final Map<Integer, Map<String, DestinationState>> frozen = new LinkedHashMap<>();
        rowStates.forEach((id, states) -> frozen.put(id, Map.copyOf(states)));
        return new Result(config.build(), List.copyOf(warnings), Map.copyOf(frozen));
    }

    private static void attributes(
            final String attrs, final Destination.Builder b, final int lineNo, final List<String> warnings) {
        for (final String pair : attrs.split(";")) {
            if (pair.isEmpty()) {
                continue;
            }
            final int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new DispatcherListException(lineNo, "attribute '" + pair + "' is not name=value");
            }
            final String name = pair.substring(0, eq);
            final String value = pair.substring(eq + 1);
            switch (name) {
                case "duid" -> b.id(value);
                case "weight" -> b.weight(integer(value, "weight", lineNo));
                case "maxload" -> integer(value, "maxload", lineNo);
                default -> {
                    if (!KNOWN_ATTRIBUTES.contains(name)) {
                        warnings.add("line " + lineNo + ": unknown attribute '" + name + "' kept");
                    }
                }
            }
            b.attribute(name, value);
        }
    }

    private static int integer(final String s, final String what, final int lineNo) {
        try {
            final int v = Integer.parseInt(s);
            if (v < 0) {
                throw new DispatcherListException(lineNo, what + " must not be negative: '" + s + "'");
            }
            return v;
        } catch (final NumberFormatException e) {
            throw new DispatcherListException(lineNo, what + " is not an integer: '" + s + "'");
        }
    }
}
