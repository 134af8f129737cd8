package org.sipha.benchmarks.drill;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How one drill runs: the short (CI) or full form, the proxy under test or the Kamailio anchor, where its files
 * go, the proxy jar, the load, how many Galera nodes each site has (0: none), and how long the PBXs take to
 * answer. Immutable.
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
        int galeraNodesPerSite,
        List<Fault> only,
        int answerDelayMs,
        boolean tryingAtOnce) {

    static DrillOptions of(boolean shortForm, boolean anchor, Path out, Path jar, Path scenarios) {
        return shortForm
                ? new DrillOptions(true, anchor, out, jar, scenarios, 40, 2000, 4000, 1, List.of(), 0, false)
                : new DrillOptions(false, anchor, out, jar, scenarios, 100, 3000, 6000, 2, List.of(), 0, false);
    }

    /** The same drill with only the faults whose ids are listed (e.g. "2,8"). */
    DrillOptions onlyFaults(String ids) {
        List<String> wanted = List.of(ids.split(","));
        List<Fault> faults = java.util.Arrays.stream(Fault.values())
                .filter(f -> wanted.contains(f.id))
                .toList();
        return new DrillOptions(
                shortForm,
                anchor,
                out,
                jar,
                scenarios,
                callsPerSecond,
                holdMs,
                faultMs,
                galeraNodesPerSite,
                faults,
                answerDelayMs,
                tryingAtOnce);
    }

    /** The same drill with PBXs that answer each new INVITE {@code ms} later (after their 100 Trying). */
    DrillOptions withAnswerDelayMs(int ms) {
        return new DrillOptions(
                shortForm,
                anchor,
                out,
                jar,
                scenarios,
                callsPerSecond,
                holdMs,
                faultMs,
                galeraNodesPerSite,
                only,
                ms,
                tryingAtOnce);
    }

    /** The same drill with site nodes that answer 100 Trying at once (without {@code --trying-on-answer}). */
    DrillOptions withTryingAtOnce() {
        return new DrillOptions(
                shortForm,
                anchor,
                out,
                jar,
                scenarios,
                callsPerSecond,
                holdMs,
                faultMs,
                galeraNodesPerSite,
                only,
                answerDelayMs,
                true);
    }

    /** The same drill with the Kamailio anchor, writing to {@code dir}. */
    DrillOptions asAnchor(Path dir) {
        return new DrillOptions(
                shortForm,
                true,
                dir,
                jar,
                scenarios,
                callsPerSecond,
                holdMs,
                faultMs,
                galeraNodesPerSite,
                only,
                answerDelayMs,
                tryingAtOnce);
    }

    List<Fault> faults() {
        return java.util.Arrays.stream(Fault.values())
                .filter(f -> only.isEmpty() ? !shortForm || f.inShort : only.contains(f))
                .filter(f -> (f != Fault.QUORUM_LOST && f != Fault.CONFIG_PUSHED) || galeraNodesPerSite > 0)
                .toList();
    }

    /** Whether the proxies record calls into Galera (the site node with a cluster), checked after the load. */
    boolean accounting() {
        return !anchor && galeraNodesPerSite > 0;
    }

    String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The standalone watchdog jar next to the proxy jar's module: {@code sip-ha-anycast/target}. */
    Path watchdogJar() {
        String override = System.getenv("SIPHA_WATCHDOG_JAR");
        return override != null
                ? Path.of(override)
                : scenarios.getParent().getParent().resolve("sip-ha-anycast/target/sip-ha-anycast-watchdog.jar");
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
