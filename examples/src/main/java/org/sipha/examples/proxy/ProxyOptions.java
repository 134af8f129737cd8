package org.sipha.examples.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

/**
 * The reference proxy's options, one field per row of {@link ProxyOptionTable}: the table's defaults, overridden by
 * YAML files ({@code --config}, keys named as the options without dashes, see {@code examples/config/proxy.yaml}),
 * then by the environment's secrets, then by the command line ({@link ProxyCommandLine}). Every problem is an
 * {@link IllegalArgumentException} whose message starts with the option's name as the user wrote it.
 *
 * <p>Secrets (the Record-Route passphrase, the Galera password) also come from a file or the environment, so none
 * needs to be on the command line, where {@code ps} shows it to every local user; a secret given twice in one
 * layer is refused. Problems that are worth a warning but not a refusal are collected in {@link #warnings}.
 * Filled and read by the thread that starts the proxy.
 */
final class ProxyOptions {
    final List<String> listen = new ArrayList<>();
    final List<Destination> backends = new ArrayList<>();
    /**
     * The dispatcher set the proxy routes ({@code --route-set}): the only set it reads from a dispatcher.list or a
     * configuration version, and its routing table's set id. A configuration constant on the message path.
     */
    int routeSet = 1;
    /** Destinations read from a dispatcher.list, by {@link #addressKey}, with all their settings. */
    final Map<String, Destination> listed = new LinkedHashMap<>();
    /** Initial states from the dispatcher.list flags, by destination id. */
    final Map<String, DestinationState> listedStates = new LinkedHashMap<>();
    /** Which layer last filled each list (by {@link OptionRow#resetGroup}): the next layer replaces it. */
    private final Map<String, Secret.Origin> listLayers = new HashMap<>();

    String advertise;
    String algorithm;
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
    /** Facts worth a line at start: the sets of a dispatcher.list left to other proxies. */
    final List<String> notes = new ArrayList<>();

    final List<String> allow = new ArrayList<>();
    long failoverTimeoutMs;
    /** The proxy does not follow dialogs to their BYE, so an answered call counts for this long. */
    long callHoldSeconds;

    final Set<Integer> failoverCodes = new TreeSet<>();
    int retryAfter;
    /**
     * One event loop by default: with several, a response that lands on another loop's socket (SO_REUSEPORT hashes
     * by source) is handed over and that loop is woken. Raise it for rates one core cannot carry.
     */
    int eventLoops;

    int coalesceMicros;
    long drainTimeoutMs;
    IoTransport transport;
    int warmupCalls;
    boolean health;
    final List<String> galeraNodes = new ArrayList<>();
    String galeraUser;
    Secret galeraPassword;
    String galeraDatabase;
    int galeraVoters;
    String quorumLoss;
    long probeIntervalMs;
    long probeTimeoutMs;
    /** The site node's options ({@code --anycast} ...), resolved by {@link SiteNode#prepare}. */
    final SiteNodeOptions siteNode = new SiteNodeOptions();
    /** Configuration from Galera ({@code --config-from-galera} ...), used by {@link GaleraConfigWiring}. */
    final GaleraConfigOptions galeraConfig = new GaleraConfigOptions();
    /** Call accounting ({@code --accounting} ...), resolved by {@link AccountingWiring#prepare}. */
    final AccountingOptions accounting = new AccountingOptions();
    // TCP bounds under abuse
    int tcpMaxConnections;
    int tcpMaxConnectionsPerSource;
    long tcpIdleTimeoutMs;
    long tcpMessageTimeoutMs;
    int tcpMaxWriteBufferBytes;
    int tcpMaxMessageBytes;
    // Bounded under abuse: per-source rates (a burst of 0: twice the rate) and call bounds.
    int newCallsPerSource;
    int newCallBurstPerSource;
    int requestsPerSource;
    int requestBurstPerSource;
    boolean rateLimitReply503;
    int callsPerSourcePercent;
    long maxCallBytesPerLoop;
    boolean cancelAcrossProxies;
    boolean tryingOnAnswer;
    /** How the log is written: {@code text} or {@code json}; and the least severe level written. */
    String logFormat;

    String logLevel;
    /** The admin endpoint (AdminWiring): where it listens ("off": nowhere); null: its default address. */
    String adminListen;

    Secret adminToken;
    /** The dispatcher.list files the destinations came from, for a reload. */
    final List<Path> dispatcherListFiles = new ArrayList<>();

    /** Options from {@code args}, their YAML file and the process's environment. */
    static ProxyOptions parse(String[] args) {
        return parse(args, System.getenv());
    }

