package org.sipha.benchmarks.drill;

import java.util.List;

/**
 * The drill's addresses, all in 198.18.0.0/15 and 198.51.100.0/24, inside namespaces named {@code shd*}:
 *
 * <pre>
 * carrier shdc 198.18.0.2 ── 198.18.0.1 router shdr (BIRD AS 65000, kernel export, forwarding)
 *                                 ├─ 198.18.1.1 ── 198.18.1.2 site A shda (AS 65001, preferred)
 *                                 └─ 198.18.2.1 ── 198.18.2.2 site B shdb (AS 65002, prepended by the router)
 * site A 198.18.10.2 ── 198.18.10.1 far shdf (garbd, forwarding) 198.18.11.1 ── 198.18.11.2 site B
 * </pre>
 *
 * Each site holds 198.51.100.10/32 (the anycast address: on lo for the Kamailio anchor; held by the site node's
 * dead-man relay while the node runs) and its PBXs' and Galera nodes' addresses (/32 on lo, 198.18.1X.11-12 and
 * .21-22), reachable from the other site through the far namespace. Constants only.
 */
final class Topology {
    static final String PREFIX = "shd";
    static final String CARRIER = "shdc";
    static final String ROUTER = "shdr";
    static final String FAR = "shdf";
    static final String ANYCAST = "198.51.100.10";
    static final String CARRIER_IP = "198.18.0.2";
    static final String GARBD_IP = "198.18.10.1";
    static final int SIP_PORT = 5060;

    /**
     * One site: namespace, uplink to the router, LAN link to the far namespace, local addresses, and the dispatcher
     * set its proxy routes ({@link DestinationLists}).
     */
    record Site(
            String name,
            String ns,
            int asn,
            String uplinkDev,
            String uplinkIp,
            String routerIp,
            String lanDev,
            String lanIp,
            String farIp,
            String otherLan,
            List<String> pbxIps,
            List<String> galeraIps,
            int routeSet) {
        List<String> lanExtraAddresses() {
            return java.util.stream.Stream.concat(pbxIps.stream(), galeraIps.stream())
                    .toList();
        }

        /** The site answering a call, from the third octet of its PBX's address. */
        boolean owns(String pbxIp) {
            return pbxIps.contains(pbxIp);
        }
    }

    static final Site A = new Site(
            "A",
            "shda",
            65001,
            "shda0",
            "198.18.1.2",
            "198.18.1.1",
            "shda1",
            "198.18.10.2",
            "198.18.10.1",
            "198.18.11.0/24",
            List.of("198.18.10.11", "198.18.10.12"),
            List.of("198.18.10.21", "198.18.10.22"),
            1);
    static final Site B = new Site(
            "B",
            "shdb",
            65002,
            "shdb0",
            "198.18.2.2",
            "198.18.2.1",
            "shdb1",
            "198.18.11.2",
            "198.18.11.1",
            "198.18.10.0/24",
            List.of("198.18.11.11", "198.18.11.12"),
            List.of("198.18.11.21", "198.18.11.22"),
            2);
    static final List<Site> SITES = List.of(A, B);
    static final List<String> NAMESPACES = List.of(CARRIER, ROUTER, A.ns(), B.ns(), FAR);

    /** A veth pair: device devA with addrA in nsA, devB with addrB in nsB (/24 each). */
    record Link(String nsA, String devA, String addrA, String nsB, String devB, String addrB) {}

    static final List<Link> LINKS = List.of(
            new Link(CARRIER, "shdc0", CARRIER_IP, ROUTER, "shdrc", "198.18.0.1"),
            new Link(ROUTER, "shdra", A.routerIp(), A.ns(), A.uplinkDev(), A.uplinkIp()),
            new Link(ROUTER, "shdrb", B.routerIp(), B.ns(), B.uplinkDev(), B.uplinkIp()),
            new Link(FAR, "shdfa", A.farIp(), A.ns(), A.lanDev(), A.lanIp()),
            new Link(FAR, "shdfb", B.farIp(), B.ns(), B.lanDev(), B.lanIp()));

    /** {namespace, destination, gateway}. */
    static final List<String[]> ROUTES = List.of(
            new String[] {CARRIER, "default", "198.18.0.1"},
            new String[] {A.ns(), "default", A.routerIp()},
            new String[] {A.ns(), A.otherLan(), A.farIp()},
            new String[] {B.ns(), "default", B.routerIp()},
            new String[] {B.ns(), B.otherLan(), B.farIp()});

    private Topology() {}
}
