package org.sipha.examples.proxy;

import static org.sipha.examples.proxy.ProxyOptions.intNumber;
import static org.sipha.examples.proxy.ProxyOptions.number;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sipha.anycast.LogbackSettings;
import org.sipha.dispatcher.engine.ProxyConfig;

/**
 * Every setting of the reference proxy, one {@link OptionRow} each: the command line ({@link ProxyCommandLine}),
 * the YAML keys and {@code --help} are all made from {@link #ROWS}, so an option exists in all three or in none.
 * Adding a setting is one row here and one field in {@link ProxyOptions}. Immutable.
 */
final class ProxyOptionTable {
    private static final String DESTINATIONS = "destinations";
    /** The row applied before the others: dispatcher lists are read for the set it names. */
    static final String ROUTE_SET = "route-set";

    /** The rows, in the order {@code --help} lists them: the proxy's own, then the site node's. */
    static final List<OptionRow> ROWS = rows();

    private static final Map<String, OptionRow> BY_YAML_KEY = byYamlKey(ROWS);

    private ProxyOptionTable() {}

    /** The row read from YAML key {@code key}, or null. */
    static OptionRow byYamlKey(String key) {
        return BY_YAML_KEY.get(key);
    }

    private static List<OptionRow> rows() {
        List<OptionRow> r = new ArrayList<>();
        r.addAll(network());
        r.addAll(routing());
        r.addAll(secrets());
        r.addAll(engine());
        r.addAll(health());
        r.addAll(galera());
        r.addAll(bounds());
        r.addAll(logging());
        r.addAll(SiteNodeOptions.ROWS);
        r.addAll(AccountingOptions.ROWS);
        return List.copyOf(r);
    }

    private static List<OptionRow> network() {
        return List.of(
                OptionRow.list(
                        "listen",
                        "udp|tcp:HOST:PORT",
                        "udp:127.0.0.1:5060",
                        "An address to listen on; repeat for several. A wildcard address (0.0.0.0, [::]) needs"
                                + " --advertise.",
                        o -> o.listen.clear(),
                        (o, v, from) -> o.listen.add(v.trim())),
                OptionRow.value(
                        "advertise",
                        "HOST:PORT",
                        null,
                        "The address written into Via and Record-Route, e.g. the anycast address; by default the"
                                + " first listen address.",
                        (o, v, from) -> o.advertise = v.trim()),
                OptionRow.list(
                        "allow",
                        "CIDR",
                        null,
                        "A network allowed to send initial requests (others are dropped without an"
                                + " answer); repeat for several. Default: every source. The backends are"
                                + " always allowed. The command line adds to the YAML file's list.",
                        null,
                        (o, v, from) -> o.allow.add(v.trim())),
                OptionRow.value(
                                "admin-listen",
                                "HOST:PORT|off",
                                AdminWiring.DEFAULT_LISTEN,
                                "The admin endpoint: metrics, /live, /ready, the status page and actions"
                                        + " (docs/operations.md). Off loopback it needs --admin-token-file. If the default"
                                        + " address is taken the proxy runs without it (warned).",
                                (o, v, from) -> o.adminListen = v.trim())
                        .defaultShownOnly(),
                OptionRow.value(
                        "admin-token-file",
                        "FILE",
                        null,
                        "The bearer token the admin endpoint's actions require (at least 32 characters).",
                        (o, v, from) -> o.adminToken = ProxyOptions.once(o.adminToken, o.secretFile(v, from))));
    }

