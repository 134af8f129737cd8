package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.core.model.DestinationState;
import org.sipha.core.model.Transport;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationEntry;
import org.sipha.dispatcher.RoutingTableOwner;
import org.sipha.dispatcher.engine.IoTransport;
import org.sipha.dispatcher.engine.ProxyConfig;

class ProxyOptionsTest {
    @TempDir
    Path dir;

    @Test
    void commandLineOverridesTheYamlFile() throws Exception {
        Path yaml = dir.resolve("proxy.yaml");
        Files.writeString(yaml, """
            listen: [ "udp:127.0.0.1:15060" ]
            backend: [ "sip:127.0.0.1:15081", "sip:127.0.0.1:15082" ]
            record-route-secret: "from yaml, long enough to be a passphrase"
            failover-timeout-ms: 1500
            failover-codes: [ 503, 480 ]
            allow: [ "192.0.2.0/24" ]
            """);
        ProxyOptions o = ProxyOptions.parse(new String[] {
            "--config", yaml.toString(), "--backend", "sip:127.0.0.1:15083", "--failover-timeout-ms", "900"
        });
        assertEquals(List.of("udp:127.0.0.1:15060"), o.listen);
        assertEquals(1, o.backends.size());
        assertEquals(15083, o.backends.get(0).port());
        assertEquals(900, o.failoverTimeoutMs);
        ProxyConfig c = ReferenceProxy.config(o);
        assertEquals(Set.of(503, 480), c.failoverCodes());
        assertEquals("127.0.0.1", c.advertisedHost());
        assertEquals(15060, c.advertisedPort());
    }

    @Test
    void mapsAlgorithmNamesToTheDispatchersAlgorithms() {
        assertEquals(Algorithm.ROUND_ROBIN, ReferenceProxy.algorithm("round-robin"));
        assertEquals(Algorithm.ROUND_ROBIN, ReferenceProxy.algorithm("4"));
        assertEquals(Algorithm.LEAST_CALLS, ReferenceProxy.algorithm("least-calls"));
        assertEquals(Algorithm.CONSISTENT_HASH, ReferenceProxy.algorithm("consistent-hash"));
    }

    @Test
    void picksTheSocketLayer() throws Exception {
        String[] backend = {"--backend", "sip:127.0.0.1:5081"};
        assertEquals(
                IoTransport.AUTO,
                ReferenceProxy.config(ProxyOptions.parse(backend)).transport());
        assertEquals(
                IoTransport.NIO,
                ReferenceProxy.config(ProxyOptions.parse(
                                new String[] {"--transport", "nio", "--backend", "sip:127.0.0.1:5081"}))
                        .transport());
        assertEquals(
                IoTransport.NIO,
                ReferenceProxy.config(ProxyOptions.parse(new String[] {"--nio", "--backend", "sip:127.0.0.1:5081"}))
                        .transport());
        Path yaml = dir.resolve("epoll.yaml");
        Files.writeString(yaml, "transport: epoll\n");
        assertEquals(
                IoTransport.EPOLL,
                ReferenceProxy.config(ProxyOptions.parse(
                                new String[] {"--config", yaml.toString(), "--backend", "sip:127.0.0.1:5081"}))
                        .transport());
    }

