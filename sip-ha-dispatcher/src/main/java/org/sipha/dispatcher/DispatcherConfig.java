package org.sipha.dispatcher;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.sipha.core.model.DestinationState;

/**
 * A whole dispatcher configuration: the sets, the state new destinations start in, and lease timing.
 * Immutable; what {@link RoutingTableOwner#reload} and {@link RoutingTableOwner#diff} take.
 */
public final class DispatcherConfig {
    private final Map<Integer, DestinationSetConfig> sets;
    private final Map<String, DestinationState> initialStates;
    private final long leaseNs;
    private final int leaseSlots;

    private DispatcherConfig(final Builder b) {
        this.sets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.sets));
        this.initialStates = Map.copyOf(b.initialStates);
        this.leaseNs = b.leaseNs;
        this.leaseSlots = b.leaseSlots;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @return sets by id, in configuration order. */
    public Map<Integer, DestinationSetConfig> sets() {
        return sets;
    }

    /** @return the state a destination id starts in when it first appears; ACTIVE when absent. */
    public DestinationState initialState(final String destinationId) {
        return initialStates.getOrDefault(destinationId, DestinationState.ACTIVE);
    }

    Map<String, DestinationState> initialStates() {
        return initialStates;
    }

    /** @return how long an unreleased call lease keeps counting (the longest call you expect). Default 2 h. */
    public long leaseNs() {
        return leaseNs;
    }

    /** @return buckets per lease wheel (power of two): expiry granularity is {@code leaseNs / (slots - 1)}. Default 16. */
    public int leaseSlots() {
        return leaseSlots;
    }

    /** Not thread-safe. */
    public static final class Builder {
        private final Map<Integer, DestinationSetConfig> sets = new LinkedHashMap<>();
        private final Map<String, DestinationState> initialStates = new LinkedHashMap<>();
        private long leaseNs = TimeUnit.HOURS.toNanos(2);
        private int leaseSlots = 16;

        private Builder() {}

        public Builder set(final DestinationSetConfig set) {
            if (sets.putIfAbsent(set.setId(), set) != null) {
                throw new IllegalArgumentException("set " + set.setId() + " configured twice");
            }
            return this;
        }

        public Builder sets(final List<DestinationSetConfig> list) {
            list.forEach(this::set);
            return this;
        }

        public Builder initialState(final String destinationId, final DestinationState state) {
            initialStates.put(Objects.requireNonNull(destinationId), Objects.requireNonNull(state));
            return this;
        }

        public Builder leaseNs(final long leaseNs) {
            this.leaseNs = leaseNs;
            return this;
        }

        public Builder leaseSlots(final int leaseSlots) {
            this.leaseSlots = leaseSlots;
            return this;
        }

        public DispatcherConfig build() {
            return new DispatcherConfig(this);
        }
    }
}