    /** Options from {@code args}, their YAML file and {@code env} (the environment variables). */
    static ProxyOptions parse(String[] args, Map<String, String> env) {
        return resolve(ProxyCommandLine.parse(args), env);
    }

    /**
     * The options of a parsed command line: the table's defaults, then each YAML file, then the environment's
     * secrets, then the command line, each layer overriding the one before.
     */
    static ProxyOptions resolve(ProxyCommandLine.Parsed cmd, Map<String, String> env) {
        ProxyOptions o = new ProxyOptions();
        for (OptionRow r : ProxyOptionTable.ROWS) {
            if (r.defaultApplied()) {
                o.apply(r, r.defaultValue(), new OptionRow.Source(Secret.Origin.DEFAULT, r.name()));
            }
        }
        Map<Path, Map<String, List<String>>> yaml = new LinkedHashMap<>();
        for (Path file : cmd.configFiles()) {
            yaml.put(file, ProxyYamlFile.read(file));
        }
        // the route set first, wherever it is given: the dispatcher lists are read for the set it names
        java.util.function.Predicate<OptionRow> routeSet = r -> r.name().equals(ProxyOptionTable.ROUTE_SET);
        o.applyYaml(yaml, routeSet);
        o.applyCommandLine(cmd, routeSet);
        o.applyYaml(yaml, routeSet.negate());
        o.secret = fromEnvironment(env, SECRET_ENV, o.secret);
        o.previousSecret = fromEnvironment(env, PREVIOUS_SECRET_ENV, o.previousSecret);
        o.galeraPassword = fromEnvironment(env, GALERA_PASSWORD_ENV, o.galeraPassword);
        o.applyCommandLine(cmd, routeSet.negate());
        o.galeraConfig.check(o);
        o.checkSecrets();
        return o;
    }

    /** Applies the YAML files' values of the rows {@code which} accepts, file by file. */
    private void applyYaml(Map<Path, Map<String, List<String>>> yaml, java.util.function.Predicate<OptionRow> which) {
        yaml.forEach((file, keys) -> keys.forEach((key, values) -> {
            OptionRow r = ProxyOptionTable.byYamlKey(key);
            if (r == null) {
                throw new IllegalArgumentException(key + ": unknown key in " + file);
            }
            if (which.test(r)) {
                values.forEach(v -> apply(r, v, new OptionRow.Source(Secret.Origin.YAML, key)));
            }
        }));
    }

    /** Applies the command line's values of the rows {@code which} accepts, in the order given. */
    private void applyCommandLine(ProxyCommandLine.Parsed cmd, java.util.function.Predicate<OptionRow> which) {
        for (ProxyCommandLine.Given g : cmd.given()) {
            if (which.test(g.row())) {
                apply(
                        g.row(),
                        g.value(),
                        new OptionRow.Source(Secret.Origin.COMMAND_LINE, g.row().option()));
            }
        }
    }

