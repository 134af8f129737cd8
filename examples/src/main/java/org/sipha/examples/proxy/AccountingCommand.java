package org.sipha.examples.proxy;

import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.sipha.galera.GaleraQuorumClient;
import org.sipha.galera.OpenCalls;

/**
 * The reconciliation report of call accounting: {@code accounting open-calls --older-than 4h [--newer-than 30d]
 * [--limit 1000]} with the proxy's {@code --galera-*} options (or {@code --config proxy.yaml}). Lists answered calls
 * (a START) without a STOP that were answered longer ago than {@code --older-than} and not longer ago than
 * {@code --newer-than}, oldest first, one tab-separated line each: the calls whose BYE was lost or never went
 * through a proxy, for billing to close. Reads from a trusted node only ({@link OpenCalls}). Exit status: 0 (the
 * list, possibly empty), 2 (bad options), 3 (no trusted database node).
 *
 * <p>{@link #run} is the entry point; called on the caller's thread.
 */
public final class AccountingCommand {
    /** The first argument that selects this command: {@code java -jar sip-ha-proxy.jar accounting ...}. */
    static final String NAME = "accounting";

    static final String USAGE = String.join(
            "\n",
            "usage: java -jar sip-ha-proxy.jar accounting open-calls --older-than DURATION [--newer-than DURATION]",
            "           [--limit N] --galera-node HOST:PORT... [--galera-user U] [--galera-password-file FILE]",
            "           [--galera-database D] [--galera-voters N] [--config proxy.yaml]",
            "  DURATION: a number with s, m, h or d, e.g. 4h (--newer-than defaults to 30d, --limit to 1000)",
            "  prints: answered_utc  age  call_id  caller_tag  callee_tag  from_uri  to_uri  destination  source");
    private static final long QUORUM_WAIT_MS = 10_000;

    private AccountingCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs {@code accounting SUBCOMMAND ...} without its leading "accounting"; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || !args[0].equals("open-calls")) {
            err.println(USAGE);
            return 2;
        }
        Duration olderThan = null;
        Duration newerThan = Duration.ofDays(30);
        int limit = 1000;
        List<String> galera = new ArrayList<>();
        ProxyOptions o;
        try {
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--older-than" -> olderThan = duration(value(args, ++i), "--older-than");
                    case "--newer-than" -> newerThan = duration(value(args, ++i), "--newer-than");
                    case "--limit" -> limit = limit(value(args, ++i));
                    default -> galera.add(args[i]);
                }
            }
            if (olderThan == null) {
                throw new IllegalArgumentException("--older-than: required, e.g. --older-than 4h");
            }
            if (newerThan.compareTo(olderThan) <= 0) {
                throw new IllegalArgumentException("--newer-than must be longer ago than --older-than");
            }
            o = ProxyOptions.parse(galera.toArray(String[]::new));
            if (o.galeraNodes.isEmpty()) {
                throw new IllegalArgumentException("--galera-node: at least one is required");
            }
        } catch (IllegalArgumentException e) {
            err.println("accounting: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        try (GaleraQuorumClient client = GaleraQuorumClient.start(QuorumWiring.config(o))) {
            if (!awaitQuorate(client)) {
                err.println("accounting: no trusted database node within " + QUORUM_WAIT_MS + " ms");
                return 3;
            }
            long now = System.currentTimeMillis();
            List<OpenCalls.OpenCall> calls =
                    OpenCalls.find(client.dataSource(), now - olderThan.toMillis(), now - newerThan.toMillis(), limit);
            out.println("answered_utc\tage\tcall_id\tcaller_tag\tcallee_tag\tfrom_uri\tto_uri\tdestination\tsource");
            for (OpenCalls.OpenCall c : calls) {
                out.println(String.join(
                        "\t",
                        Instant.ofEpochMilli(c.answeredEpochMs()).toString(),
                        age(now - c.answeredEpochMs()),
                        c.callId(),
                        c.callerTag(),
                        c.calleeTag(),
                        c.callerUri(),
                        c.calleeUri(),
                        c.destination(),
                        c.source()));
            }
            err.println(
                    calls.size() + " open call(s)" + (calls.size() == limit ? " (the limit; there may be more)" : ""));
            return 0;
        } catch (SQLException e) {
            err.println("accounting: the query failed: " + e.getMessage());
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 3;
        }
    }

    private static boolean awaitQuorate(GaleraQuorumClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUORUM_WAIT_MS);
        while (!client.isSiteQuorate()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** {@code 90s}, {@code 30m}, {@code 4h}, {@code 2d}. */
    static Duration duration(String v, String option) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.length() < 2) {
            throw new IllegalArgumentException(option + ": expected e.g. 4h, got " + v);
        }
        long n;
        try {
            n = Long.parseLong(t.substring(0, t.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": expected e.g. 4h, got " + v, e);
        }
        if (n < 0) {
            throw new IllegalArgumentException(option + ": must not be negative, got " + v);
        }
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException(option + ": unit must be s, m, h or d, got " + v);
        };
    }

    private static int limit(String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException("--limit: must be in [1, 1000000], got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--limit: not a number: " + v, e);
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + ": a value is required");
        }
        return args[i];
    }

    /** {@code 4h12m}, {@code 3d2h}. */
    private static String age(long ms) {
        long m = Math.max(0, ms) / 60_000;
        return m >= 1440 ? (m / 1440) + "d" + (m % 1440) / 60 + "h" : (m / 60) + "h" + (m % 60) + "m";
    }
}
