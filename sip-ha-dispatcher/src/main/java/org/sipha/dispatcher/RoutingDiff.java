package org.sipha.dispatcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;

/**
 * What replacing one {@link DispatcherConfig} by another changes: sets added, removed or given other selection
 * options, destinations added to, removed from or changed within a set, and kept destinations whose configured
 * initial state turns DISABLED or stops being DISABLED (a dispatcher.list's flag 4 set or cleared). Produced by
 * {@link RoutingTableOwner#diff} (dry run) and {@link RoutingTableOwner#reload}. Immutable.
 */
public final class RoutingDiff {
    /** Kind of change. */
    public enum Kind {
        ADDED,
        REMOVED,
        CHANGED
    }

    /** A set that appears, disappears, or keeps its members but changes algorithm or options. */
    public record SetChange(Kind kind, int setId, DestinationSetConfig before, DestinationSetConfig after) {
        @Override
        public String toString() {
            return kind + " set " + setId
                    + (kind == Kind.CHANGED ? " " + before.algorithm() + " -> " + after.algorithm() : "");
        }
    }

    /** A destination that joins or leaves a set, or keeps its id but changes URI, weight, priority or attributes. */
    public record DestinationChange(Kind kind, int setId, Destination before, Destination after) {
        public String id() {
            return after != null ? after.id() : before.id();
        }

        @Override
        public String toString() {
            return kind + " set " + setId + " destination " + id()
                    + (kind == Kind.CHANGED ? ": " + before + " -> " + after : "");
        }
    }

    /** A destination kept by the reload whose configuration now disables it, or no longer does. */
    public record AdminChange(String id, boolean disabled) {
        @Override
        public String toString() {
            return (disabled ? "DISABLED" : "ENABLED") + " by the configuration: destination " + id;
        }
    }

    private final long baseVersion;
    private final List<SetChange> sets;
    private final List<DestinationChange> destinations;
    private final List<AdminChange> admin;

    private RoutingDiff(
            final long baseVersion,
            final List<SetChange> sets,
            final List<DestinationChange> destinations,
            final List<AdminChange> admin) {
        this.baseVersion = baseVersion;
        this.sets = Collections.unmodifiableList(sets);
        this.destinations = Collections.unmodifiableList(destinations);
        this.admin = Collections.unmodifiableList(admin);
    }

    static RoutingDiff between(final long baseVersion, final DispatcherConfig from, final DispatcherConfig to) {
        final List<SetChange> sets = new ArrayList<>();
        final List<DestinationChange> destinations = new ArrayList<>();
        for (final DestinationSetConfig old : from.sets().values()) {
            final DestinationSetConfig now = to.sets().get(old.setId());
            if (now == null) {
                sets.add(new SetChange(Kind.REMOVED, old.setId(), old, null));
                old.destinations()
                        .forEach(d -> destinations.add(new DestinationChange(Kind.REMOVED, old.setId(), d, null)));
            } else {
                if (!old.sameSelectionOptions(now)) {
                    sets.add(new SetChange(Kind.CHANGED, old.setId(), old, now));
                }
                diffMembers(old, now, destinations);
            }
        }
        for (final DestinationSetConfig now : to.sets().values()) {
            if (!from.sets().containsKey(now.setId())) {
                sets.add(new SetChange(Kind.ADDED, now.setId(), null, now));
                now.destinations()
                        .forEach(d -> destinations.add(new DestinationChange(Kind.ADDED, now.setId(), null, d)));
            }
        }
        return new RoutingDiff(baseVersion, sets, destinations, adminChanges(from, to));
    }

    private static List<AdminChange> adminChanges(final DispatcherConfig from, final DispatcherConfig to) {
        final Set<String> before = ids(from);
        final List<AdminChange> out = new ArrayList<>();
        for (final String id : ids(to)) {
            final boolean was = from.initialState(id) == DestinationState.DISABLED;
            final boolean now = to.initialState(id) == DestinationState.DISABLED;
            if (before.contains(id) && was != now) {
                out.add(new AdminChange(id, now));
            }
        }
        return out;
    }

    private static Set<String> ids(final DispatcherConfig c) {
        final Set<String> ids = new LinkedHashSet<>();
        c.sets().values().forEach(s -> s.destinations().forEach(d -> ids.add(d.id())));
        return ids;
    }

    private static void diffMembers(
            final DestinationSetConfig old, final DestinationSetConfig now, final List<DestinationChange> out) {
        final Map<String, Destination> before = new java.util.LinkedHashMap<>();
        old.destinations().forEach(d -> before.put(d.id(), d));
        for (final Destination d : now.destinations()) {
            final Destination was = before.remove(d.id());
            if (was == null) {
                out.add(new DestinationChange(Kind.ADDED, now.setId(), null, d));
            } else if (!was.equals(d)) {
                out.add(new DestinationChange(Kind.CHANGED, now.setId(), was, d));
            }
        }
        before.values().forEach(d -> out.add(new DestinationChange(Kind.REMOVED, old.setId(), d, null)));
    }

    /** @return version of the routing table the diff was computed against. */
    public long baseVersion() {
        return baseVersion;
    }

    public List<SetChange> setChanges() {
        return sets;
    }

    public List<DestinationChange> destinationChanges() {
        return destinations;
    }

    /** @return the destination changes of one kind. */
    public List<DestinationChange> destinationChanges(final Kind kind) {
        return destinations.stream().filter(c -> c.kind() == kind).toList();
    }

    /** @return kept destinations the new configuration disables or enables (its DISABLED initial state changed). */
    public List<AdminChange> adminChanges() {
        return admin;
    }

    public boolean isEmpty() {
        return sets.isEmpty() && destinations.isEmpty() && admin.isEmpty();
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("RoutingDiff against version ").append(baseVersion);
        sets.forEach(c -> sb.append("\n  ").append(c));
        destinations.forEach(c -> sb.append("\n  ").append(c));
        admin.forEach(c -> sb.append("\n  ").append(c));
        return sb.toString();
    }
}
