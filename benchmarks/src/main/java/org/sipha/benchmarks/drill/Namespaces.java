package org.sipha.benchmarks.drill;

import java.util.ArrayList;
import java.util.List;

/**
 * The drill's network namespaces and veth links (iproute2, root): creates the {@link Topology}, cuts and restores
 * links, deletes everything it made, and removes {@code shd*} namespaces and links left by an earlier crashed run.
 * The drill's thread.
 */
final class Namespaces {
    private final List<String> created = new ArrayList<>();

    /** Deletes namespaces named {@code shd*} and root-namespace links named {@code shd*} (a crashed earlier run). */
    static void removeStale() {
        for (String line : Shell.tryRun("ip", "netns", "list").output().split("\n")) {
            String name = line.split(" ")[0].trim();
            if (name.startsWith(Topology.PREFIX)) {
                Shell.tryRun("ip", "netns", "del", name);
            }
        }
        for (String line : Shell.tryRun("ip", "-o", "link", "show").output().split("\n")) {
            String[] parts = line.split(":");
            if (parts.length > 1) {
                String dev = parts[1].trim().split("@")[0];
                if (dev.startsWith(Topology.PREFIX)) {
                    Shell.tryRun("ip", "link", "del", dev);
                }
            }
        }
    }

    /**
     * Builds the whole topology: namespaces, links, addresses, routes, forwarding; with {@code anycastOnSites} also
     * the anycast address on each site's {@code lo} (the Kamailio anchor's host configuration; a site node holds it
     * itself, {@code --process-address}).
     */
    void create(boolean anycastOnSites) {
        for (String ns : Topology.NAMESPACES) {
            Shell.run("ip", "netns", "add", ns);
            created.add(ns);
            Shell.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        for (Topology.Link l : Topology.LINKS) {
            Shell.run("ip", "link", "add", l.devA(), "type", "veth", "peer", "name", l.devB());
            Shell.run("ip", "link", "set", l.devA(), "netns", l.nsA());
            Shell.run("ip", "link", "set", l.devB(), "netns", l.nsB());
            Shell.run("ip", "-n", l.nsA(), "addr", "add", l.addrA() + "/24", "dev", l.devA());
            Shell.run("ip", "-n", l.nsB(), "addr", "add", l.addrB() + "/24", "dev", l.devB());
            Shell.run("ip", "-n", l.nsA(), "link", "set", l.devA(), "up");
            Shell.run("ip", "-n", l.nsB(), "link", "set", l.devB(), "up");
        }
        for (Topology.Site s : Topology.SITES) {
            for (String a : s.lanExtraAddresses()) {
                Shell.run("ip", "-n", s.ns(), "addr", "add", a + "/32", "dev", "lo");
            }
            if (anycastOnSites) {
                Shell.run("ip", "-n", s.ns(), "addr", "add", Topology.ANYCAST + "/32", "dev", "lo");
            }
        }
        Shell.run("ip", "netns", "exec", Topology.ROUTER, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        Shell.run("ip", "netns", "exec", Topology.FAR, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        addRoutes();
    }

    /** Default and inter-site routes; also re-added after a link comes back up (a down link loses its routes). */
    void addRoutes() {
        for (String[] r : Topology.ROUTES) {
            Shell.tryRun("ip", "-n", r[0], "route", "replace", r[1], "via", r[2]);
        }
    }

    /** Takes a device in a namespace down (a cut link) or up again (then restores routes). */
    void setLink(String ns, String dev, boolean up) {
        Shell.run("ip", "-n", ns, "link", "set", dev, up ? "up" : "down");
        if (up) {
            addRoutes();
        }
    }

    /** Deletes every namespace this object made (which removes their veths). */
    void deleteAll() {
        for (String ns : created) {
            Shell.tryRun("ip", "netns", "del", ns);
        }
        created.clear();
    }
}