    @Test
    void mapsTheTcpBoundsWithTheEnginesDefaults() throws Exception {
        String[] backend = {"--backend", "sip:127.0.0.1:5081"};
        ProxyConfig d = ReferenceProxy.config(ProxyOptions.parse(backend));
        ProxyConfig engine = ProxyConfig.builder()
                .listenUdp(new java.net.InetSocketAddress("127.0.0.1", 5060))
                .destinations(List.of(ProxyOptions.backend("sip:127.0.0.1:5081")))
                .recordRouteSecret("0123456789abcdef")
                .build();
        assertEquals(engine.tcpMaxConnections(), d.tcpMaxConnections());
        assertEquals(engine.tcpMaxConnectionsPerSource(), d.tcpMaxConnectionsPerSource());
        assertEquals(engine.tcpIdleTimeoutMs(), d.tcpIdleTimeoutMs());
        assertEquals(engine.tcpMessageTimeoutMs(), d.tcpMessageTimeoutMs());
        assertEquals(engine.tcpMaxWriteBufferBytes(), d.tcpMaxWriteBufferBytes());
        assertEquals(engine.tcpMaxMessageBytes(), d.tcpMaxMessageBytes());
        Path yaml = dir.resolve("tcp.yaml");
        Files.writeString(yaml, """
            tcp-max-connections: 2000
            tcp-max-connections-per-source: 20
            tcp-idle-timeout-ms: 0
            tcp-message-timeout-ms: 5000
            tcp-max-write-buffer-bytes: 65536
            tcp-max-message-bytes: 16384
            """);
        ProxyConfig c = ReferenceProxy.config(ProxyOptions.parse(new String[] {
            "--config", yaml.toString(), "--tcp-max-connections-per-source", "30", "--backend", "sip:127.0.0.1:5081"
        }));
        assertEquals(2000, c.tcpMaxConnections());
        assertEquals(30, c.tcpMaxConnectionsPerSource());
        assertEquals(0, c.tcpIdleTimeoutMs());
        assertEquals(5000, c.tcpMessageTimeoutMs());
        assertEquals(65536, c.tcpMaxWriteBufferBytes());
        assertEquals(16384, c.tcpMaxMessageBytes());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ReferenceProxy.config(ProxyOptions.parse(
                        new String[] {"--tcp-message-timeout-ms", "5", "--backend", "sip:127.0.0.1:5081"})));
        assertTrue(e.getMessage().startsWith("tcp-message-timeout-ms"), e.getMessage());
    }

    @Test
    void setsTheCoalescingWindow() throws Exception {
        String[] backend = {"--backend", "sip:127.0.0.1:5081"};
        assertEquals(
                ProxyConfig.DEFAULT_COALESCE_MICROS,
                ReferenceProxy.config(ProxyOptions.parse(backend)).coalesceMicros());
        assertEquals(
                0,
                ReferenceProxy.config(ProxyOptions.parse(
                                new String[] {"--coalesce-us", "0", "--backend", "sip:127.0.0.1:5081"}))
                        .coalesceMicros());
        Path yaml = dir.resolve("coalesce.yaml");
        Files.writeString(yaml, "coalesce-us: 1000\n");
        assertEquals(
                1000,
                ReferenceProxy.config(ProxyOptions.parse(
                                new String[] {"--config", yaml.toString(), "--backend", "sip:127.0.0.1:5081"}))
                        .coalesceMicros());
        ProxyOptions tooLong =
                ProxyOptions.parse(new String[] {"--coalesce-us", "60000", "--backend", "sip:127.0.0.1:5081"});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceProxy.config(tooLong));
        assertTrue(e.getMessage().startsWith("coalesce-us"), e.getMessage());
    }

    @Test
    void listensOnUdpAndTcp() {
        ProxyOptions o = ProxyOptions.parse(new String[] {
            "--listen",
            "udp:127.0.0.1:15060",
            "--listen",
            "tcp:127.0.0.1:15060",
            "--backend",
            "sip:127.0.0.1:15081;transport=tcp"
        });
        ProxyConfig c = ReferenceProxy.config(o);
        assertEquals(1, c.udpListen().size());
        assertEquals(1, c.tcpListen().size());
        assertEquals(Transport.TCP, o.backends.get(0).transport());
    }

    @Test
    void readsAKamailioDispatcherList() throws Exception {
        Path list = dir.resolve("dispatcher.list");
        Files.writeString(list, "# set uri\n1 sip:127.0.0.1:5081\n1 sip:127.0.0.1:5082 0 0\n");
        ProxyOptions o = ProxyOptions.parse(new String[] {"--dispatcher-list", list.toString()});
        assertEquals(2, o.backends.size());
        assertEquals(5082, o.backends.get(1).port());
    }

    @Test
    void keepsTheDispatcherListsWeightsPrioritiesAttributesAndFlags() throws Exception {
        Path list = dir.resolve("weighted.list");
        Files.writeString(
                list,
                "1 sip:127.0.0.1:5081 0 10 duid=pbx1;weight=3;maxload=50\n"
                        + "1 sip:127.0.0.1:5082 1 5 duid=pbx2\n" // flag 1: starts inactive
                        + "2 sip:127.0.0.1:5099\n"); // another set: not routed
        ProxyOptions o =
                ProxyOptions.parse(new String[] {"--dispatcher-list", list.toString(), "--algorithm", "least-calls"});
        assertEquals(2, o.backends.size(), "only set 1 is routed");
        RoutingTableOwner owner = ReferenceProxy.routingTable(o);
        DestinationEntry pbx1 = owner.table().entry("pbx1");
        assertEquals(3, pbx1.destination().weight());
        assertEquals(10, pbx1.destination().priority());
        assertEquals(50, pbx1.maxLoad());
        assertEquals(DestinationState.INACTIVE, owner.table().entry("pbx2").state());

        Path noSet1 = dir.resolve("set2.list");
        Files.writeString(noSet1, "2 sip:127.0.0.1:5099\n");
        assertMessageStarts("--dispatcher-list", "--dispatcher-list", noSet1.toString());
    }

    @Test
    void routesOnlyTheSetNamedByRouteSetWhereverTheOptionIsGiven() throws Exception {
        Path list = dir.resolve("sites.list");
        Files.writeString(
                list,
                "1 sip:127.0.0.1:5081 0 10\n1 sip:127.0.0.1:5091 0 5\n"
                        + "2 sip:127.0.0.1:5091 0 10\n2 sip:127.0.0.1:5092 0 10\n2 sip:127.0.0.1:5081 0 5\n");
        Path yaml = dir.resolve("route-set.yaml");
        Files.writeString(yaml, "route-set: 2\n");
        for (String[] args : List.of(
                new String[] {"--dispatcher-list", list.toString(), "--route-set", "2"},
                new String[] {"--route-set", "2", "--dispatcher-list", list.toString()},
                new String[] {"--config", yaml.toString(), "--dispatcher-list", list.toString()})) {
            ProxyOptions o = ProxyOptions.parse(args);
            assertEquals(2, o.routeSet, List.of(args).toString());
            assertEquals(
                    List.of(5091, 5092, 5081),
                    ReferenceProxy.destinations(o).stream().map(d -> d.port()).toList(),
                    "set 2 only, what health checking probes and the site node counts");
            RoutingTableOwner owner = ReferenceProxy.routingTable(o);
            assertEquals(3, owner.table().set(2).size());
            assertEquals(null, owner.table().set(1), "set 1 belongs to another proxy");
            assertTrue(o.notes.toString().contains("set(s) [1]"), o.notes.toString());
            ReferenceProxy.config(o);
        }
        assertEquals(1, ProxyOptions.parse(new String[] {"--dispatcher-list", list.toString()}).routeSet);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyOptions.parse(new String[] {"--dispatcher-list", list.toString(), "--route-set", "3"}));
        assertTrue(
                e.getMessage().startsWith("--dispatcher-list") && e.getMessage().contains("--route-set"),
                e.getMessage());
        assertMessageStarts("--route-set", "--route-set", "-1");
        assertMessageStarts("--route-set", "--route-set", "two");
    }

    @Test
    void readingTheRouteSetFirstKeepsTheOrderOfTheLayers() throws Exception {
        Path secret = dir.resolve("rr.secret");
        Files.writeString(secret, "the YAML file's passphrase, long enough to be a key\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path yaml = dir.resolve("layers.yaml");
        Files.writeString(yaml, "record-route-secret-file: " + secret + "\nroute-set: 2\n");
        String fromEnv = "the environment's passphrase, long enough to be a key";
        ProxyOptions o = ProxyOptions.parse(
                new String[] {"--config", yaml.toString(), "--route-set", "3"},
                java.util.Map.of(ProxyOptions.SECRET_ENV, fromEnv));
        assertEquals(fromEnv, o.recordRouteSecret(), "the environment overrides the YAML file");
        assertEquals(3, o.routeSet, "the command line overrides the YAML file");
        assertEquals(2, ProxyOptions.parse(new String[] {"--config", yaml.toString()}).routeSet);
    }

    @Test
    void badConfigurationNamesTheOption() throws Exception {
        assertMessageStarts("--backend", "--backend", "sip:pbx.example.com");
        assertMessageStarts("--listen", "--listen", "udp:nohostport");
        assertMessageStarts("--listen", "--listen", "sctp:127.0.0.1:5060");
        assertMessageStarts("--retry-after", "--retry-after", "soon");
        assertMessageStarts("--nonsense", "--nonsense");
        assertMessageStarts("--transport", "--transport", "io_uring");
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "failover-timout-ms: 3\n");
        assertMessageStarts("failover-timout-ms", "--config", yaml.toString());
        ProxyOptions o = ProxyOptions.parse(new String[] {"--backend", "sip:127.0.0.1:5081", "--algorithm", "fastest"});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceProxy.config(o));
        assertTrue(e.getMessage().startsWith("--algorithm"), e.getMessage());
    }

    @Test
    void mapsTheAbuseBoundsFromYamlAndTheCommandLine() throws Exception {
        ProxyConfig defaults =
                ReferenceProxy.config(ProxyOptions.parse(new String[] {"--backend", "sip:127.0.0.1:5081"}));
        assertEquals(200, defaults.newCallsPerSecondPerSource());
        assertEquals(2000, defaults.requestsPerSecondPerSource());
        assertEquals(false, defaults.answerRateLimitedWith503());
        assertEquals(25, defaults.maxCallSharePerSourcePercent());
        assertEquals(64L << 20, defaults.maxCallBytesPerLoop());

        Path yaml = dir.resolve("bounds.yaml");
        Files.writeString(yaml, """
            backend: [ "sip:127.0.0.1:5081" ]
            new-calls-per-source: 50
            new-call-burst-per-source: 70
            requests-per-source: 900
            request-burst-per-source: 1000
            rate-limit-reply: "503"
            calls-per-source-percent: 40
            max-call-bytes-per-loop: 1048576
            """);
        ProxyConfig c = ReferenceProxy.config(
                ProxyOptions.parse(new String[] {"--config", yaml.toString(), "--requests-per-source", "0"}));
        assertEquals(50, c.newCallsPerSecondPerSource());
        assertEquals(70, c.newCallBurstPerSource());
        assertEquals(0, c.requestsPerSecondPerSource(), "the command line turns the request limit off");
        assertEquals(1000, c.requestBurstPerSource());
        assertTrue(c.answerRateLimitedWith503());
        assertEquals(40, c.maxCallSharePerSourcePercent());
        assertEquals(1 << 20, c.maxCallBytesPerLoop());

        assertMessageStarts("--rate-limit-reply", "--rate-limit-reply", "reject");
        ProxyOptions bad =
                ProxyOptions.parse(new String[] {"--backend", "sip:127.0.0.1:5081", "--calls-per-source-percent", "0"});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceProxy.config(bad));
        assertTrue(e.getMessage().startsWith("calls-per-source-percent"), e.getMessage());
    }

    private static void assertMessageStarts(String prefix, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            ProxyOptions o = ProxyOptions.parse(args);
            o.udpListen();
        });
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }
}
