package org.sipha.examples.proxy;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.sipha.anycast.LogbackSettings;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.core.spi.DestinationsUpListener;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.RoutingTableWriter;
import org.sipha.dispatcher.engine.DispatcherNextHopSelector;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.sipha.dispatcher.engine.SipProxyServer;
import org.sipha.dispatcher.engine.SourceAccessList;
import org.sipha.health.HealthChecking;
import org.sipha.health.HealthListener;
import org.sipha.health.OptionsProbeConfig;
import org.sipha.health.UdpProbeTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference proxy: {@code java -jar examples/target/sip-ha-proxy.jar [options]} ({@link ProxyCommandLine},
 * {@code --help}). Runs in the foreground; on
 * SIGTERM (or Ctrl-C) it stops taking new calls, lets calls in flight finish (bounded by
 * {@code drain-timeout-ms}) and exits 0. Bad configuration exits 2 with a message naming the option. With no
 * backend configured it starts two in-process demo backends, so the first command of the README shows a
 * working system. An internal fault ends it with status 70 for its supervisor to restart it: an Error in any thread,
 * or the health thread or the routing table's writer dead or stuck ({@link FatalUncaughtExceptionHandler},
 * {@link ThreadLivenessWatchdog}). This class reads the command line and wires the engine's configuration;
 * {@link ProxyNode} starts and stops the parts in order.
 */
