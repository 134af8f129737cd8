package org.sipha.anycast;

/**
 * Counts the destinations in the output of Kamailio's {@code kamcmd dispatcher.list}. Each destination prints a
 * {@code FLAGS: XY} line (dispatcher module, {@code ds_rpc_print_set}): X is the state, {@code A} active,
 * {@code I} inactive, {@code D} disabled, {@code T} trying; Y is {@code P} while probed, else {@code X}. Only
 * {@code A*} is active: a trying destination has already missed replies. A JSON rendering
 * ({@code "FLAGS": "AP",}) is read the same way. Stateless; any thread.
 */
final class KamailioDispatcherList {
    /** Destinations seen ({@code total}) and how many of them are active. */
    record Count(int active, int total) {}

    private KamailioDispatcherList() {}

    static Count count(String output) {
        int active = 0;
        int total = 0;
        for (String raw : output.split("\n", -1)) {
            String flags = flagsValue(raw.strip());
            if (flags != null) {
                total++;
                if (flags.startsWith("A")) {
                    active++;
                }
            }
        }
        return new Count(active, total);
    }

    /** The value of a {@code FLAGS:} line without quotes or a trailing comma, or null for any other line. */
    private static String flagsValue(String line) {
        String rest = line.startsWith("\"") ? line.substring(1) : line;
        if (!rest.startsWith("FLAGS")) {
            return null;
        }
        rest = rest.substring("FLAGS".length());
        if (rest.startsWith("\"")) {
            rest = rest.substring(1);
        }
        rest = rest.stripLeading();
        if (!rest.startsWith(":")) {
            return null;
        }
        rest = rest.substring(1).strip();
        if (rest.endsWith(",")) {
            rest = rest.substring(0, rest.length() - 1).strip();
        }
        if (rest.length() >= 2 && rest.startsWith("\"") && rest.endsWith("\"")) {
            rest = rest.substring(1, rest.length() - 1);
        }
        return rest;
    }
}