    private static List<OptionRow> routing() {
        return List.of(
                OptionRow.list(
                                "backend",
                                "sip:HOST[:PORT][;transport=tcp]",
                                null,
                                "A backend (of the route set, weight 1); repeat for several. Any --backend or"
                                        + " --dispatcher-list turns the two demo backends off.",
                                ProxyOptionTable::clearDestinations,
                                (o, v, from) -> o.backends.add(ProxyOptions.backend(v, from.name())))
                        .alsoYaml("backends")
                        .resetWith(DESTINATIONS),
                OptionRow.list(
                                "dispatcher-list",
                                "FILE",
                                null,
                                "Backends from a Kamailio dispatcher.list (SETID URI [FLAGS [PRIORITY [ATTRS]]]):"
                                        + " the route set is routed, with its ids, weights, priorities, maxload;"
                                        + " flag 1 starts a destination inactive, 4 disabled.",
                                ProxyOptionTable::clearDestinations,
                                (o, v, from) -> o.backends.addAll(o.dispatcherList(Path.of(v.trim()), from.name())))
                        .resetWith(DESTINATIONS),
                OptionRow.value(
                        ROUTE_SET,
                        "N",
                        "1",
                        "The dispatcher set this proxy routes (Kamailio's ds_select_dst(N)) from a dispatcher.list"
                                + " or a configuration version; their other sets belong to other proxies and are"
                                + " neither routed, probed nor counted.",
                        (o, v, from) -> o.routeSet = ProxyOptions.routeSet(v, from.name())),
                OptionRow.value(
                        "algorithm",
                        "NAME",
                        "round-robin",
                        "round-robin (rr, 4), smooth-weighted-round-robin, weighted-random, key-hash,"
                                + " consistent-hash, least-calls, lowest-latency or priority-groups.",
                        (o, v, from) -> o.algorithm = v.trim()),
                OptionRow.value(
                        "failover-timeout-ms",
                        "N",
                        "2000",
                        "How long a backend may leave an INVITE unanswered before the call moves to the next.",
                        (o, v, from) -> o.failoverTimeoutMs = number(v, from.name())),
                OptionRow.list(
                        "failover-codes",
                        "CODE[,CODE...]",
                        "503",
                        "Final responses (300-699) that move the call to the next backend.",
                        o -> o.failoverCodes.clear(),
                        (o, v, from) -> {
                            for (String code : v.split(",")) {
                                o.failoverCodes.add(intNumber(code, from.name()));
                            }
                        }),
                OptionRow.value(
                        "call-hold-seconds",
                        "S",
                        "180",
                        "How long an answered call counts towards its backend's load (least-calls, maxload);"
                                + " near the mean call duration.",
                        (o, v, from) -> o.callHoldSeconds = number(v, from.name())),
                OptionRow.value(
                        "retry-after",
                        "S",
                        "5",
                        "The Retry-After of the proxy's own 503s.",
                        (o, v, from) -> o.retryAfter = intNumber(v, from.name())));
    }

    private static void clearDestinations(ProxyOptions o) {
        o.backends.clear();
        o.listed.clear();
        o.listedStates.clear();
    }

    private static List<OptionRow> secrets() {
        String rrInstead = "--record-route-secret-file FILE or " + ProxyOptions.SECRET_ENV;
        String galeraInstead = "--galera-password-file FILE or " + ProxyOptions.GALERA_PASSWORD_ENV;
        return List.of(
                OptionRow.value(
                        "record-route-secret-file",
                        "FILE",
                        null,
                        "The passphrase of the Record-Route key (at least 32 bytes, the same on every proxy);"
                                + " or the environment's " + ProxyOptions.SECRET_ENV + ". Without one a random"
                                + " key is used, on loopback addresses only.",
                        (o, v, from) -> o.secret = ProxyOptions.once(o.secret, o.secretFile(v, from))),
                OptionRow.value(
                        "record-route-secret",
                        "TEXT",
                        null,
                        "The same passphrase inline (on the command line ps shows it: prefer the file).",
                        (o, v, from) -> o.secret = ProxyOptions.once(o.secret, o.inlineSecret(v, from, rrInstead))),
                OptionRow.value(
                        "record-route-previous-secret-file",
                        "FILE",
                        null,
                        "The passphrase being rotated out (or " + ProxyOptions.PREVIOUS_SECRET_ENV + "): tokens"
                                + " signed with it are still accepted.",
                        (o, v, from) -> o.previousSecret = ProxyOptions.once(o.previousSecret, o.secretFile(v, from))),
                OptionRow.value(
                        "record-route-previous-secret",
                        "TEXT",
                        null,
                        "The same inline.",
                        (o, v, from) -> o.previousSecret = ProxyOptions.once(
                                o.previousSecret,
                                o.inlineSecret(
                                        v,
                                        from,
                                        "--record-route-previous-secret-file FILE or "
                                                + ProxyOptions.PREVIOUS_SECRET_ENV))),
                OptionRow.value(
                        "galera-password-file",
                        "FILE",
                        null,
                        "The Galera user's password (or " + ProxyOptions.GALERA_PASSWORD_ENV + "); default:"
                                + " empty.",
                        (o, v, from) -> o.galeraPassword = ProxyOptions.once(o.galeraPassword, o.secretFile(v, from))),
                OptionRow.value(
                        "galera-password",
                        "TEXT",
                        null,
                        "The same inline.",
                        (o, v, from) -> o.galeraPassword =
                                ProxyOptions.once(o.galeraPassword, o.inlineSecret(v, from, galeraInstead))));
    }

