package org.sipha.galera.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changes from one configuration content to another: destination rows added, removed or changed (a row is
 * known by its set and destination URI), and Record-Route keys replaced (named by key id, never shown). Computed
 * by {@link #between}; immutable; any thread.
 */
public final class ConfigDiff {
    /** A row that appears, disappears, or keeps set and URI but changes flags, priority, attributes or description. */
    public record RowChange(Kind kind, DispatcherRow before, DispatcherRow after) {
        @Override
        public String toString() {
            return switch (kind) {
                case ADDED -> "+ " + after.toListLine();
                case REMOVED -> "- " + before.toListLine();
                case CHANGED -> "~ " + before.toListLine() + "  ->  " + after.toListLine();
            };
        }
    }

    /** Kind of change. */
    public enum Kind {
        ADDED,
        REMOVED,
        CHANGED
    }

    private final List<RowChange> rows;
    private final List<String> keyChanges;

    private ConfigDiff(List<RowChange> rows, List<String> keyChanges) {
        this.rows = List.copyOf(rows);
        this.keyChanges = List.copyOf(keyChanges);
    }

    /** The changes from {@code from} (null: nothing, so everything is added) to {@code to}. */
    public static ConfigDiff between(ConfigContent from, ConfigContent to) {
        Objects.requireNonNull(to, "to");
        List<RowChange> rows = new ArrayList<>();
        Map<String, DispatcherRow> before = keyed(from == null ? List.of() : from.rows());
        for (Map.Entry<String, DispatcherRow> e : keyed(to.rows()).entrySet()) {
            DispatcherRow was = before.remove(e.getKey());
            if (was == null) {
                rows.add(new RowChange(Kind.ADDED, null, e.getValue()));
            } else if (!was.equals(e.getValue())) {
                rows.add(new RowChange(Kind.CHANGED, was, e.getValue()));
            }
        }
        before.values().forEach(r -> rows.add(new RowChange(Kind.REMOVED, r, null)));
        List<String> keys = new ArrayList<>();
        String currentBefore = from == null ? null : from.recordRouteSecret();
        String previousBefore = from == null ? null : from.previousRecordRouteSecret();
        if (!Objects.equals(currentBefore, to.recordRouteSecret())) {
            keys.add("record-route key " + name(currentBefore) + " -> " + name(to.recordRouteSecret()));
        }
        if (!Objects.equals(previousBefore, to.previousRecordRouteSecret())) {
            keys.add("previous record-route key " + name(previousBefore) + " -> "
                    + name(to.previousRecordRouteSecret()));
        }
        return new ConfigDiff(rows, keys);
    }

    /** Rows by set and URI; a URI listed twice in a set gets its occurrence number. */
    private static Map<String, DispatcherRow> keyed(List<DispatcherRow> rows) {
        Map<String, DispatcherRow> out = new LinkedHashMap<>();
        for (DispatcherRow r : rows) {
            String base = r.setId() + " " + r.destination();
            String key = base;
            for (int n = 2; out.containsKey(key); n++) {
                key = base + " #" + n;
            }
            out.put(key, r);
        }
        return out;
    }

    private static String name(String secret) {
        return secret == null ? "none" : ConfigContent.keyId(secret);
    }

    public List<RowChange> rowChanges() {
        return rows;
    }

    /** The row changes of one kind. */
    public List<RowChange> rowChanges(Kind kind) {
        return rows.stream().filter(c -> c.kind() == kind).toList();
    }

    /** Record-Route key changes, one line each (key ids only). */
    public List<String> keyChanges() {
        return keyChanges;
    }

    public boolean isEmpty() {
        return rows.isEmpty() && keyChanges.isEmpty();
    }

    /** One line per change: {@code + line}, {@code - line}, {@code ~ before -> after}, then the key changes. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.toString()));
        out.addAll(keyChanges);
        return out;
    }

    /** A one-line summary for logs, e.g. {@code 1 added, 0 removed, 2 changed, keys unchanged}. */
    public String summary() {
        return rowChanges(Kind.ADDED).size() + " added, "
                + rowChanges(Kind.REMOVED).size() + " removed, "
                + rowChanges(Kind.CHANGED).size() + " changed, "
                + (keyChanges.isEmpty() ? "keys unchanged" : String.join(", ", keyChanges));
    }

    @Override
    public String toString() {
        return isEmpty() ? "no change" : String.join("\n", lines());
    }
}
