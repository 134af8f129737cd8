package org.sipha.dispatcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.sipha.core.model.Destination;

/**
 * Configuration of one numbered set of destinations: its members, in order, and how to choose among them.
 * Immutable; build with {@link #builder(int)}.
 */
public final class DestinationSetConfig {
    private final int setId;
    private final Algorithm algorithm;
    private final List<Destination> destinations;
    private final double loadBound;
    private final double latencyTolerance;
    private final int explorationOneIn;

    private DestinationSetConfig(final Builder b) {
        this.setId = b.setId;
        this.algorithm = Objects.requireNonNull(b.algorithm, "algorithm");
        this.destinations = List.copyOf(b.destinations);
        this.loadBound = b.loadBound;
        this.latencyTolerance = b.latencyTolerance;
        this.explorationOneIn = b.explorationOneIn;
        final java.util.Set<String> ids = new java.util.HashSet<>();
        for (final Destination d : destinations) {
            if (!ids.add(d.id())) {
                throw new IllegalArgumentException("set " + setId + ": destination id '" + d.id() + "' appears twice");
            }
            final String maxLoad = d.attribute(DestinationEntry.MAX_LOAD_ATTRIBUTE);
            if (maxLoad != null && !maxLoad.trim().matches("\\d{1,9}")) {
                throw new IllegalArgumentException("set " + setId + ": destination '" + d.id() + "' has maxload '"
                        + maxLoad + "', not a non-negative integer");
            }
        }
        if (loadBound != 0 && loadBound < 1) {
            throw new IllegalArgumentException("loadBound must be 0 (off) or >= 1: " + loadBound);
        }
        if (explorationOneIn != 0 && Integer.bitCount(explorationOneIn) != 1) {
            throw new IllegalArgumentException(
                    "explorationOneIn must be 0 (off) or a power of two: " + explorationOneIn);
        }
    }

    public static Builder builder(final int setId) {
        return new Builder(setId);
    }

    public int setId() {
        return setId;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public List<Destination> destinations() {
        return destinations;
    }

    /**
     * For {@link Algorithm#CONSISTENT_HASH}: no destination is given a key while its live leases reach this many
     * times its weighted fair share of all live leases (plus one); 0 turns the bound off. Default 1.25.
     */
    public double loadBound() {
        return loadBound;
    }

    /** For {@link Algorithm#LOWEST_LATENCY}: latencies within this fraction above the lowest count as ties. Default 0.2. */
    public double latencyTolerance() {
        return latencyTolerance;
    }

    /** For {@link Algorithm#LOWEST_LATENCY}: one selection in this many explores uniformly; 0 = never. Default 64. */
    public int explorationOneIn() {
        return explorationOneIn;
    }

    /** @return a builder starting from this configuration. */
    public Builder toBuilder() {
        final Builder b = new Builder(setId)
                .algorithm(algorithm)
                .loadBound(loadBound)
                .latencyTolerance(latencyTolerance)
                .explorationOneIn(explorationOneIn);
        b.destinations.addAll(destinations);
        return b;
    }

    @Override
    public boolean equals(final Object o) {
        if (!(o instanceof DestinationSetConfig)) {
            return false;
        }
        final DestinationSetConfig c = (DestinationSetConfig) o;
        return setId == c.setId
                && algorithm == c.algorithm
                && destinations.equals(c.destinations)
                && loadBound == c.loadBound
                && latencyTolerance == c.latencyTolerance
                && explorationOneIn == c.explorationOneIn;
    }

    @Override
    public int hashCode() {
        return Objects.hash(setId, algorithm, destinations);
    }

    /** @return true when everything but the member list is equal. */
    boolean sameSelectionOptions(final DestinationSetConfig c) {
        return algorithm == c.algorithm
                && loadBound == c.loadBound
                && latencyTolerance == c.latencyTolerance
                && explorationOneIn == c.explorationOneIn;
    }

    /** Not thread-safe. */
    public static final class Builder {
        private final int setId;
        private Algorithm algorithm = Algorithm.ROUND_ROBIN;
        private final List<Destination> destinations = new ArrayList<>();
        private double loadBound = 1.25;
        private double latencyTolerance = 0.2;
        private int explorationOneIn = 64;

        private Builder(final int setId) {
            this.setId = setId;
        }

        public Builder algorithm(final Algorithm algorithm) {
            this.algorithm = algorithm;
            return this;
        }

        public Builder add(final Destination destination) {
            destinations.add(Objects.requireNonNull(destination));
            return this;
        }

        public Builder remove(final String id) {
            destinations.removeIf(d -> d.id().equals(id));
            return this;
        }

        public Builder loadBound(final double loadBound) {
            this.loadBound = loadBound;
            return this;
        }

        public Builder latencyTolerance(final double latencyTolerance) {
            this.latencyTolerance = latencyTolerance;
            return this;
        }

        public Builder explorationOneIn(final int explorationOneIn) {
            this.explorationOneIn = explorationOneIn;
            return this;
        }

        public DestinationSetConfig build() {
            return new DestinationSetConfig(this);
        }
    }
}
