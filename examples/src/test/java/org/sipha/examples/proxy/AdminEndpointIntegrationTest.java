package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.examples.proxy.AdminProxyFixture.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.core.model.DestinationState;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * The admin endpoint in front of the real reference proxy wiring, with real SIPp backends and callers on
 * 127.0.0.1:15410-15435 and the endpoint on 127.0.0.1:18082: metrics move with calls, a disabled destination gets
 * no new calls, a drained one finishes its calls, a reload adds and removes a destination under load without a
 * failed call, an invalid reload changes nothing, and actions need the token when one is set.
 */
class AdminEndpointIntegrationTest {
    private static final String PROXY = "127.0.0.1:15410";
    private static final String A = "1 sip:127.0.0.1:15411 0 0 duid=a\n";
    private static final String B = "1 sip:127.0.0.1:15412 0 0 duid=b\n";
    private static final String C = "1 sip:127.0.0.1:15413 0 0 duid=c\n";
    private static final String ADMIN = "127.0.0.1:18082";

    @TempDir
    Path dir;

    private final SippProcesses sipp = new SippProcesses();
    private AdminProxyFixture proxy;

    @BeforeAll
    static void requireSipp() {
        SippProcess.requireSipp();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        sipp.close();
    }

    private Path list(String content) throws IOException {
        Path f = dir.resolve("dispatcher.list");
        Files.writeString(f, content);
        return f;
    }

    /** Backends a and b; SIPp takes its media port and the two above it, hence the spacing. */
    static void backends(SippProcesses sipp, String scenario) throws IOException {
        sipp.start(SippProcess.uas(scenario, 15411, 15421, 15424).answerOptions());
        sipp.start(SippProcess.uas(scenario, 15412, 15422, 15427).answerOptions());
    }

    private void backends(String scenario) throws IOException {
        backends(sipp, scenario);
    }

