package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.engine.RecordRouteKeys;
import org.sipha.galera.config.ConfigContent;
import org.sipha.galera.config.ConfigRefusedException;
import org.sipha.galera.config.ConfigVersion;
import org.sipha.galera.config.DispatcherListText;

/** How the proxy reads a configuration version, and what makes it refuse one, without a cluster. */
class RoutingFromVersionTest {
    private static final String SECRET = "a passphrase of at least thirty-two bytes, one";

    private static ConfigVersion version(String list, String secret) {
        return new ConfigVersion(
                7, Instant.now(), "t", "", 0, new ConfigContent(DispatcherListText.parse(list), secret, null));
    }

    private static ProxyOptions options(String... args) {
        return ProxyOptions.parse(args, Map.of());
    }

    @Test
    void setOneIsReadWithTheDispatchersOwnParserOneDestinationPerAddress() throws Exception {
        RoutingFromVersion r = RoutingFromVersion.read(
                version(
                        "1 sip:127.0.0.1:5081 0 10 duid=a;weight=50\n"
                                + "1 sip:127.0.0.1:5082 1 0 duid=b\n"
                                + "1 sip:127.0.0.1:5081 0 0 duid=a2\n"
                                + "2 sip:127.0.0.1:5090\n",
                        SECRET),
                options());
        assertEquals(2, r.destinations().size(), "set 1, the repeated address once");
        assertEquals(50, r.destinations().get(0).weight());
        assertEquals(10, r.destinations().get(0).priority());
        assertEquals(DestinationState.INACTIVE, r.states().get("b"), "flag 1");
        assertEquals(SECRET, r.secret());
    }

    @Test
    void aProxyRoutingSetTwoTakesSetTwoOfAVersionAndRefusesOneWithoutIt() throws Exception {
        ConfigVersion shared = version(
                "1 sip:127.0.0.1:5081 0 10\n1 sip:127.0.0.1:5082 0 10\n1 sip:127.0.0.1:5091 0 5\n"
                        + "2 sip:127.0.0.1:5091 0 10\n2 sip:127.0.0.1:5081 4 5\n",
                SECRET);
        RoutingFromVersion r = RoutingFromVersion.read(shared, options("--route-set", "2"));
        assertEquals(
                List.of("sip:127.0.0.1:5091", "sip:127.0.0.1:5081"),
                r.destinations().stream().map(d -> d.uri()).toList());
        assertEquals(10, r.destinations().get(0).priority());
        assertEquals(DestinationState.DISABLED, r.states().get("sip:127.0.0.1:5081"), "flag 4");
        assertEquals(List.of(1), r.otherSets());
        assertTrue(r.otherSetsNote(2).contains("set(s) [1]"), r.otherSetsNote(2));
        ProxyOptions two = options("--route-set", "2");
        r.applyTo(two);
        assertEquals(2, ReferenceProxy.routingTable(two).table().set(2).size());
        RoutingFromVersion one = RoutingFromVersion.read(shared, options());
        assertEquals(3, one.destinations().size(), "set 1");
        assertEquals(
                DestinationState.ACTIVE,
                one.states().get("sip:127.0.0.1:5081"),
                "set 2's flag on its row of the same PBX does not reach the proxy routing set 1");

        String why = assertThrows(
                        ConfigRefusedException.class,
                        () -> RoutingFromVersion.read(shared, options("--route-set", "3")))
                .getMessage();
        assertTrue(why.contains("set 3") && why.contains("--route-set"), why);
        why = assertThrows(
                        ConfigRefusedException.class,
                        () -> RoutingFromVersion.read(
                                version("1 sip:127.0.0.1:5081\n2 sip:127.0.0.1:5082 0 0 weight=x\n", SECRET),
                                options()))
                .getMessage();
        assertTrue(why.contains("line 2"), "a bad row of another set refuses the version too: " + why);
    }

    @Test
    void aVersionTheProxyCouldNotRunIsRefusedSayingWhy() {
        String why = assertThrows(
                        ConfigRefusedException.class,
                        () -> RoutingFromVersion.read(
                                version("1 sip:127.0.0.1:5081\n1 http://127.0.0.1:5082\n", SECRET), options()))
                .getMessage();
        assertTrue(why.contains("line 2") && why.contains("http://127.0.0.1:5082"), why);
        why = assertThrows(
                        ConfigRefusedException.class,
                        () -> RoutingFromVersion.read(version("2 sip:127.0.0.1:5081\n", SECRET), options()))
                .getMessage();
        assertTrue(why.contains("set 1"), why);
        assertThrows(
                ConfigRefusedException.class,
                () -> RoutingFromVersion.read(version("1 sip:pbx.example.org:5081\n", SECRET), options()),
                "a host name: the engine forwards to IP literals");
        assertThrows(
                ConfigRefusedException.class,
                () -> RoutingFromVersion.read(version("1 sip:127.0.0.1:5081\n", "too short"), options()));
        ProxyOptions wide = options(
                "--listen", "udp:192.0.2.1:5060", "--config-from-galera", "/tmp/x", "--galera-node", "127.0.0.1:3306");
        why = assertThrows(
                        ConfigRefusedException.class,
                        () -> RoutingFromVersion.read(version("1 sip:127.0.0.1:5081\n", null), wide))
                .getMessage();
        assertTrue(why.contains("no Record-Route secret"), why);
    }

    @Test
    void theKeyIdAVersionShowsIsTheOneTheEngineSignsWith() {
        assertEquals(RecordRouteKeys.fromSecrets(SECRET, null).currentKeyId(), ConfigContent.keyId(SECRET));
    }

    @Test
    void aProxyOptionWithoutConfigFromGaleraOrAConfigCommandWithoutNodesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> options("--config-poll-ms", "100"));
        assertThrows(IllegalArgumentException.class, () -> options("--config-from-galera", "/tmp/x"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, ConfigCommand.run(new String[] {"list"}, Map.of(), o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--galera-node"), err.toString());
        assertEquals(2, ConfigCommand.run(new String[] {"frobnicate", "--galera-node", "127.0.0.1:1"}, Map.of(), o, e));
        assertEquals(2, ConfigCommand.run(new String[] {}, Map.of(), o, e), "usage");
    }
}
