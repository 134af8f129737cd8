package org.sipha.benchmarks.drill;

import java.nio.file.Path;

/**
 * BIRD configurations: the router (imports the anycast prefix from both sites, prefers A by prepending B's path,
 * gives drain-marked routes local preference 0, installs the best into its kernel table) and each site's
 * announcer (the two disabled static protocols the site node drives, or one the watchdog drives). Stateless.
 */
final class BirdConfigs {
    private static final String TIMERS =
            "graceful restart off; hold time 3; keepalive time 1; connect delay time 1; connect retry time 1;"
                    + " error wait time 1, 5;";

    private BirdConfigs() {}

    static String router(Path log) {
        return """
            log "%s" all;
            router id 198.18.0.1;
            protocol device { scan time 10; }
            protocol kernel { ipv4 { export all; import none; }; }
            filter from_a {
              if net != 198.51.100.10/32 then reject;
              if (65535, 0) ~ bgp_community then bgp_local_pref = 0;
              accept;
            }
            filter from_b {
              if net != 198.51.100.10/32 then reject;
              if (65535, 0) ~ bgp_community then bgp_local_pref = 0;
              bgp_path.prepend(65002);
              accept;
            }
            protocol bgp site_a {
              local %s as 65000; neighbor %s as %d; %s
              ipv4 { import filter from_a; export none; };
            }
            protocol bgp site_b {
              local %s as 65000; neighbor %s as %d; %s
              ipv4 { import filter from_b; export none; };
            }
            """.formatted(
                        log,
                        Topology.A.routerIp(),
                        Topology.A.uplinkIp(),
                        Topology.A.asn(),
                        TIMERS,
                        Topology.B.routerIp(),
                        Topology.B.uplinkIp(),
                        Topology.B.asn(),
                        TIMERS);
    }

    /** The site's announcer: {@code sipha_up} and {@code sipha_drain} start disabled; the node enables one. */
    static String site(Topology.Site s, Path log) {
        return """
            log "%1$s" all;
            router id %2$s;
            protocol device { scan time 10; }
            protocol static sipha_up { ipv4; disabled yes; route 198.51.100.10/32 blackhole; }
            protocol static sipha_drain { ipv4 { preference 100; }; disabled yes;
              route 198.51.100.10/32 blackhole { bgp_community.add((65535,0)); bgp_path.prepend(%3$d); }; }
            protocol bgp upstream {
              local %2$s as %3$d; neighbor %4$s as 65000; %5$s
              ipv4 { import none; export where proto = "sipha_up" || proto = "sipha_drain"; next hop self; };
            }
            """.formatted(log, s.uplinkIp(), s.asn(), s.routerIp(), TIMERS);
    }
}
