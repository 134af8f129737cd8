package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.testsupport.RequiredTool;

/**
 * The reference proxy as a process and its admin endpoint: off loopback without a token it refuses to start (exit
 * 2, nothing bound); the start-up log names the endpoint's URL; SIGHUP reloads the destination list. Ports:
 * 127.0.0.1:15437 (SIP, no backend is contacted: health checking is off) and 127.0.0.1:18084 (HTTP).
 */
class AdminProcessTest {
    private static final String ADMIN = "http://127.0.0.1:18084/";
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    private Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ReferenceProxy.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SIPHA_"));
        return pb.start();
    }

    @Test
    void refusesAnAdminEndpointOffLoopbackWithoutAToken() throws Exception {
        Path log = dir.resolve("refused.log");
        Process p = start(
                log,
                "--listen",
                "udp:127.0.0.1:15437",
                "--backend",
                "sip:127.0.0.1:15438",
                "--warmup-calls",
                "0",
                "--admin-listen",
                "0.0.0.0:18085");
        try {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the proxy did not exit");
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.contains("sip-ha-proxy: --admin-listen:") && out.contains("token"), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void logsTheEndpointsUrlAndReloadsOnSighup() throws Exception {
        RequiredTool.require("kill", "procps");
        Path list = dir.resolve("dispatcher.list");
        Files.writeString(list, "1 sip:127.0.0.1:15438 0 0 duid=a\n1 sip:127.0.0.1:15439 0 0 duid=b\n");
        Path log = dir.resolve("proxy.log");
        Process p = start(
                log,
                "--listen",
                "udp:127.0.0.1:15437",
                "--dispatcher-list",
                list.toString(),
                "--no-health",
                "--warmup-calls",
                "0",
                "--admin-listen",
                "127.0.0.1:18084");
        try {
            AdminProxyFixture.await(() -> status(p).contains("\"configVersion\":1"), 30_000, "never served /status");
            assertTrue(Files.readString(log).contains("admin endpoint on " + ADMIN), Files.readString(log));

            Files.writeString(list, "1 sip:127.0.0.1:15438 0 0 duid=a\n1 sip:127.0.0.1:15429 0 0 duid=c\n");
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
            assertEquals(0, kill.waitFor());
            AdminProxyFixture.await(
                    () -> status(p).contains("\"configVersion\":2"), 10_000, "SIGHUP did not reload: " + status(p));
            String s = status(p);
            assertTrue(s.contains("\"id\":\"c\"") && !s.contains("\"id\":\"b\""), s);

            p.destroy(); // SIGTERM: a clean stop
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }

    private String status(Process p) {
        if (!p.isAlive()) {
            throw new AssertionError("the proxy exited with " + p.exitValue());
        }
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(ADMIN + "status"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