    private static List<OptionRow> engine() {
        return List.of(
                OptionRow.value(
                        "event-loops",
                        "N",
                        "1",
                        "Event loops (threads) handling the sockets, 1 to 64; more only for rates one core cannot"
                                + " carry.",
                        (o, v, from) -> o.eventLoops = intNumber(v, from.name())),
                OptionRow.value(
                        "coalesce-us",
                        "N",
                        Integer.toString(ProxyConfig.DEFAULT_COALESCE_MICROS),
                        "Under load a loop gathers datagrams this long per wake-up, 0 to 5000; 0: woken per"
                                + " datagram.",
                        (o, v, from) -> o.coalesceMicros = intNumber(v, from.name())),
                OptionRow.value(
                        "transport",
                        "auto|epoll|nio",
                        "auto",
                        "The socket layer: auto is epoll where available, else NIO.",
                        (o, v, from) -> o.transport = ProxyOptions.transport(v, from.name())),
                OptionRow.value(
                        "warmup-calls",
                        "N",
                        "20000",
                        "Calls run through a throw-away engine before binding; 0 skips the warm-up.",
                        (o, v, from) -> o.warmupCalls = intNumber(v, from.name())),
                OptionRow.value(
                        "drain-timeout-ms",
                        "N",
                        "10000",
                        "How long SIGTERM waits for calls in flight.",
                        (o, v, from) -> o.drainTimeoutMs = number(v, from.name())));
    }

    private static List<OptionRow> health() {
        return List.of(
                OptionRow.flag(
                        "health",
                        true,
                        "Health checking of the backends: OPTIONS probes and passive detection.",
                        (o, v, from) -> o.health = ProxyOptions.bool(v, from.name())),
                OptionRow.value(
                        "probe-interval-ms",
                        "N",
                        "1000",
                        "OPTIONS probe interval per backend.",
                        (o, v, from) -> o.probeIntervalMs = number(v, from.name())),
                OptionRow.value(
                        "probe-timeout-ms",
                        "N",
                        "500",
                        "How long a probe waits for its response.",
                        (o, v, from) -> o.probeTimeoutMs = number(v, from.name())));
    }

    private static List<OptionRow> galera() {
        return List.of(
                OptionRow.list(
                                "galera-node",
                                "HOST:PORT",
                                null,
                                "A Galera node of the site (the first is the local one); repeat for several."
                                        + " Default: none, no quorum following. The command line adds to the YAML"
                                        + " file's list.",
                                null,
                                (o, v, from) -> o.galeraNodes.add(v.trim()))
                        .alsoYaml("galera-nodes"),
                OptionRow.value(
                        "galera-user",
                        "USER",
                        "sipha",
                        "Database user for the wsrep status polls and the commit canary.",
                        (o, v, from) -> o.galeraUser = v.trim()),
                OptionRow.value(
                        "galera-database",
                        "NAME",
                        "sipha",
                        "Database holding the canary table.",
                        (o, v, from) -> o.galeraDatabase = v.trim()),
                OptionRow.value(
                        "galera-voters",
                        "N",
                        "0",
                        "Voters in the whole cluster (every site's nodes plus arbitrators); 0: the number of"
                                + " --galera-node.",
                        (o, v, from) -> o.galeraVoters = intNumber(v, from.name())),
                OptionRow.value(
                        "quorum-loss",
                        "503|ignore",
                        "503",
                        "While the site has no quorum: 503 answers new calls 503 with Retry-After, ignore keeps"
                                + " routing them (a site node still drains and withdraws).",
                        (o, v, from) -> o.quorumLoss = ProxyOptions.quorumLoss(v, from.name())),
                OptionRow.value(
                        "config-from-galera",
                        "FILE",
                        null,
                        "Take the destinations and Record-Route secrets from the cluster's configuration version in"
                                + " force (needs --galera-node); FILE keeps the last good version for a start without"
                                + " a quorate node (docs/configuration.md). Default: none, the local options.",
                        (o, v, from) -> o.galeraConfig.put("--config-from-galera", v.trim())),
                OptionRow.value(
                        "config-poll-ms",
                        "MS",
                        null,
                        "How often the configuration version in force is read (at least 10). Default: 250, with"
                                + " --config-from-galera.",
                        (o, v, from) -> o.galeraConfig.put("--config-poll-ms", v.trim())),
                OptionRow.value(
                        "config-start-wait-ms",
                        "MS",
                        null,
                        "How long a start waits for a trusted node before it uses the local copy. Default: 5000, with"
                                + " --config-from-galera.",
                        (o, v, from) -> o.galeraConfig.put("--config-start-wait-ms", v.trim())));
    }

