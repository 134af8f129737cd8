package org.sipha.galera.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Kamailio {@code dispatcher.list} into {@link DispatcherRow}s and writes rows back as list text. Only the
 * columns are read here ({@code setid destination [flags [priority [attrs]]]}, {@code #} to the end of the line a
 * comment, kept as the row's description when it follows a destination); the dispatcher's own list reader decides
 * whether the values make sense. Stateless; any thread.
 */
public final class DispatcherListText {
    private DispatcherListText() {}

    /**
     * The rows of {@code text}, in order.
     *
     * @throws IllegalArgumentException naming the line, for a line that does not have two to five columns or whose
     *     set, flags or priority is not an integer
     */
    public static List<DispatcherRow> parse(String text) {
        List<DispatcherRow> rows = new ArrayList<>();
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String columns = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (columns.isEmpty()) {
                continue;
            }
            String description = hash >= 0 ? line.substring(hash + 1).strip() : "";
            String[] f = columns.split("\\s+");
            int lineNo = i + 1;
            if (f.length < 2 || f.length > 5) {
                throw new IllegalArgumentException(
                        "line " + lineNo + ": expected 'setid destination [flags [priority [attrs]]]'");
            }
            try {
                rows.add(new DispatcherRow(
                        integer(f[0], "set id", lineNo),
                        f[1],
                        f.length > 2 ? integer(f[2], "flags", lineNo) : 0,
                        f.length > 3 ? integer(f[3], "priority", lineNo) : 0,
                        f.length > 4 ? f[4] : "",
                        description));
            } catch (IllegalArgumentException e) {
                throw e.getMessage().startsWith("line ")
                        ? e
                        : new IllegalArgumentException("line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(rows);
    }

    /** {@code rows} as list text, one line each, in order. */
    public static String render(List<DispatcherRow> rows) {
        StringBuilder sb = new StringBuilder();
        for (DispatcherRow r : rows) {
            sb.append(r.toListLine()).append('\n');
        }
        return sb.toString();
    }

    private static int integer(String s, String what, int lineNo) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("line " + lineNo + ": " + what + " is not an integer: '" + s + "'", e);
        }
    }
}
