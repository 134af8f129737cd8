package org.sipha.examples.proxy;

import java.nio.file.Path;
import org.sipha.core.accounting.CallEventRings;

/**
 * The call accounting options of the reference proxy, collected by {@link ProxyOptions} from the command line or
 * the YAML file (the same names without dashes): {@code --accounting} turns it on (it needs {@code --galera-node});
 * the others size the spool, the per-loop queues and the writer's batches. See docs/accounting.md. Filled and
 * resolved by the thread that parses the options.
 */
final class AccountingOptions {
    static final String USAGE = String.join(
            "\n",
            "Call accounting into the Galera cluster, through a local spool while it has no quorum (docs/accounting.md):",
            "  --accounting                      record OUTCOME/START/STOP per call; needs --galera-node",
            "  --accounting-spool FILE           the spool (default sipha-accounting.spool); one proxy per file",
            "  --accounting-spool-max-bytes N    the spool's bound (default 1073741824)",
            "  --accounting-queue N              events each event loop may hold for the writer (default 16384);",
            "                                    beyond it events are dropped and counted",
            "  --accounting-batch N              records per database write (default 1000)");

    private boolean enabled;
    private Path spool = Path.of("sipha-accounting.spool");
    private long spoolMaxBytes = 1L << 30;
    private int queue = CallEventRings.DEFAULT_CAPACITY;
    private int batch = 1000;

    /** True for the options this class reads ({@code option} with its dashes). */
    boolean accepts(String option) {
        return switch (option) {
            case "--accounting",
                    "--accounting-spool",
                    "--accounting-spool-max-bytes",
                    "--accounting-queue",
                    "--accounting-batch" -> true;
            default -> false;
        };
    }

    /** True if {@code option} is followed by a value ({@code --accounting} alone is a switch). */
    boolean takesValue(String option) {
        return !option.equals("--accounting");
    }

    /** Records one option ({@code option} with its dashes; {@code value} null for the switch or its YAML text). */
    void put(String option, String value) {
        switch (option) {
            case "--accounting" -> enabled = value == null || Boolean.parseBoolean(value.trim());
            case "--accounting-spool" -> spool = Path.of(value.trim());
            case "--accounting-spool-max-bytes" -> spoolMaxBytes = number(option, value, 1L << 20, 1L << 40);
            case "--accounting-queue" -> queue = (int) number(option, value, 16, 1 << 24);
            case "--accounting-batch" -> batch = (int) number(option, value, 1, 100_000);
            default -> throw new IllegalArgumentException(option + ": not an accounting option");
        }
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * The validated settings.
     *
     * @param galeraNodes how many {@code --galera-node}s were given
     * @throws IllegalArgumentException naming the option if accounting cannot run as configured
     */
    Settings resolve(int galeraNodes) {
        if (galeraNodes == 0) {
            throw new IllegalArgumentException(
                    "--accounting: records go to the Galera cluster, so at least one --galera-node is needed");
        }
        return new Settings(spool, spoolMaxBytes, queue, batch);
    }

    private static long number(String option, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: " + v, e);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + ": must be in [" + min + ", " + max + "], got " + v);
        }
        return n;
    }

    /**
     * What accounting runs with.
     *
     * @param spool         the spool file (its offset, lock and quarantine files sit beside it)
     * @param spoolMaxBytes the spool's bound
     * @param queue         ring slots per event loop
     * @param batch         records per write
     */
    record Settings(Path spool, long spoolMaxBytes, int queue, int batch) {}
}
