package org.sipha.examples.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.core.model.Transport;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherListReader;
import org.sipha.dispatcher.engine.IoTransport;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The reference proxy's options: read from a YAML file ({@code --config}), then overridden by the command line.
 * Every problem is an {@link IllegalArgumentException} whose message starts with the option's name.
 *
 * <pre>
 * listen: [ "udp:0.0.0.0:5060", "tcp:0.0.0.0:5060" ]
 * advertise: "192.0.2.10:5060"          # the anycast address written into Via and Record-Route
 * backend: [ "sip:10.0.0.11:5060", "sip:10.0.0.12:5060;transport=tcp" ]
 * dispatcher-list: /etc/sip-ha/dispatcher.list   # Kamailio format; set 1 is routed, with weights, priorities, maxload, flags
 * algorithm: round-robin
 * record-route-secret: "shared by every proxy of the deployment"
 * allow: [ "198.51.100.0/24" ]          # networks allowed to send initial requests; default: all
 * failover-timeout-ms: 2000
 * call-hold-seconds: 180                 # how long an answered call counts towards its PBX's load (least-calls, maxload)
 * failover-codes: [ 503 ]
 * retry-after: 5
 * event-loops: 1                        # one loop takes 5000 calls/s on 2 shared vCPUs; more for rates beyond one core
 * coalesce-us: 1000                     # under load a loop gathers datagrams this long per wake-up; 0 = woken per datagram
 * drain-timeout-ms: 10000
 * warmup-calls: 20000                   # calls run through a throw-away engine before binding; 0 = none
 * new-calls-per-source: 200              # per source (IPv4 address, IPv6 /64) and loop; 0 = no limit
 * requests-per-source: 2000
 * rate-limit-reply: drop                 # or 503 (with Retry-After)
 * calls-per-source-percent: 25           # share of a loop's call slots one source may hold
 * max-call-bytes-per-loop: 67108864      # stored INVITE copies per loop; beyond it new calls get 503
 * </pre>
 */
final class ProxyOptions {
    final List<String> listen = new ArrayList<>();
    final List<Destination> backends = new ArrayList<>();
    /** The set of a dispatcher.list the proxy routes. */
    static final int ROUTED_SET = 1;
    /** Destinations read from a dispatcher.list, by {@link #addressKey}, with all their settings. */
    final Map<String, Destination> listed = new java.util.LinkedHashMap<>();
    /** Initial states from the dispatcher.list flags, by destination id. */
    final Map<String, DestinationState> listedStates = new java.util.LinkedHashMap<>();
    String advertise;
    String algorithm = "round-robin";
    String secret;
    final List<String> allow = new ArrayList<>();
    long failoverTimeoutMs = 2000;
    /** The proxy does not follow dialogs to their BYE, so an answered call counts for this long: set it near the mean call duration. */
    long callHoldSeconds = 180;
    Set<Integer> failoverCodes = Set.of(503);
    int retryAfter = 5;
    /**
     * One event loop by default. Measured on a 2-vCPU host shared with the load generator, one loop did everything two
     * did at lower CPU per call (1000-5000 calls/s, no loss at 5000 where two lost 1.8 %): with several loops a
     * response that lands on another loop's socket (SO_REUSEPORT hashes by source) is handed over and that loop is
     * woken. Raise it for rates one core cannot carry.
     */
    int eventLoops = 1;
    int coalesceMicros = ProxyConfig.DEFAULT_COALESCE_MICROS;
    long drainTimeoutMs = 10_000;
    IoTransport transport = IoTransport.AUTO;
    int warmupCalls = 20_000;
    boolean health = true;
    final List<String> galeraNodes = new ArrayList<>();
    String galeraUser = "sipha";
    String galeraPassword = "";
    String galeraDatabase = "sipha";
    int galeraVoters;
    String quorumLoss = "503";
    long probeIntervalMs = 1000;
    long probeTimeoutMs = 500;
    // Bounded under abuse: per-source rates (a burst of 0: twice the rate) and call bounds.
    int newCallsPerSource = 200;
    int newCallBurstPerSource;
    int requestsPerSource = 2000;
    int requestBurstPerSource;
    boolean rateLimitReply503;
    int callsPerSourcePercent = 25;
    long maxCallBytesPerLoop = 64L << 20;