public final class ReferenceProxy {
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceProxy.class);
    /** Threads the proxy cannot run without: their death by an uncaught exception ends the process. */
    static final String HEALTH_THREAD = "sipha-health";

    static final String WRITER_THREAD = "sipha-routing-table";
    /** Where the demo backends listen when no backend is configured. */
    static final int[] DEMO_PORTS = {5081, 5082};

    static final String DEMO_BANNER = """
            ==============================================================================
             sip-ha-proxy DEMO: no --backend or --dispatcher-list was given, so two
             in-process demo backends answer on 127.0.0.1:5081 and :5082. This is a
             demonstration, not a deployment: see --help and docs/reference-proxy.md.
            ==============================================================================""";

    private ReferenceProxy() {}

    /** round-robin (or Kamailio's 4), or any {@link Algorithm} name in lower case with dashes. */
    static Algorithm algorithm(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (n.equals("RR") || n.equals("4")) {
            return Algorithm.ROUND_ROBIN;
        }
        try {
            return Algorithm.valueOf(n);
        } catch (IllegalArgumentException e) {
            StringBuilder known = new StringBuilder();
            for (Algorithm a : Algorithm.values()) {
                known.append(known.length() == 0 ? "" : ", ")
                        .append(a.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new IllegalArgumentException("--algorithm: unknown algorithm " + name + " (known: " + known + ")", e);
        }
    }

    public static void main(String[] args) throws Exception {
        // Leak detection samples allocations with stack traces: a debugging aid, off unless asked for.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        if (args.length > 0 && args[0].equals(ConfigCommand.NAME)) {
            System.exit(ConfigCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
            return;
        }
        if (args.length > 0 && args[0].equals(AccountingCommand.NAME)) {
            System.exit(
                    AccountingCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
            return;
        }
        ProxyCommandLine.Parsed cmd;
        try {
            cmd = ProxyCommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(ProxyCommandLine.NAME + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        if (cmd.help() || cmd.version()) {
            System.out.print(cmd.help() ? ProxyCommandLine.usage() : ProxyCommandLine.version() + "\n");
            System.out.flush();
            return;
        }
        if (cmd.check()) {
            System.exit(ConfigCheck.run(cmd, System.getenv(), System.out, System.err));
            return;
        }
        if (cmd.withdraw()) {
            System.exit(WithdrawCommand.run(cmd, System.getenv(), System.out, System.err));
            return;
        }
        Thread.setDefaultUncaughtExceptionHandler(new FatalUncaughtExceptionHandler(
                Set.of(HEALTH_THREAD, WRITER_THREAD, AccountingWiring.THREAD),
                Set.of("galera-poll-", "galera-events-", "galera-canary-"),
                Runtime.getRuntime()::halt));
        warnUnlessExitOnOutOfMemoryError();
        ProxyNode node;
        try {
            ProxyOptions o = ProxyOptions.resolve(cmd, System.getenv());
            LogbackSettings.apply(o.logFormat, o.logLevel);
            o.warnings.forEach(w -> LOG.warn("{}", w));
            o.notes.forEach(n -> LOG.info("{}", n));
            node = ProxyNode.start(o);
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            System.err.println("sip-ha-proxy: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stop = new CountDownLatch(1);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> stop.countDown());
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> stop.countDown());
        stop.await();
        boolean idle = node.stop();
        LOG.info("stopped{}", idle ? "" : " (drain timeout: calls still in flight were abandoned)");
        System.exit(0);
    }

    /** An OutOfMemoryError that some library catches could leave the proxy half-working: the JVM must exit. */
    private static void warnUnlessExitOnOutOfMemoryError() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm != null
                    && !Boolean.parseBoolean(
                            vm.getVMOption("ExitOnOutOfMemoryError").getValue())
                    && !Boolean.parseBoolean(
                            vm.getVMOption("CrashOnOutOfMemoryError").getValue())) {
                LOG.warn("started without -XX:+ExitOnOutOfMemoryError: launch it with java "
                        + "-XX:+ExitOnOutOfMemoryError -jar sip-ha-proxy.jar, so that running out of memory ends the "
                        + "process for its supervisor to restart");
            }
        } catch (RuntimeException e) {
            LOG.debug("cannot read the JVM's ExitOnOutOfMemoryError setting", e); // not HotSpot
        }
    }

    /**
     * Health checking of the backends with the options' probe timers, reporting states into {@code writer}'s
     * routing table and slow start into {@code selector}; its thread is {@code threadName}. Nothing runs yet.
     */
    static HealthChecking healthChecking(
            ProxyOptions o, RoutingTableWriter writer, DispatcherNextHopSelector selector, String threadName) {
        return healthChecking(o, writer, selector, threadName, null, null);
    }

    /**
     * As above, also telling {@code destinationsUp} (if not null) how many backends are usable and {@code listener}
     * (if not null) every health event.
     */
    static HealthChecking healthChecking(
            ProxyOptions o,
            RoutingTableWriter writer,
            DispatcherNextHopSelector selector,
            String threadName,
            DestinationsUpListener destinationsUp,
            HealthListener listener) {
        HealthChecking.Builder b = HealthChecking.builder(destinations(o))
                .probes(OptionsProbeConfig.builder()
                        .intervalNs(TimeUnit.MILLISECONDS.toNanos(o.probeIntervalMs))
                        .timeoutNs(TimeUnit.MILLISECONDS.toNanos(o.probeTimeoutMs))
                        .build())
                .sink(writer.healthSink())
                .slowStart(selector::setTrafficShare)
                .threadName(threadName);
        if (destinationsUp != null) {
            b.destinationsUp(destinationsUp);
        }
        if (listener != null) {
            b.listener(listener);
        }
        return b.build();
    }

    /**
     * Starts the routing table's writer and health checking, probing from {@code server}'s own UDP socket (so
     * firewalls and ACLs see the source real traffic has) or, if it listens on TCP only, from a UDP socket of its
     * own on the first listen host. Once; the caller's thread.
     *
     * @throws IOException if that fallback socket cannot be opened
     */
    static void startHealth(HealthChecking health, RoutingTableWriter writer, ProxyOptions o, SipProxyServer server)
            throws IOException {
        String from;
        writer.start();
        if (o.udpListen().isEmpty()) {
            InetSocketAddress host = new InetSocketAddress(o.tcpListen().get(0).getAddress(), 0);
            try {
                health.start(UdpProbeTransport.open(host));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            from = "a UDP socket of their own on " + host.getAddress().getHostAddress() + " (no UDP listen address)";
        } else {
            health.start(server.probeTransport());
            from = "the proxy's listening socket " + o.udpListen().get(0);
        }
        LOG.info(
                "health checking {} destination(s): OPTIONS every {} ms (timeout {} ms) from {}, plus passive "
                        + "detection",
                destinations(o).size(),
                o.probeIntervalMs,
                o.probeTimeoutMs,
                from);
    }

    /** The proxy's configuration with a routing table of its own and no health reporting (for option checks). */
    static ProxyConfig config(ProxyOptions o) {
        return config(o, routingTable(o), ForwardingOutcomeListener.NONE);
    }

    /** The backends as dispatcher destinations (of the route set), one per address. */
    static List<Destination> destinations(ProxyOptions o) {
        if (o.backends.isEmpty()) {
            throw new IllegalArgumentException("--backend: no destination configured");
        }
        Map<String, Destination> byAddress = new LinkedHashMap<>();
        for (Destination d : o.backends) { // a dispatcher.list entry keeps its id, weight, priority and attributes
            String key = ProxyOptions.addressKey(d);
            byAddress.putIfAbsent(key, o.listed.getOrDefault(key, d));
        }
        byAddress.values().forEach(o::requireListenSocket);
        return List.copyOf(byAddress.values());
    }

    static RoutingTableOwner routingTable(ProxyOptions o) {
        return new RoutingTableOwner(dispatcherConfig(o, destinations(o), o.listedStates));
    }

    /** The route set of {@code destinations} with the options' algorithm and call hold time, starting in {@code states}. */
    static DispatcherConfig dispatcherConfig(
            ProxyOptions o, List<Destination> destinations, Map<String, DestinationState> states) {
        DestinationSetConfig.Builder set =
                DestinationSetConfig.builder(o.routeSet).algorithm(algorithm(o.algorithm));
        destinations.forEach(set::add);
        if (o.callHoldSeconds < 1 || o.callHoldSeconds > 86_400) {
            throw new IllegalArgumentException("--call-hold-seconds must be in [1, 86400]");
        }
        DispatcherConfig.Builder config =
                DispatcherConfig.builder().set(set.build()).leaseNs(TimeUnit.SECONDS.toNanos(o.callHoldSeconds));
        states.forEach(config::initialState);
        return config.build();
    }

    static ProxyConfig config(ProxyOptions o, RoutingTableOwner owner, ForwardingOutcomeListener outcomes) {
        return config(o, new DispatcherNextHopSelector(owner, o.routeSet), outcomes);
    }

    static ProxyConfig config(ProxyOptions o, DispatcherNextHopSelector selector, ForwardingOutcomeListener outcomes) {
        return config(o, selector, outcomes, null);
    }

    /** As above, the loops recording call accounting into {@code accounting}'s rings if it is not null. */
    static ProxyConfig config(
            ProxyOptions o,
            DispatcherNextHopSelector selector,
            ForwardingOutcomeListener outcomes,
            AccountingWiring accounting) {
        String wildcard = o.wildcardListen();
        if (wildcard != null && o.advertise == null) {
            throw new IllegalArgumentException("--advertise: listening on " + wildcard + ", a wildcard address,"
                    + " needs --advertise HOST:PORT, the address callers reach this proxy at (written into Via and"
                    + " Record-Route)");
        }
        ProxyConfig.Builder b = ProxyConfig.builder()
                .selector(selector)
                .outcomeListener(outcomes)
                .failoverTimeoutMs(o.failoverTimeoutMs)
                .failoverCodes(o.failoverCodes)
                .retryAfterSeconds(o.retryAfter)
                .eventLoops(o.eventLoops)
                .coalesceMicros(o.coalesceMicros)
                .transport(o.transport)
                .tcpMaxConnections(o.tcpMaxConnections)
                .tcpMaxConnectionsPerSource(o.tcpMaxConnectionsPerSource)
                .tcpIdleTimeoutMs(o.tcpIdleTimeoutMs)
                .tcpMessageTimeoutMs(o.tcpMessageTimeoutMs)
                .tcpMaxWriteBufferBytes(o.tcpMaxWriteBufferBytes)
                .tcpMaxMessageBytes(o.tcpMaxMessageBytes)
                .newCallsPerSecondPerSource(o.newCallsPerSource)
                .newCallBurstPerSource(o.newCallBurstPerSource)
                .requestsPerSecondPerSource(o.requestsPerSource)
                .requestBurstPerSource(o.requestBurstPerSource)
                .answerRateLimitedWith503(o.rateLimitReply503)
                .maxCallSharePerSourcePercent(o.callsPerSourcePercent)
                .maxCallBytesPerLoop(o.maxCallBytesPerLoop)
                .cancelAcrossProxies(o.cancelAcrossProxies)
                .tryingOnAnswer(o.tryingOnAnswer);
        if (accounting != null) {
            b.callAccounting(accounting.rings());
        }
        o.backends.forEach(b::alwaysAllow);
        o.udpListen().forEach(b::listenUdp);
        o.tcpListen().forEach(b::listenTcp);
        if (o.advertise != null) {
            InetSocketAddress a = ProxyOptions.hostPort(o.advertise, "--advertise");
            b.advertised(o.advertise.substring(0, o.advertise.lastIndexOf(':')), a.getPort());
        }
        if (o.secret != null) {
            b.recordRouteSecret(o.recordRouteSecret());
            if (o.previousSecret != null) { // tokens signed before a rotation keep routing their dialogs
                b.recordRoutePreviousSecret(o.recordRoutePreviousSecret());
            }
        } else {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            b.recordRouteKey(key);
            LOG.warn("no record-route-secret: using a random key, so only this instance can route its dialogs");
        }
        if (!o.allow.isEmpty()) {
            try {
                b.accessList(SourceAccessList.of(o.allow));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--allow: " + e.getMessage(), e);
            }
        }
        return b.build();
    }
}
