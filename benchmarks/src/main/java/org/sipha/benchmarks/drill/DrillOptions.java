package org.sipha.benchmarks.drill;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How one drill runs: the short (CI) or full form, the proxy under test or the Kamailio anchor, where its files
 * go, the proxy jar, the load, and how many Galera nodes each site has (0: none). Immutable.
 */
record DrillOptions(
        boolean shortForm,
        boolean anchor,
        Path out,
        Path jar,
        Path scenarios,
        int callsPerSecond,
        int holdMs,
        int faultMs,
        int galeraNodesPerSite) {

    static DrillOptions of(boolean shortForm, boolean anchor, Path out, Path jar, Path scenarios) {
        return shortForm
                ? new DrillOptions(true, anchor, out, jar, scenarios, 40, 2000, 4000, 1)
                : new DrillOptions(false, anchor, out, jar, scenarios, 100, 3000, 6000, 2);
    }

    List<Fault> faults() {
        return java.util.Arrays.stream(Fault.values())
                .filter(f -> !shortForm || f.inShort)
                .filter(f -> f != Fault.QUORUM_LOST || galeraNodesPerSite > 0)
                .toList();
    }

    String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    Path galeraPasswordFile() {
        return out.resolve("galera.password");
    }

    /** The proxy's quorum client options for a site: its own nodes, every voter of the cluster. */
    List<String> galeraArgs(Topology.Site site) {
        List<String> args = new ArrayList<>();
        if (galeraNodesPerSite == 0) {
            return args;
        }
        for (int i = 0; i < galeraNodesPerSite; i++) {
            args.add("--galera-node");
            args.add(site.galeraIps().get(i) + ":3306");
        }
        args.addAll(List.of(
                "--galera-voters",
                Integer.toString(2 * galeraNodesPerSite + 1),
                "--galera-user",
                "sipha",
                "--galera-password-file",
                galeraPasswordFile().toString()));
        return args;
    }
}
