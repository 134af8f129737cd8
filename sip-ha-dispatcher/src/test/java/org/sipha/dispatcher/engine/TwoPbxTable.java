package org.sipha.dispatcher.engine;

import org.sipha.core.model.Destination;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingTableOwner;

/** Test fixture: a routing table with one round-robin set of two PBXs, "a" on 127.0.0.1:5081 and "b" on :5082. */
final class TwoPbxTable {
    private TwoPbxTable() {}

    static RoutingTableOwner create() {
        DestinationSetConfig.Builder set = DestinationSetConfig.builder(1).algorithm(Algorithm.ROUND_ROBIN);
        set.add(Destination.of("a", "sip:127.0.0.1:5081"));
        set.add(Destination.of("b", "sip:127.0.0.1:5082"));
        return new RoutingTableOwner(DispatcherConfig.builder().set(set.build()).build());
    }
}
