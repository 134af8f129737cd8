package org.sipha.examples.proxy;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.sipha.anycast.LogbackSettings;
import org.sipha.core.spi.ForwardingOutcomeListener;
import org.sipha.health.OptionsProbeConfig;

/**
 * {@code --check}: builds everything the proxy would start from, but binds, connects and starts nothing: the
 * options with their YAML files, dispatcher lists and secret files, the routing table, the engine's configuration,
 * the probe timers, the site node and the Galera client's configuration. Run once by the main thread.
 */
final class ConfigCheck {
    private ConfigCheck() {}

    /**
     * Checks the configuration {@code cmd} and {@code env} describe; says what it found on {@code out}, warnings
     * and the first problem on {@code err}.
     *
     * @return the exit status: 0 if the proxy can start with it, 2 if not
     */
    static int run(ProxyCommandLine.Parsed cmd, Map<String, String> env, PrintStream out, PrintStream err) {
        try {
            ProxyOptions o = ProxyOptions.resolve(cmd, env);
            LogbackSettings.apply(o.logFormat, o.logLevel);
            List<String> found = check(o);
            o.warnings.forEach(w -> err.println(ProxyCommandLine.NAME + ": warning: " + w));
            found.forEach(out::println);
            out.println(ProxyCommandLine.NAME + ": configuration OK");
            return 0;
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println(ProxyCommandLine.NAME + ": " + e.getMessage());
            return 2;
        }
    }

    /** Validates {@code o} (adding the demo backends if it has none); returns one line per part checked. */
    static List<String> check(ProxyOptions o) {
        List<String> found = new ArrayList<>();
        if (o.backends.isEmpty()) {
            for (int port : ReferenceProxy.DEMO_PORTS) {
                o.backends.add(ProxyOptions.backend("sip:127.0.0.1:" + port));
            }
            found.add("backends: none configured, the demo backends would start on 127.0.0.1:5081 and :5082");
        } else {
            found.add("backends: " + ReferenceProxy.destinations(o).size() + " in set " + o.routeSet);
        }
        ReferenceProxy.config(o, ReferenceProxy.routingTable(o), ForwardingOutcomeListener.NONE);
        found.add("listen: " + o.listen + (o.advertise == null ? "" : ", advertised as " + o.advertise));
        found.add("record-route key: " + (o.secret == null ? "random (loopback only)" : o.secret.toString()));
        if (o.health) {
            OptionsProbeConfig.builder()
                    .intervalNs(TimeUnit.MILLISECONDS.toNanos(o.probeIntervalMs))
                    .timeoutNs(TimeUnit.MILLISECONDS.toNanos(o.probeTimeoutMs))
                    .build();
        }
        found.add("health checking: " + (o.health ? "every " + o.probeIntervalMs + " ms" : "off"));
        if (!o.galeraNodes.isEmpty()) {
            QuorumWiring.config(o);
            found.add("galera quorum: " + o.galeraNodes + ", on loss " + o.quorumLoss);
        }
        SiteNode site = SiteNode.prepare(o);
        if (site != null) {
            found.add("site node: " + site.describe());
            site.close();
        }
        return found;
    }
}