    /** Applies one value; a list's first value from a layer above the one that filled it replaces its values. */
    private void apply(OptionRow r, String value, OptionRow.Source from) {
        if (r.kind() == OptionRow.Kind.LIST && r.reset() != null) {
            Secret.Origin filledBy = listLayers.get(r.resetGroup());
            if (filledBy != from.layer()) {
                for (OptionRow other : ProxyOptionTable.ROWS) {
                    if (other.resetGroup().equals(r.resetGroup()) && other.reset() != null) {
                        other.reset().accept(this);
                    }
                }
                listLayers.put(r.resetGroup(), from.layer());
            }
        }
        r.setter().set(this, value, from);
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

    /** A secret read from the file named by {@code path}; messages name {@code from}. */
    Secret secretFile(String path, OptionRow.Source from) {
        return Secret.fromFile(Path.of(path), from.name(), from.layer(), warnings);
    }

    /** A secret given inline; on the command line it is accepted with a warning, since ps shows it. */
    Secret inlineSecret(String text, OptionRow.Source from, String instead) {
        if (from.layer() == Secret.Origin.COMMAND_LINE) {
            warnings.add(from.name() + VISIBLE_TO_PS + instead);
        }
        return new Secret(text, from.name(), from.layer());
    }

    /** {@code next}, unless {@code current} came from another option of the same layer: a secret is given once. */
    static Secret once(Secret current, Secret next) {
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
        if (secret == null && !galeraConfig.enabled()) { // else the version in force must bring one
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

    /** The first listen address that is a wildcard (0.0.0.0 or ::), or null. */
    String wildcardListen() {
        for (String l : listen) {
            String[] p = l.split(":", 2);
            if (p.length == 2) {
                InetSocketAddress a = hostPort(p[1], "--listen");
                if (a.getAddress() != null && a.getAddress().isAnyLocalAddress()) {
                    return l;
                }
            }
        }
        return null;
    }

    /** True if every listen address is in 127.0.0.0/8 or ::1, where a random per-process key will do. */
    boolean listensOnLoopbackOnly() {
        return listen.stream().allMatch(ProxyOptions::isLoopback);
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

    /**
     * Checks that a destination's {@code socket=} attribute, if any, names one of the UDP listen addresses.
     *
     * @throws IllegalArgumentException naming the destination if it does not, or is malformed
     */
    void requireListenSocket(Destination d) {
        InetSocketAddress from = ProxyConfig.sendsFrom(d);
        if (from != null && !udpListen().contains(from)) {
            throw new IllegalArgumentException("socket=" + d.attribute("socket") + " of " + d.uri()
                    + " is not a UDP listen address (--listen): " + udpListen());
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

    static Destination backend(String uri, String option) {
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
     * and keeps {@link #routeSet}, the set the proxy routes: its destinations with their ids ({@code duid}),
     * weights, priorities, attributes ({@code maxload} ...) and initial states (flags), recorded in {@link #listed}.
     * The other sets belong to other proxies and are left out. Returns the destinations as they are listed.
     */
    List<Destination> dispatcherList(Path file, String option) {
        DispatcherListReader.Result r;
        try {
            r = DispatcherListReader.read(file, Algorithm.ROUND_ROBIN); // the algorithm comes from --algorithm
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        dispatcherListFiles.add(file);
        DestinationSetConfig set = r.config().sets().get(routeSet);
        if (set == null) {
            throw new IllegalArgumentException(option + ": " + file + " has no set " + routeSet
                    + " (the proxy routes set " + routeSet + ", --route-set)");
        }
        String note = otherSetsNote(option + " " + file, otherSets(r, routeSet), routeSet);
        if (note != null) {
            notes.add(note);
        }
        r.warnings().forEach(w -> warnings.add(option + ": " + w));
        List<Destination> out = new ArrayList<>();
        for (Destination d : set.destinations()) {
            out.add(forwardable(() -> d, option));
            listed.put(addressKey(d), d);
            listedStates.put(d.id(), r.rowState(routeSet, d.id()));
        }
        return out;
    }

    /** The set ids of {@code r} other than {@code routeSet}, in order: the sets a proxy routing it leaves to others. */
    static List<Integer> otherSets(DispatcherListReader.Result r, int routeSet) {
        return r.config().sets().keySet().stream()
                .filter(id -> id != routeSet)
                .sorted()
                .toList();
    }

    /** The line logged once for a list or version with sets of other proxies, or null if it has none. */
    static String otherSetsNote(String source, List<Integer> others, int routeSet) {
        return others.isEmpty()
                ? null
                : source + " also lists set(s) " + others + ", left to the proxies that route them: this one"
                        + " routes, probes and counts only set " + routeSet + " (--route-set)";
    }

    /** A dispatcher set id: an integer of at least 0, as in a dispatcher.list. */
    static int routeSet(String v, String option) {
        int id = intNumber(v, option);
        if (id < 0) {
            throw new IllegalArgumentException(option + ": a set id is at least 0, got " + v);
        }
        return id;
    }

    /** What the proxy does with new calls while the site's database has no quorum: {@code 503} or {@code ignore}. */
    static String quorumLoss(String v, String option) {
        String t = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("503") && !t.equals("ignore")) {
            throw new IllegalArgumentException(option + ": expected 503 or ignore, got " + v);
        }
        return t;
    }

    /** What the proxy does with a request over its source's rate: {@code drop} (false) or {@code 503} (true). */
    static boolean rateLimitReply(String v, String option) {
        String t = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("drop") && !t.equals("503")) {
            throw new IllegalArgumentException(option + ": expected drop or 503, got " + v);
        }
        return t.equals("503");
    }

    static IoTransport transport(String v, String option) {
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> IoTransport.AUTO;
            case "epoll" -> IoTransport.EPOLL;
            case "nio" -> IoTransport.NIO;
            default -> throw new IllegalArgumentException(option + ": expected auto, epoll or nio, got " + v);
        };
    }

    static long number(String s, String option) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number: " + s, e);
        }
    }

    /** {@link #number} within int's range. */
    static int intNumber(String s, String option) {
        long n = number(s, option);
        if (n != (int) n) {
            throw new IllegalArgumentException(option + ": out of range: " + s);
        }
        return (int) n;
    }

    /** {@code true} or {@code false}. */
    static boolean bool(String s, String option) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
            throw new IllegalArgumentException(option + ": expected true or false, got " + s);
        }
        return t.equals("true");
    }
}
