package org.sipha.benchmarks.drill;

import java.util.Set;

/**
 * The sites' dispatcher lists ({@code SETID URI FLAGS PRIORITY}): each site's set lists its own two PBXs at priority
 * 10 and the other site's two (reached through the far namespace) at priority 5, so a site whose PBXs are all gone
 * carries its calls to the other site's. Site A routes set 1, site B set 2 ({@link Topology.Site#routeSet()}). A PBX
 * taken out is left out of the lists, so the version removes and later adds a destination under load. In the site
 * nodes' lists a site's own PBXs carry {@code socket=udp:ANYCAST:5060}: the node sends to them from the anycast
 * address, so their answers go to that address, which leaves the site's namespace with a killed or hung node (its
 * {@code --process-address}) and then reaches site B; the other site's PBXs carry {@code socket=udp:0.0.0.0:5060}:
 * sent to from the node's own address (which they answer, Via {@code received}), never from the anycast one, which
 * the other site holds itself. Stateless.
 */
final class DestinationLists {
    static final int OWN_PRIORITY = 10;
    static final int OTHER_PRIORITY = 5;

    private DestinationLists() {}

    /** The site nodes' anycast listen socket, named by their own PBXs' {@code socket=}. */
    static final String ANYCAST_SOCKET = "udp:" + Topology.ANYCAST + ":" + Topology.SIP_PORT;
    /** The site nodes' wildcard listen socket, named by the other site's PBXs' {@code socket=}. */
    static final String WILDCARD_SOCKET = "udp:0.0.0.0:" + Topology.SIP_PORT;

    /**
     * Both sites' sets in one list, as one configuration version holds them, without the PBX URIs {@code out}, for
     * the site nodes (own PBXs sent to from {@link #ANYCAST_SOCKET}).
     */
    static String shared(Set<String> out) {
        return set(Topology.A, Topology.A.routeSet(), out, true) + set(Topology.B, Topology.B.routeSet(), out, true);
    }

    /**
     * {@code site}'s list as set {@code setId}: its own PBXs, then the other site's at a lower priority; with
     * {@code sockets}, the own ones sent to from {@link #ANYCAST_SOCKET}, the other site's from
     * {@link #WILDCARD_SOCKET}.
     */
    static String set(Topology.Site site, int setId, Set<String> out, boolean sockets) {
        Topology.Site other = site == Topology.A ? Topology.B : Topology.A;
        StringBuilder b = new StringBuilder();
        for (Topology.Site s : new Topology.Site[] {site, other}) {
            for (int i = 0; i < s.pbxIps().size(); i++) {
                String uri = Pbx.uri(s, i);
                if (!out.contains(uri)) {
                    int priority = s == site ? OWN_PRIORITY : OTHER_PRIORITY;
                    b.append(setId).append(' ').append(uri).append(" 0 ").append(priority);
                    if (sockets) {
                        b.append(" socket=").append(s == site ? ANYCAST_SOCKET : WILDCARD_SOCKET);
                    }
                    b.append('\n');
                }
            }
        }
        return b.toString();
    }
}