    static ProxyOptions parse(String[] args) {
        ProxyOptions o = new ProxyOptions();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                o.loadYaml(Path.of(value(args, ++i, "--config")));
            }
        }
        boolean listenGiven = false;
        boolean backendGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--config" -> i++;
                case "--listen" -> {
                    if (!listenGiven) {
                        o.listen.clear();
                        listenGiven = true;
                    }
                    o.listen.add(value(args, ++i, a));
                }
                case "--backend" -> {
                    if (!backendGiven) {
                        o.backends.clear();
                        backendGiven = true;
                    }
                    o.backends.add(backend(value(args, ++i, a), a));
                }
                case "--dispatcher-list" -> {
                    if (!backendGiven) {
                        o.backends.clear();
                        backendGiven = true;
                    }
                    o.backends.addAll(o.dispatcherList(Path.of(value(args, ++i, a))));
                }
                case "--algorithm" -> o.algorithm = value(args, ++i, a);
                case "--advertise" -> o.advertise = value(args, ++i, a);
                case "--record-route-secret" -> o.secret = value(args, ++i, a);
                case "--allow" -> o.allow.add(value(args, ++i, a));
                case "--failover-timeout-ms" -> o.failoverTimeoutMs = number(value(args, ++i, a), a);
                case "--call-hold-seconds" -> o.callHoldSeconds = number(value(args, ++i, a), a);
                case "--retry-after" -> o.retryAfter = (int) number(value(args, ++i, a), a);
                case "--event-loops" -> o.eventLoops = (int) number(value(args, ++i, a), a);
                case "--coalesce-us" -> o.coalesceMicros = (int) number(value(args, ++i, a), a);
                case "--drain-timeout-ms" -> o.drainTimeoutMs = number(value(args, ++i, a), a);
                case "--transport" -> o.transport = transport(value(args, ++i, a), a);
                case "--nio" -> o.transport = IoTransport.NIO;
                case "--warmup-calls" -> o.warmupCalls = (int) number(value(args, ++i, a), a);
                case "--no-health" -> o.health = false;
                case "--galera-node" -> o.galeraNodes.add(value(args, ++i, a));
                case "--galera-user" -> o.galeraUser = value(args, ++i, a);
                case "--galera-password" -> o.galeraPassword = value(args, ++i, a);
                case "--galera-database" -> o.galeraDatabase = value(args, ++i, a);
                case "--galera-voters" -> o.galeraVoters = (int) number(value(args, ++i, a), a);
                case "--quorum-loss" -> o.quorumLoss = quorumLoss(value(args, ++i, a), a);
                case "--probe-interval-ms" -> o.probeIntervalMs = number(value(args, ++i, a), a);
                case "--probe-timeout-ms" -> o.probeTimeoutMs = number(value(args, ++i, a), a);
                case "--new-calls-per-source" -> o.newCallsPerSource = (int) number(value(args, ++i, a), a);
                case "--new-call-burst-per-source" -> o.newCallBurstPerSource = (int) number(value(args, ++i, a), a);
                case "--requests-per-source" -> o.requestsPerSource = (int) number(value(args, ++i, a), a);
                case "--request-burst-per-source" -> o.requestBurstPerSource = (int) number(value(args, ++i, a), a);
                case "--rate-limit-reply" -> o.rateLimitReply503 = rateLimitReply(value(args, ++i, a), a);
                case "--calls-per-source-percent" -> o.callsPerSourcePercent = (int) number(value(args, ++i, a), a);
                case "--max-call-bytes-per-loop" -> o.maxCallBytesPerLoop = number(value(args, ++i, a), a);
                default -> throw new IllegalArgumentException(a + ": unknown option (see --help)");
            }
        }
        if (o.listen.isEmpty()) {
            o.listen.add("udp:127.0.0.1:5060");
        }
        return o;
    }

    private void loadYaml(Path file) {
        Object root;
        try (InputStream in = Files.newInputStream(file)) {
            root = new Load(LoadSettings.builder().build()).loadFromInputStream(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("--config: cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--config: " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            return;
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("--config: " + file + " must be a YAML mapping");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            switch (key) {
                case "listen" -> listen.addAll(strings(v, key));
                case "backend", "backends" -> strings(v, key).forEach(s -> backends.add(backend(s, key)));
                case "dispatcher-list" -> backends.addAll(dispatcherList(Path.of(String.valueOf(v))));
                case "algorithm" -> algorithm = String.valueOf(v);
                case "advertise" -> advertise = String.valueOf(v);
                case "record-route-secret" -> secret = String.valueOf(v);
                case "allow" -> allow.addAll(strings(v, key));
                case "failover-timeout-ms" -> failoverTimeoutMs = number(String.valueOf(v), key);
                case "call-hold-seconds" -> callHoldSeconds = number(String.valueOf(v), key);
                case "failover-codes" -> {
                    Set<Integer> codes = new TreeSet<>();
                    strings(v, key).forEach(s -> codes.add((int) number(s, key)));
                    failoverCodes = codes;
                }
                case "retry-after" -> retryAfter = (int) number(String.valueOf(v), key);
                case "event-loops" -> eventLoops = (int) number(String.valueOf(v), key);
                case "coalesce-us" -> coalesceMicros = (int) number(String.valueOf(v), key);
                case "drain-timeout-ms" -> drainTimeoutMs = number(String.valueOf(v), key);
                case "transport" -> transport = transport(String.valueOf(v), key);
                case "warmup-calls" -> warmupCalls = (int) number(String.valueOf(v), key);
                case "health" -> health = Boolean.parseBoolean(String.valueOf(v));
                case "galera-node", "galera-nodes" -> galeraNodes.addAll(strings(v, key));
                case "galera-user" -> galeraUser = String.valueOf(v);
                case "galera-password" -> galeraPassword = String.valueOf(v);
                case "galera-database" -> galeraDatabase = String.valueOf(v);
                case "galera-voters" -> galeraVoters = (int) number(String.valueOf(v), key);
                case "quorum-loss" -> quorumLoss = quorumLoss(String.valueOf(v), key);
                case "probe-interval-ms" -> probeIntervalMs = number(String.valueOf(v), key);
                case "probe-timeout-ms" -> probeTimeoutMs = number(String.valueOf(v), key);
                case "new-calls-per-source" -> newCallsPerSource = (int) number(String.valueOf(v), key);
                case "new-call-burst-per-source" -> newCallBurstPerSource = (int) number(String.valueOf(v), key);
                case "requests-per-source" -> requestsPerSource = (int) number(String.valueOf(v), key);
                case "request-burst-per-source" -> requestBurstPerSource = (int) number(String.valueOf(v), key);
                case "rate-limit-reply" -> rateLimitReply503 = rateLimitReply(String.valueOf(v), key);
                case "calls-per-source-percent" -> callsPerSourcePercent = (int) number(String.valueOf(v), key);
                case "max-call-bytes-per-loop" -> maxCallBytesPerLoop = number(String.valueOf(v), key);
                default -> throw new IllegalArgumentException(key + ": unknown key in " + file);
            }
        }
    }

    /** The UDP listen addresses. */
    List<InetSocketAddress> udpListen() {
        return listen("udp");
    }

    /** The TCP listen addresses. */
    List<InetSocketAddress> tcpListen() {
        return listen("tcp");
    }

    private List<InetSocketAddress> listen(String transport) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String l : listen) {
            String[] p = l.split(":", 2);
            if (p.length != 2 || !(p[0].equals("udp") || p[0].equals("tcp"))) {
                throw new IllegalArgumentException("--listen: expected udp:HOST:PORT or tcp:HOST:PORT, got " + l);
            }
            InetSocketAddress a = hostPort(p[1], "--listen");
            if (p[0].equals(transport)) {
                out.add(a);
            }
        }
        return out;
    }

    static InetSocketAddress hostPort(String s, String option) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(option + ": expected HOST:PORT, got " + s);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, (int) number(s.substring(colon + 1), option));
    }

    /**
     * A backend given as {@code sip:HOST[:PORT][;transport=udp|tcp]}: its id and URI are {@link #addressKey}.
     *
     * @throws IllegalArgumentException naming {@code option} if the engine cannot forward to it
     */
    static Destination backend(String uri) {
        return backend(uri, "--backend");
    }

    private static Destination backend(String uri, String option) {
        Destination parsed = forwardable(() -> Destination.builder(uri.trim()).build(), option);
        String key = addressKey(parsed);
        return Destination.of(key, key);
    }

    /** {@code sip:HOST:PORT}, with {@code ;transport=tcp} for TCP: one text per address the proxy forwards to. */
    static String addressKey(Destination d) {
        return "sip:" + d.host() + ':' + d.port() + (d.transport() == Transport.TCP ? ";transport=tcp" : "");
    }

    private static Destination forwardable(java.util.function.Supplier<Destination> d, String option) {
        try {
            return ProxyConfig.requireForwardable(d.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a Kamailio dispatcher.list ({@link DispatcherListReader}: {@code SETID URI [FLAGS [PRIORITY [ATTRS]]]})
     * and keeps set 1, the set the proxy routes: its destinations with their ids ({@code duid}), weights,
     * priorities, attributes ({@code maxload} ...) and initial states (flags), recorded in {@link #listed}.
     * Returns them as they are listed.
     */
    List<Destination> dispatcherList(Path file) {
        DispatcherListReader.Result r;
        try {
            r = DispatcherListReader.read(file, Algorithm.ROUND_ROBIN); // the algorithm comes from --algorithm
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--dispatcher-list: cannot read " + file + ": " + e.getMessage(), e);
        }
        DestinationSetConfig set = r.config().sets().get(ROUTED_SET);
        if (set == null) {
            throw new IllegalArgumentException("--dispatcher-list: " + file + " has no set " + ROUTED_SET
                + " (the proxy routes set " + ROUTED_SET + ")");
        }
        r.warnings().forEach(w -> System.err.println("sip-ha-proxy: --dispatcher-list: " + w));
        List<Destination> out = new ArrayList<>();
        for (Destination d : set.destinations()) {
            out.add(forwardable(() -> d, "--dispatcher-list"));
            listed.put(addressKey(d), d);
            listedStates.put(d.id(), r.config().initialState(d.id()));
        }
        return out;
    }

    private static List<String> strings(Object v, String key) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            l.forEach(x -> out.add(String.valueOf(x)));
        } else if (v != null) {
            out.add(String.valueOf(v));
        } else {
            throw new IllegalArgumentException(key + ": a value is required");
        }
        return out;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + ": a value is required");
        }
        return args[i];
    }

    /** What the proxy does with new calls while the site's database has no quorum: {@code 503} or {@code ignore}. */
    private static String quorumLoss(String v, String option) {
        String t = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("503") && !t.equals("ignore")) {
            throw new IllegalArgumentException(option + ": expected 503 or ignore, got " + v);
        }
        return t;
    }

    /** What the proxy does with a request over its source's rate: {@code drop} (false) or {@code 503} (true). */
    private static boolean rateLimitReply(String v, String option) {
        String t = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("drop") && !t.equals("503")) {
            throw new IllegalArgumentException(option + ": expected drop or 503, got " + v);
        }
        return t.equals("503");
    }

    private static IoTransport transport(String v, String option) {
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> IoTransport.AUTO;
            case "epoll" -> IoTransport.EPOLL;
            case "nio" -> IoTransport.NIO;
            default -> throw new IllegalArgumentException(option + ": expected auto, epoll or nio, got " + v);
        };
    }

    private static long number(String s, String option) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: " + s, e);
        }
    }
}
