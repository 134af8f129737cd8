package org.sipha.dispatcher;

import java.util.function.Function;

/** How a {@link DestinationSet} chooses among its active destinations; configured per set. */
public enum Algorithm {
    /** Each active destination in turn, ignoring weights. */
    ROUND_ROBIN(RoundRobinSelector::new),
    /** Weighted round-robin interleaved smoothly (nginx's algorithm, precomputed as a schedule). */
    SMOOTH_WEIGHTED_ROUND_ROBIN(SmoothWeightedRoundRobinSelector::new),
    /** Random in proportion to weight. */
    WEIGHTED_RANDOM(WeightedRandomSelector::new),
    /** The caller's key picks a slot of the weighted schedule: same key, same destination while the set is unchanged. */
    KEY_HASH(KeyHashSelector::new),
    /** Weighted rendezvous hashing with bounded load: a key moves only when its destination leaves or is full. */
    CONSISTENT_HASH(RendezvousSelector::new),
    /** Fewest live call leases relative to weight, skipping destinations at their {@code maxload}. */
    LEAST_CALLS(LeastCallsSelector::new),
    /** Lowest latency EWMA, spreading over near-ties and exploring now and then. */
    LOWEST_LATENCY(LowestLatencySelector::new),
    /** Highest priority group with an active destination first; weighted random inside a group (SRV-like). */
    PRIORITY_GROUPS(PriorityGroupSelector::new);

    private final Function<DestinationSet, DestinationSelector> factory;

    Algorithm(final Function<DestinationSet, DestinationSelector> factory) {
        this.factory = factory;
    }

    DestinationSelector newSelector(final DestinationSet set) {
        return factory.apply(set);
    }
}
