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
 * record-route-secret-file: /etc/sip-ha/record-route.secret   # or SIPHA_RECORD_ROUTE_SECRET; at least 32 bytes
 * record-route-previous-secret-file: /etc/sip-ha/record-route.previous   # while rotating the key
 * allow: [ "198.51.100.0/24" ]          # networks allowed to send initial requests; default: all
 * failover-timeout-ms: 2000
 * call-hold-seconds: 180                 # how long an answered call counts towards its PBX's load (least-calls, maxload)
 * failover-codes: [ 503 ]
 * retry-after: 5
 * event-loops: 1                        # one loop takes 5000 calls/s on 2 shared vCPUs; more for rates beyond one core
 * coalesce-us: 1000                     # under load a loop gathers datagrams this long per wake-up; 0 = woken per datagram
 * drain-timeout-ms: 10000
 * warmup-calls: 20000                   # calls run through a throw-away engine before binding; 0 = none
 * galera-password-file: /etc/sip-ha/galera.password   # or SIPHA_GALERA_PASSWORD
 * tcp-max-connections: 10000           # accepted TCP connections open at once; more are reset at accept
 * tcp-max-connections-per-source: 256  # the same, per source IP address
 * tcp-idle-timeout-ms: 300000          # a TCP connection silent this long is closed (CRLF keep-alives count); 0 = never
 * tcp-message-timeout-ms: 10000        # a message begun on TCP must be complete within this (slowloris)
 * tcp-max-write-buffer-bytes: 131072   # a TCP peer that stops reading is reset when this much waits for it
 * tcp-max-message-bytes: 65535         # larger TCP messages are answered 513 and the connection closed
 * new-calls-per-source: 200              # per source (IPv4 address, IPv6 /64) and loop; 0 = no limit
 * requests-per-source: 2000
 * rate-limit-reply: drop                 # or 503 (with Retry-After)
 * calls-per-source-percent: 25           # share of a loop's call slots one source may hold
 * max-call-bytes-per-loop: 67108864      # stored INVITE copies per loop; beyond it new calls get 503
 * accounting: true                       # call records into the Galera cluster (needs galera-node); see AccountingOptions
 * accounting-spool: /var/lib/sip-ha/accounting.spool
 * </pre>
 *
 * <p>Secrets (the Record-Route passphrase, the Galera password) also come from a file or the environment, so none
 * needs to be on the command line, where {@code ps} shows it to every local user. The command line overrides the
 * environment, which overrides the YAML file; a secret given twice in one of them is refused. Problems that are
 * worth a warning but not a refusal are collected in {@link #warnings}.
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
    /** The environment variables that may hold the secrets. */
    static final String SECRET_ENV = "SIPHA_RECORD_ROUTE_SECRET";

    static final String PREVIOUS_SECRET_ENV = "SIPHA_RECORD_ROUTE_PREVIOUS_SECRET";
    static final String GALERA_PASSWORD_ENV = "SIPHA_GALERA_PASSWORD";
    /** The shortest Record-Route passphrase accepted: 32 bytes, the size of the HMAC key made from it. */
    static final int MIN_SECRET_BYTES = 32;

    private static final String VISIBLE_TO_PS =
            ": a secret on the command line is visible to every local user in ps" + " and /proc/PID/cmdline; give ";

    Secret secret;
    Secret previousSecret;
    /** Warnings to log at start: secrets on the command line, secret files others may read. */
    final List<String> warnings = new ArrayList<>();

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
    Secret galeraPassword;
    String galeraDatabase = "sipha";
    int galeraVoters;
    String quorumLoss = "503";
    long probeIntervalMs = 1000;
    long probeTimeoutMs = 500;
    /** The site node's options ({@code --anycast} ...), resolved by {@link SiteNode#prepare}. */
    final SiteNodeOptions siteNode = new SiteNodeOptions();
    /** Call accounting ({@code --accounting} ...), resolved by {@link AccountingWiring#prepare}. */
    final AccountingOptions accounting = new AccountingOptions();
    // TCP bounds under abuse: the engine's defaults
    int tcpMaxConnections = 10_000;
    int tcpMaxConnectionsPerSource = 256;
    long tcpIdleTimeoutMs = 300_000;
    long tcpMessageTimeoutMs = 10_000;
    int tcpMaxWriteBufferBytes = 128 * 1024;
    int tcpMaxMessageBytes = 65_535;
    // Bounded under abuse: per-source rates (a burst of 0: twice the rate) and call bounds.
    int newCallsPerSource = 200;
    int newCallBurstPerSource;
    int requestsPerSource = 2000;
    int requestBurstPerSource;
    boolean rateLimitReply503;
    int callsPerSourcePercent = 25;
    long maxCallBytesPerLoop = 64L << 20;

    /** Options from {@code args}, their YAML file and the process's environment. */
    static ProxyOptions parse(String[] args) {
        return parse(args, System.getenv());
    }

    /** Options from {@code args}, their YAML file and {@code env} (the environment variables). */
    static ProxyOptions parse(String[] args, Map<String, String> env) {
        ProxyOptions o = new ProxyOptions();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                o.loadYaml(Path.of(value(args, ++i, "--config")));
            }
        }
        o.secret = fromEnvironment(env, SECRET_ENV, o.secret);
        o.previousSecret = fromEnvironment(env, PREVIOUS_SECRET_ENV, o.previousSecret);
        o.galeraPassword = fromEnvironment(env, GALERA_PASSWORD_ENV, o.galeraPassword);
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
                case "--record-route-secret" -> {
                    o.secret = once(o.secret, new Secret(value(args, ++i, a), a, Secret.Origin.COMMAND_LINE));
                    o.warnings.add(a + VISIBLE_TO_PS + "--record-route-secret-file FILE or " + SECRET_ENV);
                }
                case "--record-route-secret-file" -> o.secret = once(o.secret, o.secretFile(args, ++i, a));
                case "--record-route-previous-secret-file" ->
                    o.previousSecret = once(o.previousSecret, o.secretFile(args, ++i, a));
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
                case "--galera-password" -> {
                    o.galeraPassword =
                            once(o.galeraPassword, new Secret(value(args, ++i, a), a, Secret.Origin.COMMAND_LINE));
                    o.warnings.add(a + VISIBLE_TO_PS + "--galera-password-file FILE or " + GALERA_PASSWORD_ENV);
                }
                case "--galera-password-file" -> o.galeraPassword = once(o.galeraPassword, o.secretFile(args, ++i, a));
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
                case "--tcp-max-connections" -> o.tcpMaxConnections = (int) number(value(args, ++i, a), a);
                case "--tcp-max-connections-per-source" ->
                    o.tcpMaxConnectionsPerSource = (int) number(value(args, ++i, a), a);
                case "--tcp-idle-timeout-ms" -> o.tcpIdleTimeoutMs = number(value(args, ++i, a), a);
                case "--tcp-message-timeout-ms" -> o.tcpMessageTimeoutMs = number(value(args, ++i, a), a);
                case "--tcp-max-write-buffer-bytes" -> o.tcpMaxWriteBufferBytes = (int) number(value(args, ++i, a), a);
                case "--tcp-max-message-bytes" -> o.tcpMaxMessageBytes = (int) number(value(args, ++i, a), a);
                // --anycast and the site node's other options: SiteNodeOptions; --accounting...: AccountingOptions
                default -> {
                    if (o.accounting.accepts(a)) {
                        o.accounting.put(a, o.accounting.takesValue(a) ? value(args, ++i, a) : null);
                        continue;
                    }
                    if (!o.siteNode.accepts(a)) {
                        throw new IllegalArgumentException(a + ": unknown option (see --help)");
                    }
                    o.siteNode.put(a, value(args, ++i, a));
                }
            }
        }
        if (o.listen.isEmpty()) {
            o.listen.add("udp:127.0.0.1:5060");
        }
        o.checkSecrets();
        return o;
    }

    /** The Record-Route passphrase, or null for a random per-process key (loopback only). */
    String recordRouteSecret() {
        return secret == null ? null : secret.text();
    }

    /**
     * The passphrase of the Record-Route key being rotated out, or null: tokens signed with it should still be
     * accepted while every proxy moves to the new one. Parsed and checked here; not yet passed to the engine,
     * whose {@code ProxyConfig} has no setting for it.
     */
    String recordRoutePreviousSecret() {
        return previousSecret == null ? null : previousSecret.text();
    }

    /** The Galera user's password; empty when none is given. */
    String galeraPassword() {
        return galeraPassword == null ? "" : galeraPassword.text();
    }

    private Secret secretFile(String[] args, int i, String option) {
        return Secret.fromFile(Path.of(value(args, i, option)), option, Secret.Origin.COMMAND_LINE, warnings);
    }

    private Secret secretFile(Object v, String key) {
        return Secret.fromFile(Path.of(String.valueOf(v)), key, Secret.Origin.YAML, warnings);
    }

    /** {@code next}, unless {@code current} came from another option of the same layer: a secret is given once. */
    private static Secret once(Secret current, Secret next) {
        if (current != null
                && current.origin() == next.origin()
                && !current.source().equals(next.source())) {
            throw new IllegalArgumentException(
                    next.source() + ": the same secret is also given by " + current.source() + "; give it once");
        }
        return next;
    }

    private static Secret fromEnvironment(Map<String, String> env, String name, Secret otherwise) {
        String v = env.get(name);
        return v == null ? otherwise : new Secret(v, name, Secret.Origin.ENVIRONMENT);
    }

    /**
     * Refuses what would break dialogs: a short passphrase, a previous one without a current one, and a listen
     * address other than loopback without a shared secret (a random per-process key breaks every dialog when
     * the proxy restarts or anycast moves its callers to another proxy).
     */
    private void checkSecrets() {
        for (Secret s : new Secret[] {secret, previousSecret}) {
            if (s != null && s.bytes() < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException(s.source() + ": a passphrase of at least " + MIN_SECRET_BYTES
                        + " bytes is required, this one has " + s.bytes());
            }
        }
        if (previousSecret != null && secret == null) {
            throw new IllegalArgumentException(previousSecret.source() + ": a previous secret needs a current one"
                    + " (--record-route-secret-file, " + SECRET_ENV + " or record-route-secret-file)");
        }
        if (previousSecret != null && previousSecret.text().equals(secret.text())) {
            warnings.add(previousSecret.source() + ": the previous secret is the current one");
        }
        if (secret == null) {
            for (String l : listen) {
                if (!isLoopback(l)) {
                    throw new IllegalArgumentException("--record-route-secret-file: a secret shared by every proxy"
                            + " is required to listen on " + l + " (not loopback): with a random key of its own, every"
                            + " dialog breaks when this proxy restarts or anycast moves its callers to another proxy;"
                            + " give --record-route-secret-file FILE, " + SECRET_ENV + " or record-route-secret-file"
                            + " in the YAML file");
                }
            }
        }
    }

    /** Whether a listen address is in 127.0.0.0/8 or ::1 (the wildcard 0.0.0.0 or :: is not). */
    private static boolean isLoopback(String listenAddress) {
        String[] p = listenAddress.split(":", 2);
        if (p.length != 2) {
            return false;
        }
        InetSocketAddress a = hostPort(p[1], "--listen");
        return a.getAddress() != null && a.getAddress().isLoopbackAddress();
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
                case "record-route-secret" ->
                    secret = once(secret, new Secret(String.valueOf(v), key, Secret.Origin.YAML));
                case "record-route-secret-file" -> secret = once(secret, secretFile(v, key));
                case "record-route-previous-secret" ->
                    previousSecret = once(previousSecret, new Secret(String.valueOf(v), key, Secret.Origin.YAML));
                case "record-route-previous-secret-file" -> previousSecret = once(previousSecret, secretFile(v, key));
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
                case "galera-password" ->
                    galeraPassword = once(galeraPassword, new Secret(String.valueOf(v), key, Secret.Origin.YAML));
                case "galera-password-file" -> galeraPassword = once(galeraPassword, secretFile(v, key));
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
                case "tcp-max-connections" -> tcpMaxConnections = (int) number(String.valueOf(v), key);
                case "tcp-max-connections-per-source" ->
                    tcpMaxConnectionsPerSource = (int) number(String.valueOf(v), key);
                case "tcp-idle-timeout-ms" -> tcpIdleTimeoutMs = number(String.valueOf(v), key);
                case "tcp-message-timeout-ms" -> tcpMessageTimeoutMs = number(String.valueOf(v), key);
                case "tcp-max-write-buffer-bytes" -> tcpMaxWriteBufferBytes = (int) number(String.valueOf(v), key);
                case "tcp-max-message-bytes" -> tcpMaxMessageBytes = (int) number(String.valueOf(v), key);
                // anycast and the site node's other keys: SiteNodeOptions; accounting...: AccountingOptions
                default -> {
                    if (accounting.accepts("--" + key)) {
                        accounting.put("--" + key, String.valueOf(v));
                        continue;
                    }
                    if (!siteNode.accepts("--" + key)) {
                        throw new IllegalArgumentException(key + ": unknown key in " + file);
                    }
                    siteNode.put("--" + key, String.valueOf(v));
                }
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
