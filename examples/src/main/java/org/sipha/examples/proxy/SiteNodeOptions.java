package org.sipha.examples.proxy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.sipha.anycast.AnycastOptions;
import org.sipha.anycast.DeadManSwitch;

/**
 * The site node's options, collected by {@link ProxyOptions} from the command line or the YAML file through
 * {@link #ROWS}: {@code --anycast PREFIX} turns the site node on; {@code --min-backends},
 * {@code --liveness-interval-ms}, {@code --liveness-timeout-ms} are its own; every announcer and decision option
 * of the anycast watchdog ({@link AnycastOptions#OPTIONS}, but {@code prefix}, which {@code --anycast} names) is
 * read by the watchdog's own parser. See docs/site-node.md. Filled and resolved by the thread that parses the
 * options.
 */
final class SiteNodeOptions {
    private static final Pattern PREFIX = Pattern.compile("[0-9A-Fa-f.:]+/[0-9]{1,3}");

    /** The site node's rows of {@link ProxyOptionTable}; their defaults are applied by {@link #resolve}. */
    static final List<OptionRow> ROWS = rows();

    private final Map<String, String> values = new LinkedHashMap<>();

    private static List<OptionRow> rows() {
        List<OptionRow> rows = new ArrayList<>();
        rows.add(row(
                "anycast",
                "PREFIX",
                null,
                "Announce this anycast prefix (e.g. 198.51.100.10/32) while the proxy can take calls; turns the site"
                        + " node on (docs/site-node.md). The options below need it."));
        rows.add(row(
                "min-backends",
                "K",
                "1",
                "Drain, then withdraw, while fewer than K backends are usable (none usable withdraws at once)."));
        rows.add(row(
                "process-address",
                "ADDR/LEN",
                null,
                "Hold the service address (usually the anycast one) on --address-device only while this process runs:"
                        + " the dead-man relay adds it at start, removes it when the process dies or hangs, adds it"
                        + " back when it resumes; a drain or withdraw of a running proxy keeps it. So a local PBX's"
                        + " answers to a dead proxy leave this host for the site that still announces. Needs"
                        + " CAP_NET_ADMIN and the relay (docs/site-node.md)."));
        rows.add(row(
                "liveness-interval-ms", "N", "100", "How often each event loop is handed a no-op by the self-check."));
        rows.add(row(
                "liveness-timeout-ms",
                "N",
                "500",
                "How long an event loop may leave its no-op waiting before the node withdraws."));
        for (AnycastOptions.OptionInfo a : AnycastOptions.OPTIONS) {
            if (!a.name().equals("prefix")) { // --anycast names the prefix
                rows.add(row(a.name(), a.label(), a.defaultValue(), a.description()));
            }
        }
        return List.copyOf(rows);
    }

    private static OptionRow row(String name, String label, String defaultValue, String description) {
        return OptionRow.value(name, label, defaultValue, description, (o, v, from) -> o.siteNode.put(name, v))
                .defaultShownOnly();
    }

    /** Records one option ({@code key} without dashes); a later value replaces an earlier one. */
    void put(String key, String value) {
        values.put(key, value);
    }

    /** True when any of these options was given. */
    boolean given() {
        return !values.isEmpty();
    }

    /** True when {@code --anycast} was given. */
    boolean enabled() {
        return values.containsKey("anycast");
    }

    /**
     * The validated settings.
     *
     * @param health   whether health checking runs (it counts the usable backends)
     * @param backends number of configured backends
     * @throws IllegalArgumentException naming the option if one is wrong or given without {@code --anycast}
     */
    Settings resolve(boolean health, int backends) {
        if (!enabled()) {
            throw new IllegalArgumentException(
                    "--" + values.keySet().iterator().next() + ": a site node option, which needs --anycast PREFIX");
        }
        String prefix = values.get("anycast").trim();
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("--anycast: expected a prefix such as 198.51.100.10/32, got " + prefix);
        }
        int minBackends = (int) number("min-backends", 1);
        if (minBackends > 0 && !health) {
            throw new IllegalArgumentException("--min-backends: counting usable backends needs health checking, "
                    + "which --no-health turns off; pass --min-backends 0 to announce without it");
        }
        if (minBackends > backends) {
            throw new IllegalArgumentException("--min-backends: " + minBackends + " is more than the " + backends
                    + " configured backend(s): the prefix would never be announced");
        }
        long intervalMs = number("liveness-interval-ms", 100);
        long timeoutMs = number("liveness-timeout-ms", 500);
        if (intervalMs < 10 || timeoutMs < 2 * intervalMs) {
            throw new IllegalArgumentException("--liveness-interval-ms must be at least 10 and "
                    + "--liveness-timeout-ms at least twice it, got " + intervalMs + " and " + timeoutMs);
        }
        String processAddress = values.get("process-address");
        if (processAddress != null) {
            processAddress = processAddress.trim();
            if (!PREFIX.matcher(processAddress).matches()) {
                throw new IllegalArgumentException(
                        "--process-address: expected an address such as 198.51.100.10/32, got " + processAddress);
            }
            if (values.containsKey("address")) {
                throw new IllegalArgumentException("--process-address and --address both manage the service "
                        + "address (one for the process's life, one with the route): give one");
            }
        }
        Map<String, String> anycast = new LinkedHashMap<>(values);
        anycast.put("prefix", prefix);
        AnycastOptions parsed = AnycastOptions.parse(anycast);
        if (processAddress != null && parsed.deadmanTimeoutMs() == 0) {
            throw new IllegalArgumentException("--process-address: the dead-man relay holds it, and "
                    + "--deadman-timeout-ms 0 turns the relay off");
        }
        return new Settings(prefix, minBackends, intervalMs, timeoutMs, processAddress, parsed);
    }

    private long number(String key, long dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new IllegalArgumentException("--" + key + ": must be >= 0, got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + ": not a number: " + v, e);
        }
    }

    /**
     * What the site node runs with.
     *
     * @param prefix              the anycast prefix (for BIRD it lives in BIRD's configuration; logged here)
     * @param minBackends         K: fewer usable backends drain, then withdraw
     * @param livenessIntervalMs  how often the self-check runs
     * @param livenessTimeoutMs   how long an event loop may leave a no-op waiting
     * @param processAddress      the address held on the host while this process runs, or null
     * @param anycast             announcer, relay and decision settings
     */
    record Settings(
            String prefix,
            int minBackends,
            long livenessIntervalMs,
            long livenessTimeoutMs,
            String processAddress,
            AnycastOptions anycast) {
        /** The dead-man relay these settings ask for (holding the process address if one is set), not started. */
        DeadManSwitch deadManSwitch() {
            return processAddress == null ? anycast.deadManSwitch() : anycast.deadManSwitch(processAddress);
        }
    }
}
