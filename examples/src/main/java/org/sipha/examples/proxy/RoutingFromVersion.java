package org.sipha.examples.proxy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherListException;
import org.sipha.dispatcher.DispatcherListReader;
import org.sipha.dispatcher.engine.ProxyConfig;
import org.sipha.galera.config.ConfigRefusedException;
import org.sipha.galera.config.ConfigVersion;

/**
 * What the reference proxy routes by, read from a configuration version: the proxy's route set ({@code --route-set})
 * of its destination rows, parsed by the dispatcher's own {@link DispatcherListReader} (the rows given to it as
 * {@code dispatcher.list} text, so a version means exactly what the same list file would mean), and its Record-Route
 * secrets. The version's other sets belong to the proxies that route them. A version the proxy could not run is
 * refused whole, naming the reason: a row the reader refuses (e.g. an invalid URI, with its line), no destination in
 * the route set, a destination the engine cannot forward to, a secret shorter than 32 bytes, or no secret at all
 * where the proxy has none of its own and does not listen on loopback only. Immutable; any thread.
 *
 * @param version         the version's number
 * @param destinations    the route set, one per address (the first row of an address wins), in list order
 * @param states          initial states from the rows' flags, by destination id
 * @param secret          the version's Record-Route passphrase, or null for the proxy's own
 * @param previousSecret  the passphrase still accepted, or null
 * @param warnings        attributes kept but not understood
 * @param otherSets       the version's other set ids, left to other proxies
 */
record RoutingFromVersion(
        long version,
        List<Destination> destinations,
        Map<String, DestinationState> states,
        String secret,
        String previousSecret,
        List<String> warnings,
        List<Integer> otherSets) {

    /**
     * {@link #read(ConfigVersion, ProxyOptions)} for the proxy that runs with {@code o}: also refuses a destination
     * whose {@code socket=} is none of its UDP listen addresses (a version checked elsewhere, e.g. by
     * {@code config push}, is read without this).
     *
     * @throws ConfigRefusedException saying why this proxy cannot run the version
     */
    static RoutingFromVersion readForThisProxy(ConfigVersion v, ProxyOptions o) throws ConfigRefusedException {
        RoutingFromVersion r = read(v, o);
        for (Destination d : r.destinations()) {
            try {
                o.requireListenSocket(d);
            } catch (IllegalArgumentException e) {
                throw new ConfigRefusedException("version " + v.number() + ": " + e.getMessage(), e);
            }
        }
        return r;
    }

    /**
     * Reads {@code v} for a proxy with options {@code o}.
     *
     * @throws ConfigRefusedException saying why the proxy cannot run this version
     */
    static RoutingFromVersion read(ConfigVersion v, ProxyOptions o) throws ConfigRefusedException {
        return read(v, o, o.routeSet);
    }

    /**
     * Reads {@code v} for a proxy with options {@code o} that routes set {@code routeSet}.
     *
     * @throws ConfigRefusedException saying why such a proxy cannot run this version
     */
    static RoutingFromVersion read(ConfigVersion v, ProxyOptions o, int routeSet) throws ConfigRefusedException {
        DispatcherListReader.Result r;
        try {
            r = DispatcherListReader.read(new StringReader(v.content().dispatcherList()), Algorithm.ROUND_ROBIN);
        } catch (DispatcherListException e) {
            throw new ConfigRefusedException("version " + v.number() + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new ConfigRefusedException("version " + v.number() + ": unreadable rows: " + e.getMessage(), e);
        }
        DestinationSetConfig set = r.config().sets().get(routeSet);
        if (set == null || set.destinations().isEmpty()) {
            throw new ConfigRefusedException("version " + v.number() + " has no destination in set " + routeSet
                    + ", the set this proxy routes (--route-set)");
        }
        Map<String, Destination> byAddress = new LinkedHashMap<>();
        Map<String, DestinationState> states = new LinkedHashMap<>();
        for (Destination d : set.destinations()) {
            try {
                ProxyConfig.requireForwardable(d);
            } catch (IllegalArgumentException e) {
                throw new ConfigRefusedException(
                        "version " + v.number() + ": destination " + d.uri() + ": " + e.getMessage(), e);
            }
            if (byAddress.putIfAbsent(ProxyOptions.addressKey(d), d) == null) {
                states.put(d.id(), r.rowState(routeSet, d.id()));
            }
        }
        String secret = v.content().recordRouteSecret();
        String previous = v.content().previousRecordRouteSecret();
        for (String s : new String[] {secret, previous}) {
            if (s != null && s.getBytes(StandardCharsets.UTF_8).length < ProxyOptions.MIN_SECRET_BYTES) {
                throw new ConfigRefusedException("version " + v.number() + ": a Record-Route passphrase of at least "
                        + ProxyOptions.MIN_SECRET_BYTES + " bytes is required");
            }
        }
        if (secret == null && o.secret == null && !o.listensOnLoopbackOnly()) {
            throw new ConfigRefusedException("version " + v.number() + " has no Record-Route secret and this proxy"
                    + " has none of its own (--record-route-secret-file): listening on " + o.listen
                    + ", a random key would break every dialog another proxy shares");
        }
        return new RoutingFromVersion(
                v.number(),
                List.copyOf(byAddress.values()),
                Map.copyOf(states),
                secret,
                previous,
                r.warnings(),
                ProxyOptions.otherSets(r, routeSet));
    }

    /** The line to log once for this version if it has sets of other proxies, or null. */
    String otherSetsNote(int routeSet) {
        return ProxyOptions.otherSetsNote("configuration version " + version, otherSets, routeSet);
    }

    /**
     * Makes {@code o} describe this version as if its list and secret files had been given: backends, their
     * settings and states, the secrets (when the version has them). The thread that starts the proxy, before it
     * builds anything from {@code o}.
     */
    void applyTo(ProxyOptions o) {
        o.backends.clear();
        o.listed.clear();
        o.listedStates.clear();
        for (Destination d : destinations) {
            String key = ProxyOptions.addressKey(d);
            o.backends.add(Destination.of(key, key));
            o.listed.put(key, d);
        }
        o.listedStates.putAll(states);
        if (secret != null) {
            String source = "configuration version " + version;
            o.secret = new Secret(secret, source, Secret.Origin.COMMAND_LINE);
            o.previousSecret =
                    previousSecret == null ? null : new Secret(previousSecret, source, Secret.Origin.COMMAND_LINE);
        }
    }
}
