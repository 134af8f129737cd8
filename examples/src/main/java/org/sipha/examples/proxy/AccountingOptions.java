package org.sipha.examples.proxy;

import java.nio.file.Path;
import java.util.List;
import org.sipha.core.accounting.CallEventRings;

/**
 * The call accounting options of the reference proxy, rows of {@link ProxyOptionTable} ({@link #ROWS}):
 * {@code --accounting} turns it on (it needs {@code --galera-node}); the others size the spool, the per-loop queues
 * and the writer's batches. See docs/accounting.md. Filled and resolved by the thread that parses the options.
 */
final class AccountingOptions {
    static final List<OptionRow> ROWS = List.of(
            OptionRow.flag(
                    "accounting",
                    false,
                    "Record each call (OUTCOME per forwarded INVITE, START at the 2xx, STOP at the BYE) into the"
                            + " Galera cluster, through a local spool while it has no quorum; needs --galera-node"
                            + " (docs/accounting.md).",
                    (o, v, from) -> o.accounting.enabled = Boolean.parseBoolean(v.trim())),
            OptionRow.value(
                            "accounting-spool",
                            "FILE",
                            "sipha-accounting.spool",
                            "The accounting spool; one proxy per file.",
                            (o, v, from) -> o.accounting.spool = Path.of(v.trim()))
                    .defaultShownOnly(),
            OptionRow.value(
                            "accounting-spool-max-bytes",
                            "N",
                            Long.toString(1L << 30),
                            "The spool's bound in bytes.",
                            (o, v, from) -> o.accounting.spoolMaxBytes = number(from.name(), v, 1L << 20, 1L << 40))
                    .defaultShownOnly(),
            OptionRow.value(
                            "accounting-queue",
                            "N",
                            Integer.toString(CallEventRings.DEFAULT_CAPACITY),
                            "Events each event loop may hold for the writer; beyond it events are dropped and"
                                    + " counted.",
                            (o, v, from) -> o.accounting.queue = (int) number(from.name(), v, 16, 1 << 24))
                    .defaultShownOnly(),
            OptionRow.value(
                            "accounting-batch",
                            "N",
                            "1000",
                            "Records per database write.",
                            (o, v, from) -> o.accounting.batch = (int) number(from.name(), v, 1, 100_000))
                    .defaultShownOnly());

    private boolean enabled;
    private Path spool = Path.of("sipha-accounting.spool");
    private long spoolMaxBytes = 1L << 30;
    private int queue = CallEventRings.DEFAULT_CAPACITY;
    private int batch = 1000;

    boolean enabled() {
        return enabled;
    }

    @Override
    public String toString() {
        return "accounting " + (enabled ? "on" : "off") + ", spool " + spool + " (at most " + spoolMaxBytes
                + " bytes), queue " + queue + ", batch " + batch;
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
        long n = ProxyOptions.number(v, option);
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