    private AdminProxyFixture proxy(Path list, String... extra) throws Exception {
        String[] base = {
            "--listen",
            "udp:" + PROXY,
            "--dispatcher-list",
            list.toString(),
            "--probe-interval-ms",
            "300",
            "--probe-timeout-ms",
            "250",
            "--warmup-calls",
            "0",
            "--admin-listen",
            ADMIN
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        proxy = AdminProxyFixture.start(args);
        await(() -> ready(proxy), 10_000, "the proxy never became ready");
        return proxy;
    }

    private static boolean ready(AdminProxyFixture p) {
        try {
            return p.get("/ready").statusCode() == 200;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static SippProcess.Builder caller(int calls, int rate) {
        return SippProcess.uac("uac_call.xml", PROXY, 15414, 15415, 15433)
                .calls(calls)
                .rate(rate)
                .recvTimeoutMs(10_000);
    }

    private double forwarded(String id) throws Exception {
        return proxy.metric("sipha_destination_forwarded_total{destination=\"" + id + "\"}");
    }

    @Test
    void metricValuesMoveWithRealCalls() throws Exception {
        backends("uas_answer.xml");
        proxy(list(A + B));
        assertEquals(0, proxy.metric("sipha_requests_total{method=\"INVITE\"}"));

        assertEquals(0, caller(20, 20).run(60_000), "UAC failed; see " + SippProcess.DEFAULT_WORK_DIR);

        String scrape = proxy.get("/metrics").body();
        assertTrue(AdminProxyFixture.value(scrape, "sipha_requests_total{method=\"INVITE\"}") >= 20, scrape);
        assertTrue(AdminProxyFixture.value(scrape, "sipha_requests_total{method=\"BYE\"}") >= 20, scrape);
        assertTrue(
                AdminProxyFixture.value(scrape, "sipha_responses_sent_total{class=\"2xx\"}") >= 40,
                "200 to INVITE and BYE");
        double a = AdminProxyFixture.value(scrape, "sipha_destination_forwarded_total{destination=\"a\"}");
        double b = AdminProxyFixture.value(scrape, "sipha_destination_forwarded_total{destination=\"b\"}");
        assertEquals(20, a + b, scrape);
        assertTrue(a > 0 && b > 0, "round robin over both: " + a + " " + b);
        assertEquals(
                20,
                AdminProxyFixture.value(scrape, "sipha_destination_responses_total{class=\"2xx\",destination=\"a\"}")
                        + AdminProxyFixture.value(
                                scrape, "sipha_destination_responses_total{class=\"2xx\",destination=\"b\"}"));
        assertEquals(1, AdminProxyFixture.value(scrape, "sipha_destination_state{destination=\"a\",state=\"active\"}"));
        assertEquals(1, AdminProxyFixture.value(scrape, "sipha_health_healthy{destination=\"b\"}"));
        assertTrue(
                AdminProxyFixture.value(
                                scrape, "sipha_health_probe_latency_seconds{destination=\"a\",quantile=\"0.5\"}")
                        > 0,
                "probe latency from the HdrHistogram");
        assertTrue(
                AdminProxyFixture.value(
                                scrape, "sipha_health_traffic_latency_seconds{destination=\"b\",quantile=\"0.99\"}")
                        > 0,
                "traffic latency");
        assertEquals(0, AdminProxyFixture.value(scrape, "sipha_calls_in_flight"));
        assertEquals(0, AdminProxyFixture.value(scrape, "sipha_drops_total{reason=\"loop\"}"));
        assertEquals(0, AdminProxyFixture.value(scrape, "sipha_failovers_total{reason=\"timeout\"}"));
        assertEquals(0, AdminProxyFixture.value(scrape, "sipha_health_panic{set=\"1\"}"));
        assertTrue(scrape.contains("jvm_memory_used_bytes{"), "JVM metrics");

        String status = proxy.get("/status").body();
        assertTrue(status.contains("\"id\":\"a\"") && status.contains("\"status\":\"up\""), status);
        assertTrue(status.contains("\"configVersion\":1"), status);
    }

    @Test
    void aDisabledDestinationGetsNoNewCallsUntilEnabled() throws Exception {
        backends("uas_answer.xml");
        proxy(list(A + B));
        HttpResponse<String> r = proxy.post("/destinations/b/disable");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(DestinationState.DISABLED, proxy.owner.table().state("b"));
        assertTrue(proxy.get("/destinations").body().contains("\"status\":\"disabled\""));

        assertEquals(0, caller(10, 20).run(60_000), "UAC failed; see " + SippProcess.DEFAULT_WORK_DIR);
        assertEquals(0, forwarded("b"), "no new call for a disabled destination");
        assertEquals(10, forwarded("a"));

        assertEquals(200, proxy.post("/destinations/b/enable").statusCode());
        assertEquals(DestinationState.ACTIVE, proxy.owner.table().state("b"));
        // Back in the table; slow start gives it a growing share of the calls, from a tenth: call until one lands.
        for (int batch = 0; batch < 10 && forwarded("b") == 0; batch++) {
            assertEquals(0, caller(10, 20).run(60_000), "UAC failed; see " + SippProcess.DEFAULT_WORK_DIR);
        }
        assertTrue(forwarded("b") > 0, "enabled again: it takes calls");
        assertEquals(404, proxy.post("/destinations/nobody/disable").statusCode());
    }

    @Test
    void aDrainedDestinationFinishesItsCallsInFlightAndGetsNoNewOnes() throws Exception {
        backends("uas_ring_then_answer.xml"); // each call rings 1.5 s before its 200
        proxy(list(A + B));
        try (SippProcess calls = caller(30, 10).args("-d", "1000").start()) {
            await(() -> metricOrNaN("sipha_destination_forwarded_total{destination=\"b\"}") >= 3, 10_000, "calls on b");
            HttpResponse<String> r = proxy.post("/destinations/b/drain");
            assertEquals(200, r.statusCode(), r.body());
            double forwardedAtDrain = forwarded("b");
            double answeredAtDrain = proxy.metric("sipha_destination_responses_total{class=\"2xx\",destination=\"b\"}");
            assertTrue(forwardedAtDrain > answeredAtDrain, "calls were ringing on b when it was drained");

            assertEquals(0, calls.await(60_000), "a call failed; see " + SippProcess.DEFAULT_WORK_DIR);
            assertEquals(forwardedAtDrain, forwarded("b"), "no new call after the drain");
            assertTrue(
                    proxy.metric("sipha_destination_responses_total{class=\"2xx\",destination=\"b\"}")
                            > answeredAtDrain,
                    "the calls ringing on b at the drain were answered there");
        }
        assertTrue(proxy.get("/status").body().contains("\"admin\":\"draining\""));
    }

    @Test
    void aReloadAddsAndRemovesADestinationUnderLoadWithoutAFailedCall() throws Exception {
        backends("uas_answer.xml");
        sipp.start(SippProcess.uas("uas_answer.xml", 15413, 15423, 15430).answerOptions());
        Path file = list(A + B);
        proxy(file);
        try (SippProcess calls = caller(150, 30).start()) {
            await(() -> metricOrNaN("sipha_destination_forwarded_total{destination=\"b\"}") >= 5, 10_000, "calls");
            Files.writeString(file, A + C);
            HttpResponse<String> dry = proxy.post("/reload?dry-run=true");
            assertEquals(200, dry.statusCode(), dry.body());
            assertTrue(dry.body().contains("\"applied\":false"), dry.body());
            assertTrue(dry.body().contains("ADDED set 1 destination c"), dry.body());
            assertTrue(dry.body().contains("REMOVED set 1 destination b"), dry.body());
            assertTrue(proxy.owner.table().entry("b") != null, "a dry run applies nothing");

            HttpResponse<String> applied = proxy.post("/reload");
            assertEquals(200, applied.statusCode(), applied.body());
            assertTrue(applied.body().contains("\"applied\":true"), applied.body());
            assertTrue(proxy.owner.table().entry("b") == null
                    && proxy.owner.table().entry("c") != null);

            assertEquals(0, calls.await(60_000), "a call failed; see " + SippProcess.DEFAULT_WORK_DIR);
        }
        assertTrue(forwarded("c") > 0, "the added destination took calls");
        assertTrue(Double.isNaN(forwarded("b")), "the removed destination's meters are gone");
        assertEquals(1, proxy.metric("sipha_health_healthy{destination=\"c\"}"), "health checks the added one");
        String status = proxy.get("/status").body();
        assertTrue(status.contains("\"configVersion\":2"), status);
        assertFalse(status.contains("\"id\":\"b\""), status);
    }

    @Test
    void anInvalidReloadChangesNothingAndSaysWhy() throws Exception {
        backends("uas_answer.xml");
        Path file = list(A + B);
        proxy(file);
        long tableVersion = proxy.owner.table().version();
        String before = proxy.get("/destinations").body();

        Files.writeString(file, "2 sip:127.0.0.1:15413 0 0 duid=c\n");
        HttpResponse<String> noSet = proxy.post("/reload");
        assertEquals(400, noSet.statusCode(), noSet.body());
        assertTrue(noSet.body().contains("has no set 1"), noSet.body());

        Files.writeString(file, A + "1 this-is-no-uri x\n");
        for (String path : new String[] {"/reload?dry-run=true", "/reload"}) {
            HttpResponse<String> r = proxy.post(path);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("invalid, nothing changed"), r.body());
            assertTrue(r.body().contains("\"applied\":false"), r.body());
        }
        assertEquals(tableVersion, proxy.owner.table().version(), "the routing table was not touched");
        assertEquals(before, proxy.get("/destinations").body());
        assertTrue(proxy.get("/status").body().contains("\"configVersion\":1"));
        assertEquals(0, caller(4, 10).run(60_000), "still routing; see " + SippProcess.DEFAULT_WORK_DIR);
    }

    @Test
    void actionsNeedTheTokenOnceOneIsSetAndADrainedNodeIsNotReady() throws Exception {
        backends("uas_answer.xml");
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "a-token-of-more-than-16-chars\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        proxy(list(A + B), "--admin-token-file", token.toString());

        assertEquals(401, proxy.post("/node/drain").statusCode());
        assertEquals(
                401,
                proxy.post("/node/drain", "Authorization", "Bearer a-token-of-more-than-16-charz")
                        .statusCode());
        assertEquals(200, proxy.get("/ready").statusCode(), "nothing was drained");
        assertEquals(200, proxy.get("/status").statusCode(), "reading needs no token");

        HttpResponse<String> r = proxy.post("/node/drain", "Authorization", "Bearer a-token-of-more-than-16-chars");
        assertEquals(200, r.statusCode(), r.body());
        HttpResponse<String> ready = proxy.get("/ready");
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains("draining"), ready.body());
        assertEquals(
                0,
                SippProcess.uac("uac_expect_503.xml", PROXY, 15414, 15415, 15433)
                        .calls(1)
                        .run(30_000),
                "a new call gets 503 once the node drains; see " + SippProcess.DEFAULT_WORK_DIR);
    }

    private double metricOrNaN(String series) {
        try {
            return proxy.metric(series);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }
}
