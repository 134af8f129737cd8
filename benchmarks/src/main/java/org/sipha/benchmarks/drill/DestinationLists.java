package org.sipha.benchmarks.drill;

import java.util.Set;

/**
 * The sites' dispatcher lists ({@code SETID URI FLAGS PRIORITY}): each site's set lists its own two PBXs at priority
 * 10 and the other site's two (reached through the far namespace) at priority 5, so a site whose PBXs are all gone
 * carries its calls to the other site's. Site A routes set 1, site B set 2 ({@link Topology.Site#routeSet()}). A PBX
 * taken out is left out of the lists, so the version removes and later adds a destination under load. Stateless.
 */
final class DestinationLists {
    static final int OWN_PRIORITY = 10;
    static final int OTHER_PRIORITY = 5;

    private DestinationLists() {}

    /** Both sites' sets in one list, as one configuration version holds them, without the PBX URIs {@code out}. */
    static String shared(Set<String> out) {
        return set(Topology.A, Topology.A.routeSet(), out) + set(Topology.B, Topology.B.routeSet(), out);
    }

    /** {@code site}'s list as set {@code setId}: its own PBXs, then the other site's at a lower priority. */
    static String set(Topology.Site site, int setId, Set<String> out) {
        Topology.Site other = site == Topology.A ? Topology.B : Topology.A;
        StringBuilder b = new StringBuilder();
        for (Topology.Site s : new Topology.Site[] {site, other}) {
            for (int i = 0; i < s.pbxIps().size(); i++) {
                String uri = Pbx.uri(s, i);
                if (!out.contains(uri)) {
                    int priority = s == site ? OWN_PRIORITY : OTHER_PRIORITY;
                    b.append(setId)
                            .append(' ')
                            .append(uri)
                            .append(" 0 ")
                            .append(priority)
                            .append('\n');
                }
            }
        }
        return b.toString();
    }
}
