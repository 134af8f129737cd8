package org.sipha.galera.config;

import java.util.Objects;

/**
 * One line of a Kamailio {@code dispatcher.list}, as its columns: the row of Kamailio's own {@code dispatcher}
 * database table (setid, destination, flags, priority, attrs, description). This module stores and compares rows
 * as they are written; what they mean (a valid SIP URI, known attributes) is the dispatcher's parser's to decide,
 * in the wiring. The checks here keep a row writable as one list line and within its column sizes. Immutable.
 *
 * @param setId       the set the destination belongs to
 * @param destination the SIP URI, without spaces or {@code #}
 * @param flags       Kamailio's flags (1 inactive, 2 trying, 4 disabled, 8 probing)
 * @param priority    higher first
 * @param attrs       {@code name=value;...} (duid, weight, maxload, ...), empty for none
 * @param description free text without line breaks, written as the line's trailing comment; empty for none
 */
public record DispatcherRow(int setId, String destination, int flags, int priority, String attrs, String description) {
    /** Column sizes of {@code sipha_config_dispatcher}. */
    static final int MAX_DESTINATION = 512;

    static final int MAX_ATTRS = 1024;
    static final int MAX_DESCRIPTION = 255;

    /** @throws IllegalArgumentException if a field could not be written as one list line or is too long */
    public DispatcherRow {
        Objects.requireNonNull(destination, "destination");
        attrs = attrs == null ? "" : attrs;
        description = description == null ? "" : description.strip();
        requireToken(destination, "destination", MAX_DESTINATION, false);
        requireToken(attrs, "attrs", MAX_ATTRS, true);
        if (description.length() > MAX_DESCRIPTION
                || description.indexOf('\n') >= 0
                || description.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(
                    "description: at most " + MAX_DESCRIPTION + " characters on one line: '" + description + "'");
        }
    }

    /** A row without description. */
    public static DispatcherRow of(int setId, String destination, int flags, int priority, String attrs) {
        return new DispatcherRow(setId, destination, flags, priority, attrs, "");
    }

    /** The row as a {@code dispatcher.list} line: {@code setid destination flags priority [attrs] [# description]}. */
    public String toListLine() {
        StringBuilder sb = new StringBuilder()
                .append(setId)
                .append(' ')
                .append(destination)
                .append(' ')
                .append(flags)
                .append(' ')
                .append(priority);
        if (!attrs.isEmpty()) {
            sb.append(' ').append(attrs);
        }
        if (!description.isEmpty()) {
            sb.append(" # ").append(description);
        }
        return sb.toString();
    }

    private static void requireToken(String s, String what, int max, boolean mayBeEmpty) {
        if (s.isEmpty() && !mayBeEmpty) {
            throw new IllegalArgumentException(what + ": must not be empty");
        }
        if (s.length() > max) {
            throw new IllegalArgumentException(what + ": longer than " + max + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '#' || Character.isISOControl(c)) {
                throw new IllegalArgumentException(
                        what + ": no spaces, control characters or '#' allowed: '" + s + "'");
            }
        }
    }
}
