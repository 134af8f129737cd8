package org.sipha.anycast;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options every program that owns an anycast announcement shares: which routing daemon to drive and how, the
 * dead-man relay, drain time, rise/fall, damping and the maintenance file. The standalone watchdog reads them as
 * {@code --name=value}, the reference proxy as {@code --name value} or YAML keys: each program keeps its own
 * syntax and hands over a map of option names (without dashes) to text values.
 *
 * <p>Immutable once parsed; any thread. Bad input is an IllegalArgumentException naming the option.
 */
public final class AnycastOptions {
    /** Usage lines for these options, in the watchdog's {@code --name=value} form. */
    public static final String USAGE = String.join(
            "\n",
            "  --rise=3 --fall=2             consecutive passes/failures to change a check's verdict",
            "  --drain-ms=10000              announce with 65535:0/prepend this long before withdrawing",
            "  --drain-on-proxy-failure=false",
            "  --maintenance-file=PATH       while it exists: drain, then withdraw (DISABLED)",
            "  --announcer=bird|hook|exabgp|frr  (default bird)",
            "  --bird-socket=/run/bird/bird.ctl --bird-protocol=sipha_up --bird-drain-protocol=sipha_drain|-",
            "  --bird-config=PATH            run BIRD with this config as our own child (setpriv --pdeathsig), on",
            "                                --bird-socket: its sessions die with us however we die [--bird-binary=bird]",
            "  --hook=PATH --hook-timeout-ms=400  (default 4/5 of the dead-man timeout, must be shorter)",
            "  --exabgp-fifo=PATH --prefix=198.51.100.10/32 --exabgp-drain-attributes='community [65535:0]'",
            "  --frr-asn=65004 --prefix=P --frr-drain-route-map=sipha-drain --frr-vty-socket=DIR --frr-timeout-ms=400",
            "  --address=198.51.100.10/32 --address-device=lo   also own the address: added before announcing,",
            "                                removed only after the withdraw (iproute2, needs CAP_NET_ADMIN)",
            "  --deadman-timeout-ms=500      relay withdraws after this much heartbeat silence; 0 disables the relay",
            "  --heartbeat-ms=100 --reconcile-ms=1000",
            "  --damping=PENALTY,SUPPRESS,REUSE,MAX,HALF_LIFE_MS   (default 1000,2000,750,8000,60000)");

    /** The option names (without dashes) read by {@link #parse}. */
    public static final Set<String> KEYS = Set.of(
            "rise",
            "fall",
            "drain-ms",
            "drain-on-proxy-failure",
            "maintenance-file",
            "announcer",
            "bird-socket",
            "bird-protocol",
            "bird-drain-protocol",
            "bird-config",
            "bird-binary",
            "hook",
            "hook-timeout-ms",
            "deadman-timeout-ms",
            "heartbeat-ms",
            "reconcile-ms",
            "damping",
            "exabgp-fifo",
            "prefix",
            "exabgp-drain-attributes",
            "address",
            "address-device",
            "frr-asn",
            "frr-drain-route-map",
            "frr-vty-socket",
            "frr-timeout-ms");

    private final List<String> announcerSpec;
    private final long deadmanTimeoutMs;
    private final int rise;
    private final int fall;
    private final long drainMs;
    private final boolean drainOnProxyFailure;
    private final long heartbeatMs;
    private final long reconcileMs;
    private final Path maintenanceFile;
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
