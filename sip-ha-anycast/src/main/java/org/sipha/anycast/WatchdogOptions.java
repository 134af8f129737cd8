package org.sipha.anycast;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Command-line options of {@link AnycastWatchdogMain}: {@code --name=value} pairs, validated into typed values.
 * Immutable after {@link #parse}; bad input is an IllegalArgumentException naming the option.
 */
final class WatchdogOptions {
    static final String USAGE = String.join("\n",
            "usage: java -jar sip-ha-anycast-watchdog.jar --sip-target=HOST:PORT [options]",
            "  --sip-target=HOST:PORT        SIP proxy to probe with OPTIONS over UDP (required)",
            "  --sip-local=ADDR[:PORT]       address to probe from (default: chosen by the kernel)",
            "  --probe-interval-ms=200       --probe-timeout-ms=150",
            "  --down-codes=503              final responses to OPTIONS that count as down: codes and ranges,",
            "                                e.g. 503,500-599; empty: only silence is down; any other code is alive",
            "  --check-command=CMD           also run CMD (/bin/sh -c) every --check-interval-ms=1000, killed after",
            "                                --check-timeout-ms=500; down (drain, then withdraw) on a non-zero exit,",
            "                                a timeout, or fewer than K counted in its output:",
            "    --min-up=K                  active destinations in `kamcmd dispatcher.list` output (FLAGS A*)",
            "    --check-regex=REGEX         output lines matching REGEX (K: --min-up, default 1)",
            "    (neither)                   only the exit status counts",
            "  --rise=3 --fall=2             consecutive passes/failures to change a check's verdict",
            "  --drain-ms=10000              announce with 65535:0/prepend this long before withdrawing",
            "  --drain-on-proxy-failure=false",
            "  --maintenance-file=PATH       while it exists: drain, then withdraw (DISABLED)",
            "  --announcer=bird|hook|exabgp|frr  (default bird)",
            "  --bird-socket=/run/bird/bird.ctl --bird-protocol=sipha_up --bird-drain-protocol=sipha_drain|-",
            "  --hook=PATH --hook-timeout-ms=400  (default 4/5 of the dead-man timeout, must be shorter)",
            "  --exabgp-fifo=PATH --prefix=198.51.100.10/32 --exabgp-drain-attributes='community [65535:0]'",
            "  --frr-asn=65004 --prefix=P --frr-drain-route-map=sipha-drain --frr-vty-socket=DIR --frr-timeout-ms=400",
            "  --address=198.51.100.10/32 --address-device=lo   also own the address: added before announcing,",
            "                                removed only after the withdraw (iproute2, needs CAP_NET_ADMIN)",
            "  --deadman-timeout-ms=500      relay withdraws after this much heartbeat silence; 0 disables the relay",
            "  --heartbeat-ms=100 --reconcile-ms=1000",
            "  --damping=PENALTY,SUPPRESS,REUSE,MAX,HALF_LIFE_MS   (default 1000,2000,750,8000,60000)");

    private static final Set<String> KNOWN = Set.of("sip-target", "sip-local", "probe-interval-ms",
            "probe-timeout-ms", "rise", "fall", "drain-ms", "drain-on-proxy-failure", "maintenance-file", "announcer",
            "bird-socket", "bird-protocol", "bird-drain-protocol", "hook", "hook-timeout-ms", "deadman-timeout-ms",
            "heartbeat-ms", "reconcile-ms", "damping", "exabgp-fifo", "prefix", "exabgp-drain-attributes",
            "address", "address-device", "frr-asn", "frr-drain-route-map", "frr-vty-socket", "frr-timeout-ms",
            "down-codes", "check-command", "check-regex", "min-up", "check-interval-ms", "check-timeout-ms");
    private static final List<String> CHECK_OPTIONS = List.of("check-regex", "min-up", "check-interval-ms",
            "check-timeout-ms");

    final InetSocketAddress sipTarget;
    final InetSocketAddress sipLocal;
    final long probeIntervalMs;
    final long probeTimeoutMs;
    final SipStatusCodeSet downCodes;
    /** Null without {@code --check-command}. */
    final CommandCheck check;
    final long checkIntervalMs;
    final long deadmanTimeoutMs;
    final List<String> announcerSpec;
    final AnycastConfig config;

    private WatchdogOptions(Map<String, String> o) {
        sipTarget = hostPort("sip-target", required(o, "sip-target"), -1);
        sipLocal = o.containsKey("sip-local") ? hostPort("sip-local", o.get("sip-local"), 0)
                : new InetSocketAddress(0);
        probeIntervalMs = positive(o, "probe-interval-ms", 200);
        probeTimeoutMs = positive(o, "probe-timeout-ms", Math.min(150, probeIntervalMs));
        if (probeTimeoutMs > probeIntervalMs) {
            throw new IllegalArgumentException("--probe-timeout-ms must not exceed --probe-interval-ms");
        }
        downCodes = downCodes(o.getOrDefault("down-codes", "503"));
        checkIntervalMs = positive(o, "check-interval-ms", 1_000);
        check = o.containsKey("check-command") ? check(o, checkIntervalMs) : noCheck(o);
        deadmanTimeoutMs = number(o, "deadman-timeout-ms", 500);
        String kind = o.getOrDefault("announcer", "bird");
        List<String> routing = switch (kind) {
            case "bird" -> List.of(AnnouncerSpec.BIRD, o.getOrDefault("bird-socket", "/run/bird/bird.ctl"),
                    o.getOrDefault("bird-protocol", "sipha_up"), o.getOrDefault("bird-drain-protocol", "sipha_drain"));
            case "hook" -> List.of(AnnouncerSpec.HOOK, required(o, "hook"),
                    Long.toString(commandTimeoutMs(o, "hook-timeout-ms", 5_000)));
            case "exabgp" -> List.of(AnnouncerSpec.EXABGP, required(o, "exabgp-fifo"), required(o, "prefix"),
                    o.getOrDefault("exabgp-drain-attributes", "community [65535:0]"));
            case "frr" -> List.of(AnnouncerSpec.FRR, o.getOrDefault("frr-vty-socket", AnnouncerSpec.NONE),
                    required(o, "frr-asn"), required(o, "prefix"),
                    o.getOrDefault("frr-drain-route-map", AnnouncerSpec.NONE),
                    Long.toString(commandTimeoutMs(o, "frr-timeout-ms", 400)));
            default -> throw new IllegalArgumentException("--announcer must be bird, hook, exabgp or frr: " + kind);
        };
        if (o.containsKey("address")) {
            List<String> ordered = new ArrayList<>(List.of(AnnouncerSpec.ORDERED, Integer.toString(routing.size())));
            ordered.addAll(routing);
            ordered.addAll(List.of(AnnouncerSpec.ADDRESS, o.get("address"), o.getOrDefault("address-device", "lo"),
                    AnnouncerSpec.NONE));
            announcerSpec = List.copyOf(ordered);
        } else {
            announcerSpec = routing;
        }
        AnycastConfig.Builder b = AnycastConfig.builder()
                .rise((int) positive(o, "rise", 3))
                .fall((int) positive(o, "fall", 2))
                .drainMs(number(o, "drain-ms", 10_000))
                .drainOnProxyFailure(Boolean.parseBoolean(o.getOrDefault("drain-on-proxy-failure", "false")))
                .heartbeatIntervalMs(positive(o, "heartbeat-ms", 100))
                .reconcileIntervalMs(positive(o, "reconcile-ms", 1_000))
                .minDestinationsUp(check == null ? 0 : check.minUp());
        if (o.containsKey("maintenance-file")) {
            b.maintenanceFile(Path.of(o.get("maintenance-file")));
        }
        if (o.containsKey("damping")) {
            String[] d = o.get("damping").split(",");
            if (d.length != 5) {
                throw new IllegalArgumentException("--damping needs 5 comma-separated numbers: " + o.get("damping"));
            }
            try {
                b.damping(Double.parseDouble(d[0]), Double.parseDouble(d[1]), Double.parseDouble(d[2]),
                        Double.parseDouble(d[3]), Long.parseLong(d[4].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--damping: not a number in " + o.get("damping"), e);
            }
        }
        if (deadmanTimeoutMs > 0 && deadmanTimeoutMs < 3 * positive(o, "heartbeat-ms", 100)) {
            throw new IllegalArgumentException("--deadman-timeout-ms should be at least 3 heartbeat periods");
        }
        config = b.build();
    }

    private static SipStatusCodeSet downCodes(String spec) {
        try {
            return SipStatusCodeSet.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--down-codes: " + e.getMessage(), e);
        }
    }

    private static CommandCheck check(Map<String, String> o, long intervalMs) {
        String command = required(o, "check-command");
        long timeoutMs = positive(o, "check-timeout-ms", Math.min(500, intervalMs));
        if (timeoutMs > intervalMs) {
            throw new IllegalArgumentException("--check-timeout-ms must not exceed --check-interval-ms");
        }
        if (o.containsKey("check-regex")) {
            Pattern regex;
            try {
                regex = Pattern.compile(o.get("check-regex"));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("--check-regex is not a regular expression: " + e.getMessage(), e);
            }
            return new CommandCheck(command, timeoutMs, CommandCheck.Counting.MATCHING_LINES, regex,
                    (int) positive(o, "min-up", 1));
        }
        if (o.containsKey("min-up")) {
            return new CommandCheck(command, timeoutMs, CommandCheck.Counting.KAMAILIO_DISPATCHER, null,
                    (int) positive(o, "min-up", 1));
        }
        return new CommandCheck(command, timeoutMs, CommandCheck.Counting.EXIT_STATUS, null, 1);
    }

    private static CommandCheck noCheck(Map<String, String> o) {
        for (String k : CHECK_OPTIONS) {
            if (o.containsKey(k)) {
                throw new IllegalArgumentException("--" + k + " needs --check-command");
            }
        }
        return null;
    }

    /**
     * The decision thread waits for the hook or vtysh; if that outlasts the dead-man timeout the relay withdraws
     * spuriously. So the default is 4/5 of the dead-man timeout (capped by {@code maxDefault}), and a timeout as
     * long as the dead-man timeout is refused.
     */
    private static long commandTimeoutMs(Map<String, String> o, String key, long maxDefault) {
        long deadman = number(o, "deadman-timeout-ms", 500);
        long dflt = deadman > 0 ? Math.min(maxDefault, Math.max(10, deadman * 4 / 5)) : maxDefault;
        long t = positive(o, key, dflt);
        if (deadman > 0 && t >= deadman) {
            throw new IllegalArgumentException("--" + key + " (" + t + ") must be shorter than "
                    + "--deadman-timeout-ms (" + deadman + "): a command that blocks the decision thread longer "
                    + "stops its heartbeat");
        }
        return t;
    }

    static WatchdogOptions parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 3) {
                bad.add(a);
                continue;
            }
            String key = a.substring(2, eq);
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
            o.put(key, a.substring(eq + 1));
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("expected --name=value, got " + bad);
        }
        return new WatchdogOptions(o);
    }

    private static String required(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    private static long number(Map<String, String> o, String key, long dflt) {
        String v = o.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new IllegalArgumentException("--" + key + " must be >= 0: " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " is not a number: " + v, e);
        }
    }

    private static long positive(Map<String, String> o, String key, long dflt) {
        long n = number(o, key, dflt);
        if (n == 0) {
            throw new IllegalArgumentException("--" + key + " must be > 0");
        }
        return n;
    }

    private static InetSocketAddress hostPort(String key, String v, int defaultPort) {
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? v : v.substring(0, colon);
        String portText = colon < 0 ? null : v.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        if (portText == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("--" + key + " needs HOST:PORT: " + v);
            }
            port = defaultPort;
        } else {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + ": bad port in " + v, e);
            }
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--" + key + ": port out of range in " + v);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--" + key + ": unknown host " + host, e);
        }
    }
}
