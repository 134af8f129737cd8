package org.sipha.health;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sipha.core.model.Destination;

/**
 * The destinations a {@link HealthMonitor} checks, by set, by id and by address. Immutable once built: the owner
 * thread replaces it whole when a set's members change, and any thread may look an id up in the current one.
 * A rebuild keeps the {@link DestinationHealth} (state, ejections, latency) of each destination whose id stays in
 * its set with the same URI and attributes; other destinations start afresh.
 */
final class Membership {
    final DestinationHealth[] all;
    final DestinationHealth[][] sets;
    final Map<String, DestinationHealth> byId;
    final Map<InetSocketAddress, DestinationHealth> byAddress;

    private Membership(
            final DestinationHealth[] all,
            final DestinationHealth[][] sets,
            final Map<String, DestinationHealth> byId,
            final Map<InetSocketAddress, DestinationHealth> byAddress) {
        this.all = all;
        this.sets = sets;
        this.byId = byId;
        this.byAddress = byAddress;
    }

    /**
     * Members of {@code sets} (by set index), reusing the health of {@code previous}'s destinations where they stay.
     *
     * @param previous null at start
     * @throws IllegalArgumentException if an id or an address appears twice
     */
    static Membership of(final List<List<Destination>> sets, final HealthConfig config, final Membership previous) {
        final Map<String, DestinationHealth> ids = new LinkedHashMap<>();
        final Map<InetSocketAddress, DestinationHealth> addresses = new HashMap<>();
        final List<DestinationHealth> list = new ArrayList<>();
        final DestinationHealth[][] bySet = new DestinationHealth[sets.size()][];
        for (int s = 0; s < sets.size(); s++) {
            final List<Destination> members = sets.get(s);
            bySet[s] = new DestinationHealth[members.size()];
            for (int i = 0; i < members.size(); i++) {
                final Destination d = members.get(i);
                final InetSocketAddress address = new InetSocketAddress(d.host(), d.port());
                final DestinationHealth kept = previous == null ? null : previous.byId.get(d.id());
                final DestinationHealth h = kept != null && kept.setIndex == s && sameProbeTarget(kept, d, address)
                        ? kept
                        : new DestinationHealth(d, address, s, config);
                if (ids.putIfAbsent(d.id(), h) != null) {
                    throw new IllegalArgumentException("destination id '" + d.id() + "' appears twice");
                }
                if (addresses.putIfAbsent(address, h) != null) {
                    throw new IllegalArgumentException("destination '" + d.id() + "' has the same address " + address
                            + " as '" + addresses.get(address).id() + "': passive outcomes could not tell them apart");
                }
                bySet[s][i] = h;
                list.add(h);
            }
        }
        return new Membership(
                list.toArray(new DestinationHealth[0]), bySet, Collections.unmodifiableMap(ids), addresses);
    }

    /** The members of every set, by set index, as destinations. */
    List<List<Destination>> destinations() {
        final List<List<Destination>> out = new ArrayList<>();
        for (final DestinationHealth[] set : sets) {
            final List<Destination> members = new ArrayList<>();
            for (final DestinationHealth h : set) {
                members.add(h.destination);
            }
            out.add(members);
        }
        return out;
    }

    private static boolean sameProbeTarget(
            final DestinationHealth kept, final Destination d, final InetSocketAddress address) {
        return kept.address.equals(address)
                && kept.destination.uri().equals(d.uri())
                && Objects.equals(kept.destination.attributes(), d.attributes());
    }
}
