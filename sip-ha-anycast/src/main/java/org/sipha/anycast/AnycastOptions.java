package org.sipha.anycast;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options every program that owns an anycast announcement shares: which routing daemon to drive and how, the
 * dead-man relay, drain time, rise/fall, damping and the maintenance file. {@link #OPTIONS} describes them; each
 * program builds its command line ({@code --name value} or {@code --name=value}) and configuration keys from it
 * and hands over a map of option names (without dashes) to text values.
 *
 * <p>Immutable once parsed; any thread. Bad input is an IllegalArgumentException naming the option.
 */
public final class AnycastOptions {
    /**
     * One option: its name (without dashes), the placeholder of its value, its default as text (null: none) and
     * what it does. Programs build their command line, YAML keys and help from these.
     *
     * @param name         e.g. {@code drain-ms}
     * @param label        e.g. {@code N}
     * @param defaultValue the value used when the option is absent, as text; null when there is none
     * @param description  one or two sentences
     */
    public record OptionInfo(String name, String label, String defaultValue, String description) {}

    /** Every option {@link #parse} reads, in the order a help text lists them. */
    public static final List<OptionInfo> OPTIONS = List.of(
            new OptionInfo(
                    "announcer",
                    "bird|exabgp|frr|hook",
                    "bird",
                    "The BGP speaker that announces the prefix: BIRD through its control socket, ExaBGP through its"
                            + " API FIFO, FRR's bgpd through vtysh, or a script."),
            new OptionInfo("bird-socket", "PATH", "/run/bird/bird.ctl", "BIRD's control socket."),
            new OptionInfo("bird-protocol", "NAME", "sipha_up", "BIRD's static protocol holding the plain route."),
            new OptionInfo(
                    "bird-drain-protocol",
                    "NAME|-",
                    "sipha_drain",
                    "BIRD's static protocol holding the drain-marked route; - drains without marking."),
            new OptionInfo(
                    "bird-config",
                    "PATH",
                    null,
                    "Run BIRD with this config as this program's own child (setpriv --pdeathsig), on --bird-socket:"
                            + " its BGP sessions die with the program however it dies."),
            new OptionInfo(
                    "bird-binary", "PATH", null, "The BIRD binary for --bird-config (default: bird on the PATH)."),
            new OptionInfo("exabgp-fifo", "PATH", null, "ExaBGP's API FIFO (required with --announcer exabgp)."),
            new OptionInfo(
                    "exabgp-drain-attributes",
                    "ATTRS",
                    "community [65535:0]",
                    "The attributes ExaBGP adds to the drain-marked route."),
            new OptionInfo(
                    "prefix",
                    "PREFIX",
                    null,
                    "The prefix ExaBGP or FRR announces, e.g. 198.51.100.10/32 (BIRD keeps it in its own"
                            + " configuration)."),
            new OptionInfo("frr-asn", "N", null, "The local AS of FRR's bgpd (required with --announcer frr)."),
            new OptionInfo(
                    "frr-drain-route-map", "NAME", null, "FRR route-map applied while drained; none: no marking."),
            new OptionInfo("frr-vty-socket", "DIR", null, "FRR's vty socket folder; none: vtysh's default."),
            new OptionInfo(
                    "frr-timeout-ms",
                    "N",
                    "400",
                    "How long one vtysh call may take; shorter than --deadman-timeout-ms."),
            new OptionInfo(
                    "hook",
                    "PATH",
                    null,
                    "A script called with announce, drain, withdraw or status (required with --announcer hook)."),
            new OptionInfo(
                    "hook-timeout-ms",
                    "N",
                    "400",
                    "How long one hook call may take; by default 4/5 of --deadman-timeout-ms (5000 without the"
                            + " relay), and shorter than it."),
            new OptionInfo(
                    "address",
                    "ADDR/LEN",
                    null,
                    "Also own the service address: added before announcing, removed only after the withdraw"
                            + " (iproute2, needs CAP_NET_ADMIN)."),
            new OptionInfo(
                    "address-device",
                    "DEV",
                    "lo",
                    "The device --address (or a site node's --process-address) is added to."),
            new OptionInfo(
                    "deadman-timeout-ms",
                    "N",
                    "500",
                    "The dead-man relay withdraws after this much heartbeat silence, and at once when this process"
                            + " dies; 0 turns the relay off."),
            new OptionInfo(
                    "heartbeat-ms",
                    "N",
                    "100",
                    "Heartbeat period to the relay; the dead-man timeout must be at least 3 of them."),
            new OptionInfo("reconcile-ms", "N", "1000", "How often the daemon's state is read back and corrected."),
            new OptionInfo(
                    "drain-ms",
                    "N",
                    "10000",
                    "How long the prefix is announced drain-marked (65535:0, AS-path prepend) before a planned or"
                            + " degraded withdrawal."),
            new OptionInfo(
                    "drain-on-proxy-failure",
                    "true|false",
                    "false",
                    "Drain first even when the proxy cannot take calls (rarely useful)."),
            new OptionInfo(
                    "maintenance-file", "PATH", null, "While this file exists: drain, then withdraw (DISABLED)."),
            new OptionInfo("rise", "N", "3", "Consecutive passes of a check that announce."),
            new OptionInfo("fall", "N", "2", "Consecutive failures of a check that withdraw."),
            new OptionInfo(
                    "damping",
                    "P,S,R,M,H",
                    "1000,2000,750,8000,60000",
                    "Flap damping: penalty per health withdrawal, suppress limit, reuse limit, maximum, half-life"
                            + " in ms."));

    /** The option names (without dashes) read by {@link #parse}. */
    public static final Set<String> KEYS = keys();

    private final List<String> announcerSpec;
    private final long deadmanTimeoutMs;
    private final int rise;
    private final int fall;
    private final long drainMs;
    private final boolean drainOnProxyFailure;
    private final long heartbeatMs;
    private final long reconcileMs;
    private final Path maintenanceFile;
    private final String addressDevice;
    private final double[] damping;
    /** Null unless the program runs its own BIRD. */
    private final ChildBgpSpeaker speaker;

    private AnycastOptions(Map<String, String> o) {
        deadmanTimeoutMs = number(o, "deadman-timeout-ms", 500);
        announcerSpec = announcerSpec(o);
        rise = (int) positive(o, "rise", 3);
        fall = (int) positive(o, "fall", 2);
        drainMs = number(o, "drain-ms", 10_000);
        drainOnProxyFailure = Boolean.parseBoolean(o.getOrDefault("drain-on-proxy-failure", "false"));
        heartbeatMs = positive(o, "heartbeat-ms", 100);
        reconcileMs = positive(o, "reconcile-ms", 1_000);
        maintenanceFile = o.containsKey("maintenance-file") ? Path.of(o.get("maintenance-file")) : null;
        addressDevice = o.getOrDefault("address-device", "lo");
        damping = o.containsKey("damping") ? damping(o.get("damping")) : null;
        speaker = speaker(o);
        if (deadmanTimeoutMs > 0 && deadmanTimeoutMs < 3 * heartbeatMs) {
            throw new IllegalArgumentException("--deadman-timeout-ms should be at least 3 heartbeat periods");
        }
        config().build(); // validates the figures now, not when the caller builds
    }

    /**
     * Reads the options in {@link #KEYS} from {@code options} (names without dashes); other keys are ignored.
     *
     * @throws IllegalArgumentException naming the option that is missing or wrong
     */
    public static AnycastOptions parse(Map<String, String> options) {
        return new AnycastOptions(options);
    }

    /** What {@link AnnouncerSpec#parse} builds the announcer from (and the dead-man relay withdraws through). */
    public List<String> announcerSpec() {
        return announcerSpec;
    }

    /** Heartbeat silence after which the relay withdraws; 0 when the relay is off. */
    public long deadmanTimeoutMs() {
        return deadmanTimeoutMs;
    }

    /** How long a planned or degraded withdrawal announces the drain marking first. */
    public long drainMs() {
        return drainMs;
    }

    /** A new builder holding these options' decision settings; the caller adds its own inputs and builds. */
    public AnycastConfig.Builder config() {
        AnycastConfig.Builder b = AnycastConfig.builder()
                .rise(rise)
                .fall(fall)
                .drainMs(drainMs)
                .drainOnProxyFailure(drainOnProxyFailure)
                .heartbeatIntervalMs(heartbeatMs)
                .reconcileIntervalMs(reconcileMs)
                .maintenanceFile(maintenanceFile);
        if (damping != null) {
            b.damping(damping[0], damping[1], damping[2], damping[3], (long) damping[4]);
        }
        return b;
    }

    /** A new announcer for the configured daemon; the caller owns and closes it. */
    public RouteAnnouncer announcer() {
        return AnnouncerSpec.parse(announcerSpec);
    }

    /**
     * The BGP speaker this program runs as its own child ({@code --bird-config}), not started; null when it drives
     * a daemon that runs on its own.
     */
    public ChildBgpSpeaker speaker() {
        return speaker;
    }

    /** A new dead-man relay for that announcer, or {@link DeadManSwitch#NONE} when it is off. Not started. */
    public DeadManSwitch deadManSwitch() {
        return deadmanTimeoutMs > 0 ? new RelayDeadManSwitch(announcerSpec, deadmanTimeoutMs) : DeadManSwitch.NONE;
    }

    /**
     * A new dead-man relay for that announcer that also holds {@code processAddress} on {@code --address-device}
     * for the caller's life ({@link RelayDeadManSwitch}). Not started.
     *
     * @throws IllegalArgumentException if the relay is off or the address is not ADDR/LEN
     */
    public DeadManSwitch deadManSwitch(String processAddress) {
        if (deadmanTimeoutMs == 0) {
            throw new IllegalArgumentException(
                    "a process address is held by the dead-man relay, which --deadman-timeout-ms 0 turns off");
        }
        return new RelayDeadManSwitch(announcerSpec, deadmanTimeoutMs, processAddress, addressDevice, null);
    }

    /**
     * Withdraws the prefix once, through a new announcer of these options, and removes the {@code address} if one is
     * configured: for a supervisor's clean-up after the process that owned the announcement is gone (systemd's
     * {@code ExecStopPost}), so that the route never outlives it. Withdrawing what is not announced changes nothing.
     * Retries for up to about {@code attempts} × 200 ms while the daemon is unreachable. The calling thread only.
     *
     * @throws AnnouncerException the last failure, if no attempt succeeded
     * @throws InterruptedException if interrupted between attempts
     */
    public void withdrawNow(int attempts) throws AnnouncerException, InterruptedException {
        AnnouncerException last = null;
        for (int i = 0; i < Math.max(1, attempts); i++) {
            if (i > 0) {
                Thread.sleep(200);
            }
            try (RouteAnnouncer a = announcer()) {
                a.apply(RouteAnnouncement.WITHDRAW);
                return;
            } catch (AnnouncerException e) {
                last = e;
            }
        }
        throw last;
    }

    private static Set<String> keys() {
        Set<String> keys = new java.util.LinkedHashSet<>();
        OPTIONS.forEach(o -> keys.add(o.name()));
        return java.util.Collections.unmodifiableSet(keys);
    }

    private static List<String> announcerSpec(Map<String, String> o) {
        String kind = o.getOrDefault("announcer", "bird");
        List<String> routing = switch (kind) {
            case "bird" ->
                List.of(
                        AnnouncerSpec.BIRD,
                        o.getOrDefault("bird-socket", "/run/bird/bird.ctl"),
                        o.getOrDefault("bird-protocol", "sipha_up"),
                        o.getOrDefault("bird-drain-protocol", "sipha_drain"));
            case "hook" ->
                List.of(
                        AnnouncerSpec.HOOK,
                        required(o, "hook"),
                        Long.toString(commandTimeoutMs(o, "hook-timeout-ms", 5_000)));
            case "exabgp" ->
                List.of(
                        AnnouncerSpec.EXABGP,
                        required(o, "exabgp-fifo"),
                        required(o, "prefix"),
                        o.getOrDefault("exabgp-drain-attributes", "community [65535:0]"));
            case "frr" ->
                List.of(
                        AnnouncerSpec.FRR,
                        o.getOrDefault("frr-vty-socket", AnnouncerSpec.NONE),
                        required(o, "frr-asn"),
                        required(o, "prefix"),
                        o.getOrDefault("frr-drain-route-map", AnnouncerSpec.NONE),
                        Long.toString(commandTimeoutMs(o, "frr-timeout-ms", 400)));
            default -> throw new IllegalArgumentException("--announcer must be bird, hook, exabgp or frr: " + kind);
        };
        if (!o.containsKey("address")) {
            return routing;
        }
        List<String> ordered = new ArrayList<>(List.of(AnnouncerSpec.ORDERED, Integer.toString(routing.size())));
        ordered.addAll(routing);
        ordered.addAll(List.of(
                AnnouncerSpec.ADDRESS, o.get("address"), o.getOrDefault("address-device", "lo"), AnnouncerSpec.NONE));
        return List.copyOf(ordered);
    }

    private static ChildBgpSpeaker speaker(Map<String, String> o) {
        String config = o.get("bird-config");
        if (config == null) {
            if (o.containsKey("bird-binary")) {
                throw new IllegalArgumentException("--bird-binary needs --bird-config");
            }
            return null;
        }
        if (!"bird".equals(o.getOrDefault("announcer", "bird"))) {
            throw new IllegalArgumentException("--bird-config needs --announcer bird");
        }
        return ChildBgpSpeaker.bird(
                o.getOrDefault("bird-binary", "bird"),
                Path.of(required(o, "bird-config")),
                Path.of(o.getOrDefault("bird-socket", "/run/bird/bird.ctl")));
    }

    private static double[] damping(String spec) {
        String[] d = spec.split(",");
        if (d.length != 5) {
            throw new IllegalArgumentException("--damping needs 5 comma-separated numbers: " + spec);
        }
        try {
            return new double[] {
                Double.parseDouble(d[0]),
                Double.parseDouble(d[1]),
                Double.parseDouble(d[2]),
                Double.parseDouble(d[3]),
                Long.parseLong(d[4].trim())
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--damping: not a number in " + spec, e);
        }
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

    static String required(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    static long number(Map<String, String> o, String key, long dflt) {
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

    static long positive(Map<String, String> o, String key, long dflt) {
        long n = number(o, key, dflt);
        if (n == 0) {
            throw new IllegalArgumentException("--" + key + " must be > 0");
        }
        return n;
    }
}
