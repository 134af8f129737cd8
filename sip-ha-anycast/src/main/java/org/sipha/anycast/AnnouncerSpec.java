package org.sipha.anycast;

import java.nio.file.Path;
import java.util.List;

/**
 * Builds a {@link RouteAnnouncer} from a short argument list, so that another process (the dead-man relay)
 * or the command line (the standalone watchdog) can describe one:
 * <ul>
 *   <li>{@code bird <control-socket> <up-protocol> <drain-protocol or ->}</li>
 *   <li>{@code hook <script> [timeout-ms]}</li>
 *   <li>{@code exabgp <fifo> <prefix> <drain-attributes or ->}</li>
 *   <li>{@code address <address/len> <device> <netns or ->}</li>
 *   <li>{@code frr <vty-socket-dir or -> <asn> <prefix> <drain-route-map or -> <timeout-ms>}</li>
 *   <li>{@code ordered <n> <routing spec of n words> <address spec...>}</li>
 * </ul>
 * Stateless; any thread.
 */
public final class AnnouncerSpec {
    public static final String BIRD = "bird";
    public static final String HOOK = "hook";
    public static final String EXABGP = "exabgp";
    public static final String ADDRESS = "address";
    public static final String FRR = "frr";
    public static final String ORDERED = "ordered";
    /** Placeholder for "no drain protocol". */
    public static final String NONE = "-";

    static final long DEFAULT_TIMEOUT_MS = 2_000;

    private AnnouncerSpec() {}

    /**
     * @throws IllegalArgumentException naming what is wrong with the arguments
     */
    public static RouteAnnouncer parse(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("announcer spec is empty; expected 'bird ...' or 'hook ...'");
        }
        switch (args.get(0)) {
            case BIRD -> {
                if (args.size() != 4) {
                    throw new IllegalArgumentException(
                            "expected: bird <control-socket> <up-protocol> <drain-protocol|->, got " + args);
                }
                String drain = args.get(3).equals(NONE) ? null : args.get(3);
                return new BirdProtocolAnnouncer(Path.of(args.get(1)), args.get(2), drain, DEFAULT_TIMEOUT_MS);
            }
            case HOOK -> {
                if (args.size() != 2 && args.size() != 3) {
                    throw new IllegalArgumentException("expected: hook <script> [timeout-ms], got " + args);
                }
                long timeout = args.size() == 3 ? parseTimeout(args.get(2)) : DEFAULT_TIMEOUT_MS;
                return new CommandHookAnnouncer(Path.of(args.get(1)), timeout);
            }
            case EXABGP -> {
                if (args.size() != 4) {
                    throw new IllegalArgumentException(
                            "expected: exabgp <fifo> <prefix> <drain-attributes|->, got " + args);
                }
                String drain = args.get(3).equals(NONE) ? "" : args.get(3);
                return new ExaBgpAnnouncer(Path.of(args.get(1)), args.get(2), drain);
            }
            case ADDRESS -> {
                if (args.size() != 4) {
                    throw new IllegalArgumentException(
                            "expected: address <address/len> <device> <netns|->, got " + args);
                }
                return new LoopbackAddressAnnouncer(
                        args.get(1), args.get(2), args.get(3).equals(NONE) ? null : args.get(3));
            }
            case FRR -> {
                if (args.size() != 6) {
                    throw new IllegalArgumentException("expected: frr <vty-socket-dir|-> <asn> <prefix> "
                            + "<drain-route-map|-> <timeout-ms>, got " + args);
                }
                long asn;
                try {
                    asn = Long.parseLong(args.get(2));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("frr: AS number is not a number: " + args.get(2), e);
                }
                return new FrrAnnouncer(
                        args.get(1).equals(NONE) ? null : args.get(1),
                        asn,
                        args.get(3),
                        args.get(4).equals(NONE) ? null : args.get(4),
                        parseTimeout(args.get(5)));
            }
            case ORDERED -> {
                int n;
                try {
                    n = args.size() > 1 ? Integer.parseInt(args.get(1)) : -1;
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 1 || args.size() < 2 + n + 1) {
                    throw new IllegalArgumentException(
                            "expected: ordered <n> <routing spec> <address spec>, got " + args);
                }
                return new OrderedAnnouncer(parse(args.subList(2, 2 + n)), parse(args.subList(2 + n, args.size())));
            }
            default ->
                throw new IllegalArgumentException("unknown announcer '" + args.get(0)
                        + "'; expected bird, hook, exabgp, frr, address or ordered");
        }
    }

    private static long parseTimeout(String s) {
        try {
            long v = Long.parseLong(s);
            if (v <= 0) {
                throw new IllegalArgumentException("hook timeout must be > 0 ms: " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hook timeout is not a number: " + s, e);
        }
    }
}
