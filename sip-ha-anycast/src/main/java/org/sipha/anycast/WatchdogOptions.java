package org.sipha.anycast;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Options of {@link AnycastWatchdogMain}: its own ({@link #OWN_OPTIONS}) and the shared announcer and decision
 * options ({@link AnycastOptions#OPTIONS}), given as {@code --name value} or {@code --name=value}
 * ({@link WatchdogCommandLine}) and validated into typed values. Immutable after {@link #parse}; bad input is an
 * IllegalArgumentException naming the option.
 */
final class WatchdogOptions {
    /** The watchdog's own options, in the order {@code --help} lists them before the shared ones. */
    static final List<AnycastOptions.OptionInfo> OWN_OPTIONS = List.of(
            new AnycastOptions.OptionInfo(
                    "sip-target", "HOST:PORT", null, "The SIP proxy to probe with OPTIONS over UDP (required)."),
            new AnycastOptions.OptionInfo(
                    "sip-local", "ADDR[:PORT]", null, "The address to probe from; by default the kernel's choice."),
            new AnycastOptions.OptionInfo("probe-interval-ms", "N", "200", "How often the proxy is probed."),
            new AnycastOptions.OptionInfo(
                    "probe-timeout-ms", "N", "150", "How long a probe waits; at most the interval."),
            new AnycastOptions.OptionInfo(
                    "down-codes",
                    "CODES",
                    "503",
                    "Final responses to OPTIONS that count as down: codes and ranges, e.g. 503,500-599; empty: only"
                            + " silence is down; any other response is alive."),
            new AnycastOptions.OptionInfo(
                    "check-command",
                    "CMD",
                    null,
                    "Also run CMD (/bin/sh -c) every --check-interval-ms; down (drain, then withdraw) on a non-zero"
                            + " exit, a timeout, or fewer than K counted in its output."),
            new AnycastOptions.OptionInfo(
                    "min-up",
                    "K",
                    null,
                    "Count active destinations in `kamcmd dispatcher.list` output (FLAGS A*), or with --check-regex"
                            + " matching lines; at least K are needed (default 1). Without either only the exit"
                            + " status counts."),
            new AnycastOptions.OptionInfo(
                    "check-regex", "REGEX", null, "Count the check command's output lines matching REGEX."),
            new AnycastOptions.OptionInfo("check-interval-ms", "N", "1000", "How often the check command runs."),
            new AnycastOptions.OptionInfo(
                    "check-timeout-ms", "N", "500", "The check command is killed after this; at most the interval."));

    private static final Set<String> OWN = own();
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
    /** The announcer and decision options, for {@code --withdraw}. */
    final AnycastOptions anycast;
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
        anycast = AnycastOptions.parse(o);
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

    /** The options of a command line ({@link WatchdogCommandLine}). */
    static WatchdogOptions parse(String[] args) {
        return parse(WatchdogCommandLine.parse(args).options());
    }

    /**
     * The options of a map of names (without dashes) to values.
     *
     * @throws IllegalArgumentException naming the option that is unknown, missing or wrong
     */
    static WatchdogOptions parse(Map<String, String> options) {
        for (String key : options.keySet()) {
            if (!OWN.contains(key) && !AnycastOptions.KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
        }
        return new WatchdogOptions(options);
    }

    private static Set<String> own() {
        Set<String> keys = new java.util.HashSet<>();
        OWN_OPTIONS.forEach(o -> keys.add(o.name()));
        return Set.copyOf(keys);
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
