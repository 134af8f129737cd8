package org.sipha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoint's HTTP layer on 127.0.0.1:18080-18081 over real sockets, against a node of the test's own making:
 * routes, readiness before and after the node attaches, the token rule, the loopback Host and same-origin checks,
 * and the request bounds. The endpoint with the real proxy behind it is tested in examples.
 */
class AdminServerTest {
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 18080);
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private AdminMetrics metrics;
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    private final NodeView view = new NodeView() {
        @Override
        public Readiness readiness() {
            return new Readiness(true, "taking calls");
        }

        @Override
        public NodeStatus status() {
            DestinationStatus d = new DestinationStatus(
                    "pbx<1>",
                    "sip:127.0.0.1:5081",
                    1,
                    0,
                    "inactive",
                    "enabled",
                    false,
                    2,
                    7,
                    1.5,
                    3,
                    Double.NaN,
                    Double.NaN,
                    new StateChange(0, "pbx<1>", "active", "inactive", "PROBE_TIMEOUT"));
            return new NodeStatus(
                    "udp:127.0.0.1:5060",
                    readiness(),
                    false,
                    1,
                    "dispatcher.list",
                    5,
                    2,
                    null,
                    new NodeStatus.Quorum(true, "current state", false),
                    List.of(new SetStatus("1", "round-robin", false, List.of(d))),
                    List.of());
        }
    };

    private final NodeActions actions = new NodeActions() {
        @Override
        public ActionResult destination(String destinationId, DestinationCommand command) {
            calls.add(command + " " + destinationId);
            return ActionResult.done(command + " " + destinationId);
        }

        @Override
        public ActionResult drainNode() {
            calls.add("drain");
            return new ActionResult(202, "draining", true, List.of());
        }

        @Override
        public ActionResult reload(boolean dryRun) {
            calls.add("reload dryRun=" + dryRun);
            return new ActionResult(200, "would add one", false, List.of("ADDED set 1 destination pbx3"));
        }
    };

    private AdminServer start(String token) {
        metrics = new AdminMetrics();
        server = AdminServer.start(ADDRESS, token, metrics);
        return server;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:18080" + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:18080" + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesLivenessAndMetricsAtOnceAndTheNodeOnceAttached() throws Exception {
        start(null);
        Gauge.builder("sipha.test.latency", () -> 0.25)
                .baseUnit("seconds")
                .tag("quantile", "0.99")
                .register(metrics.registry());
        assertEquals(200, get("/live").statusCode());
        HttpResponse<String> ready = get("/ready");
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains("starting"), ready.body());
        assertEquals(503, get("/status").statusCode());
        assertEquals(503, post("/node/drain").statusCode(), "no actions before the node runs");

        HttpResponse<String> m = get("/metrics");
        assertEquals(200, m.statusCode());
        assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertTrue(m.body().contains("jvm_memory_used_bytes"), "JVM binders");
        assertTrue(m.body().contains("sipha_test_latency_seconds{quantile=\"0.99\"} 0.25"), m.body());

        server.attach(view, actions);
        assertEquals(200, get("/ready").statusCode());
        HttpResponse<String> status = get("/status");
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"status\":\"down\""), status.body());
        assertTrue(status.body().contains("\"id\":\"pbx\\u003c1\\u003e\""), "escaped for HTML: " + status.body());
        assertTrue(status.body().contains("\"trafficP50Ms\":null"), status.body());
        assertTrue(get("/destinations").body().startsWith("{\"configVersion\":1"));
        HttpResponse<String> page = get("/");
        assertTrue(page.body().contains("<title>sip-ha status</title>"));
        assertTrue(
                page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
        assertEquals(404, get("/nothing").statusCode());
    }

    @Test
    void actionsReachTheNodeWithTheirArguments() throws Exception {
        start(null).attach(view, actions);
        HttpResponse<String> r = post("/destinations/sip%3A127.0.0.1%3A5081%3Btransport%3Dtcp/disable");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(202, post("/node/drain").statusCode());
        HttpResponse<String> dry = post("/reload?dry-run=true");
        assertTrue(dry.body().contains("\"dryRun\":true"), dry.body());
        assertTrue(dry.body().contains("\"changes\":[\"ADDED set 1 destination pbx3\"]"), dry.body());
        post("/reload");
        assertEquals(
                List.of(
                        "DISABLE sip:127.0.0.1:5081;transport=tcp",
                        "drain",
                        "reload dryRun=true",
                        "reload dryRun=false"),
                calls);
        assertEquals(404, post("/destinations/x/reboot").statusCode());
        assertEquals(404, post("/destinations//drain").statusCode());
    }

    @Test
    void withATokenActionsNeedItAndReadsDoNot() throws Exception {
        start("s3cret-token").attach(view, actions);
        HttpResponse<String> none = post("/node/drain");
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertEquals(
                401, post("/node/drain", "Authorization", "Bearer s3cret-tokem").statusCode());
        assertEquals(
                401,
                post("/node/drain", "Authorization", "Basic czNjcmV0LXRva2Vu").statusCode());
        assertEquals(List.of(), calls);
        assertEquals(
                202, post("/node/drain", "Authorization", "Bearer s3cret-token").statusCode());
        assertEquals(List.of("drain"), calls);
        assertEquals(200, get("/status").statusCode());
    }

    @Test
    void anAddressOffLoopbackNeedsAToken() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AdminServer.start(new InetSocketAddress("0.0.0.0", 18081), null, new AdminMetrics()));
        assertTrue(e.getMessage().contains("token"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> AdminServer.requireTokenOffLoopback(new InetSocketAddress("192.0.2.1", 8080), " "));
        AdminServer.requireTokenOffLoopback(new InetSocketAddress("::1", 8080), null);
    }

    @Test
    void refusesForeignHostsOtherOriginsAndLargeBodies() throws Exception {
        start(null).attach(view, actions);
        assertTrue(raw("GET /status HTTP/1.1\r\nHost: attacker.example:18080\r\n\r\n")
                .startsWith("HTTP/1.1 421"));
        assertTrue(raw("GET /status HTTP/1.1\r\nHost: localhost:18080\r\nConnection: close\r\n\r\n")
                .startsWith("HTTP/1.1 200"));
        assertEquals(
                403,
                post("/node/drain", "Origin", "http://attacker.example").statusCode(),
                "a page elsewhere must not drive the node through the operator's browser");
        assertEquals(List.of(), calls);
        HttpResponse<String> big = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:18080/reload"))
                        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(AdminServer.MAX_BODY_BYTES + 1)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, big.statusCode());
        assertEquals(
                405,
                client.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:18080/status"))
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
    }

    private static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", 18080)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            int n = in.read(buf);
            return new String(buf, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
        }
    }
}
