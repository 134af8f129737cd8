package org.sipha.benchmarks.drill;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Injects each {@link Fault} into site A and repairs it: signals to the proxy, its BGP speaker and the PBXs, links
 * cut and restored, the destination lists changed. The drill's thread.
 */
final class FaultInjector {
    private final Namespaces namespaces;
    private final SiteProxy proxyA;
    private final List<Pbx> pbxsA;
    private final Consumer<Set<String>> destinations;

    /** @param destinations gives both sites their lists ({@link DestinationLists}) without the PBX URIs it is passed */
    FaultInjector(Namespaces namespaces, SiteProxy proxyA, List<Pbx> pbxsA, Consumer<Set<String>> destinations) {
        this.namespaces = namespaces;
        this.proxyA = proxyA;
        this.pbxsA = pbxsA;
        this.destinations = destinations;
    }

    void inject(Fault f) {
        switch (f) {
            case PBX_KILLED -> pbxsA.get(0).kill();
            case PBX_HUNG -> pbxsA.get(1).hang();
            case PROXY_KILLED -> proxyA.kill();
            case PROXY_HUNG -> proxyA.hang();
            case SPEAKER_KILLED -> proxyA.killSpeaker();
            case BOTH_PBXS_KILLED -> pbxsA.forEach(Pbx::kill);
            case QUORUM_LOST -> namespaces.setLink(Topology.FAR, "shdfa", false);
            case SITE_DARK -> {
                namespaces.setLink(Topology.A.ns(), Topology.A.uplinkDev(), false);
                namespaces.setLink(Topology.A.ns(), Topology.A.lanDev(), false);
            }
            case MAINTENANCE -> proxyA.plannedStop();
            case CONFIG_PUSHED -> destinations.accept(Set.of(pbxsA.get(0).uri()));
        }
    }

    void repair(Fault f) {
        switch (f) {
            case PBX_KILLED -> pbxsA.get(0).start();
            case PBX_HUNG -> pbxsA.get(1).resume();
            case PROXY_KILLED, MAINTENANCE -> proxyA.start();
            case PROXY_HUNG -> proxyA.resume();
            case SPEAKER_KILLED -> {
                // nothing to do: the node starts its own BIRD again, and its reconciliation re-announces
            }
            case BOTH_PBXS_KILLED -> pbxsA.forEach(Pbx::start);
            case QUORUM_LOST -> namespaces.setLink(Topology.FAR, "shdfa", true);
            case SITE_DARK -> {
                namespaces.setLink(Topology.A.ns(), Topology.A.uplinkDev(), true);
                namespaces.setLink(Topology.A.ns(), Topology.A.lanDev(), true);
            }
            case CONFIG_PUSHED -> destinations.accept(Set.of());
        }
    }
}