    private static List<OptionRow> bounds() {
        return List.of(
                OptionRow.value(
                        "tcp-max-connections",
                        "N",
                        "10000",
                        "Accepted TCP connections open at once; more are reset at accept.",
                        (o, v, from) -> o.tcpMaxConnections = intNumber(v, from.name())),
                OptionRow.value(
                        "tcp-max-connections-per-source",
                        "N",
                        "256",
                        "The same, per source IP address.",
                        (o, v, from) -> o.tcpMaxConnectionsPerSource = intNumber(v, from.name())),
                OptionRow.value(
                        "tcp-idle-timeout-ms",
                        "N",
                        "300000",
                        "A TCP connection silent this long is closed (CRLF keep-alives count); 0: never.",
                        (o, v, from) -> o.tcpIdleTimeoutMs = number(v, from.name())),
                OptionRow.value(
                        "tcp-message-timeout-ms",
                        "N",
                        "10000",
                        "A message begun on TCP must be complete within this, else the connection is reset.",
                        (o, v, from) -> o.tcpMessageTimeoutMs = number(v, from.name())),
                OptionRow.value(
                        "tcp-max-write-buffer-bytes",
                        "N",
                        "131072",
                        "A TCP peer that stops reading is reset when this much waits for it.",
                        (o, v, from) -> o.tcpMaxWriteBufferBytes = intNumber(v, from.name())),
                OptionRow.value(
                        "tcp-max-message-bytes",
                        "N",
                        "65535",
                        "Larger TCP messages are answered 513 and the connection closed.",
                        (o, v, from) -> o.tcpMaxMessageBytes = intNumber(v, from.name())),
                OptionRow.value(
                        "new-calls-per-source",
                        "N",
                        "200",
                        "New calls per second one source (IPv4 address, IPv6 /64) may start, per event loop; 0:"
                                + " no limit.",
                        (o, v, from) -> o.newCallsPerSource = intNumber(v, from.name())),
                OptionRow.value(
                        "new-call-burst-per-source",
                        "N",
                        "0",
                        "New calls a source may start at once beyond its rate; 0: twice the rate.",
                        (o, v, from) -> o.newCallBurstPerSource = intNumber(v, from.name())),
                OptionRow.value(
                        "requests-per-source",
                        "N",
                        "2000",
                        "Requests of any kind per second one source may send, per event loop; 0: no limit.",
                        (o, v, from) -> o.requestsPerSource = intNumber(v, from.name())),
                OptionRow.value(
                        "request-burst-per-source",
                        "N",
                        "0",
                        "Requests a source may send at once beyond its rate; 0: twice the rate.",
                        (o, v, from) -> o.requestBurstPerSource = intNumber(v, from.name())),
                OptionRow.value(
                        "rate-limit-reply",
                        "drop|503",
                        "drop",
                        "A request over its source's rate is dropped, or answered 503 with Retry-After.",
                        (o, v, from) -> o.rateLimitReply503 = ProxyOptions.rateLimitReply(v, from.name())),
                OptionRow.value(
                        "calls-per-source-percent",
                        "N",
                        "25",
                        "The share of an event loop's call slots one source may hold (1 to 100).",
                        (o, v, from) -> o.callsPerSourcePercent = intNumber(v, from.name())),
                OptionRow.value(
                        "max-call-bytes-per-loop",
                        "N",
                        Long.toString(64L << 20),
                        "Bytes of stored INVITE copies per event loop; beyond it new calls get 503.",
                        (o, v, from) -> o.maxCallBytesPerLoop = number(v, from.name())),
                OptionRow.flag(
                        "cancel-across-proxies",
                        true,
                        "A CANCEL for a call another proxy sharing the Record-Route key forwarded is sent on to"
                                + " the destinations (200 if one accepts it, else 481); off: 481 at once.",
                        (o, v, from) -> o.cancelAcrossProxies = ProxyOptions.bool(v, from.name())),
                OptionRow.flag(
                        "trying-on-answer",
                        false,
                        "Send a new INVITE's 100 Trying only once the destination answers 100 or the caller"
                                + " retransmits, so an INVITE lost with a killed proxy is retransmitted to another"
                                + " anycast site (docs/site-node.md); off: at once.",
                        (o, v, from) -> o.tryingOnAnswer = ProxyOptions.bool(v, from.name())));
    }

    private static List<OptionRow> logging() {
        return List.of(
                OptionRow.value(
                        "log-format",
                        "text|json",
                        "text",
                        "text: one line per event with an ISO-8601 timestamp; json: one JSON object per line.",
                        (o, v, from) -> o.logFormat = LogbackSettings.format(v, from.name())),
                OptionRow.value(
                        "log-level",
                        "LEVEL",
                        "info",
                        "The least severe level logged: error, warn, info, debug or trace.",
                        (o, v, from) -> o.logLevel = LogbackSettings.level(v, from.name())));
    }

    private static Map<String, OptionRow> byYamlKey(List<OptionRow> rows) {
        Map<String, OptionRow> m = new HashMap<>();
        for (OptionRow r : rows) {
            m.put(r.name(), r);
            r.yamlAliases().forEach(a -> m.put(a, r));
        }
        return Map.copyOf(m);
    }
}
