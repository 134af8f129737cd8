package org.sipha.anycast;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
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
    static final String USAGE = String.join(
            "\n",
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
            AnycastOptions.USAGE);

    private static final Set<String> OWN = Set.of(
            "sip-target",
            "sip-local",
            "probe-interval-ms",
            "probe-timeout-ms",
            "down-codes",
            "check-command",
            "check-regex",
            "min-up",
            "check-interval-ms",
            "check-timeout-ms");
    private static final List<String> CHECK_OPTIONS =
            List.of("check-regex", "min-up", "check-interval-ms", "check-timeout-ms");

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
    /** Null unless the watchdog runs its own BIRD ({@code --bird-config}). */
    final ChildBgpSpeaker speaker;

    private WatchdogOptions(Map<String, String> o) {
        sipTarget = hostPort("sip-target", required(o, "sip-target"), -1);
        sipLocal = o.containsKey("sip-local") ? hostPort("sip-local", o.get("sip-local"), 0) : new InetSocketAddress(0);
        probeIntervalMs = positive(o, "probe-interval-ms", 200);
        probeTimeoutMs = positive(o, "probe-timeout-ms", Math.min(150, probeIntervalMs));
        if (probeTimeoutMs > probeIntervalMs) {
            throw new IllegalArgumentException("--probe-timeout-ms must not exceed --probe-interval-ms");
        }
        downCodes = downCodes(o.getOrDefault("down-codes", "503"));
        checkIntervalMs = positive(o, "check-interval-ms", 1_000);
        check = o.containsKey("check-command") ? check(o, checkIntervalMs) : noCheck(o);
        AnycastOptions anycast = AnycastOptions.parse(o);
        deadmanTimeoutMs = anycast.deadmanTimeoutMs();
        announcerSpec = anycast.announcerSpec();
        speaker = anycast.speaker();
        config = anycast.config()
                .minDestinationsUp(check == null ? 0 : check.minUp())
                .build();
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
            return new CommandCheck(
                    command, timeoutMs, CommandCheck.Counting.MATCHING_LINES, regex, (int) positive(o, "min-up", 1));
        }
        if (o.containsKey("min-up")) {
            return new CommandCheck(command, timeoutMs, CommandCheck.Counting.KAMAILIO_DISPATCHER, null, (int)
                    positive(o, "min-up", 1));
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
            if (!OWN.contains(key) && !AnycastOptions.KEYS.contains(key)) {
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
        return AnycastOptions.required(o, key);
    }

    private static long positive(Map<String, String> o, String key, long dflt) {
        return AnycastOptions.positive(o, key, dflt);
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
