package org.sipha.examples.proxy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of configuration from Galera, collected by {@link ProxyOptions} from the command line
 * ({@code --name value}) or the YAML file (the same names without dashes): {@code --config-from-galera FILE} takes
 * the destinations and Record-Route secrets from the cluster's configuration version in force (with the
 * {@code --galera-*} options) and keeps the last good one in FILE; {@code --config-poll-ms} (default 250) and
 * {@code --config-start-wait-ms} (default 5000) tune it. See docs/configuration.md. Filled and read by the thread
 * that parses the options.
 */
final class GaleraConfigOptions {
    private final Map<String, String> values = new LinkedHashMap<>();

    /** True for the options this class reads ({@code option} with its dashes). */
    boolean accepts(String option) {
        return switch (option) {
            case "--config-from-galera", "--config-poll-ms", "--config-start-wait-ms" -> true;
            default -> false;
        };
    }

    /** Records one option ({@code option} with its dashes); a later value replaces an earlier one. */
    void put(String option, String value) {
        values.put(option.substring(2), value);
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** True when {@code --config-from-galera} was given. */
    boolean enabled() {
        return values.containsKey("config-from-galera");
    }

    /** The local copy of the last good version. */
    Path copyFile() {
        return Path.of(values.get("config-from-galera"));
    }

    long pollMs() {
        return number("config-poll-ms", 250, 10);
    }

    long startWaitMs() {
        return number("config-start-wait-ms", 5000, 0);
    }

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the option
     */
    void check(ProxyOptions o) {
        if (!enabled()) {
            if (!values.isEmpty()) {
                throw new IllegalArgumentException(
                        "--" + values.keySet().iterator().next() + ": needs --config-from-galera FILE");
            }
            return;
        }
        if (o.galeraNodes.isEmpty()) {
            throw new IllegalArgumentException("--config-from-galera: needs the cluster's nodes (--galera-node)");
        }
        if (values.get("config-from-galera").isBlank()) {
            throw new IllegalArgumentException("--config-from-galera: the local copy's file name is required");
        }
        pollMs();
        startWaitMs();
    }

    private long number(String key, long dflt, long min) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min) {
                throw new IllegalArgumentException("--" + key + ": must be >= " + min + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + ": not a number: " + v, e);
        }
    }
}
