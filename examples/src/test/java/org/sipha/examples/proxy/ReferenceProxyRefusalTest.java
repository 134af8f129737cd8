package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reference proxy as a process: configurations that would break every dialog on a restart are refused at
 * start with exit status 2 and a message naming the option. Nothing is bound: the refusal comes first.
 */
class ReferenceProxyRefusalTest {
    private static final String BACKEND = "sip:127.0.0.1:15997";

    private record Exit(int status, String stderr) {}

    private static Exit run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ReferenceProxy.class.getName()));
        cmd.addAll(List.of(args));
        Path stderr = Files.createTempFile("sipha-refusal", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SIPHA_"));
        Process p = pb.start();
        try {
            boolean exited = p.waitFor(30, TimeUnit.SECONDS);
            String err = Files.readString(stderr, StandardCharsets.UTF_8);
            assertTrue(exited, "the proxy did not exit: " + err);
            return new Exit(p.exitValue(), err);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(stderr);
        }
    }

    @Test
    void refusesAPublicListenAddressWithoutASharedSecret() throws Exception {
        // 192.0.2.1 (TEST-NET) is no address of this host: should the refusal ever fail, binding fails too
        Exit e = run("--listen", "udp:192.0.2.1:15996", "--backend", BACKEND, "--warmup-calls", "0");
        assertEquals(2, e.status(), e.stderr());
        assertTrue(e.stderr().contains("sip-ha-proxy: --record-route-secret-file:"), e.stderr());
    }

    @Test
    void refusesAShortPassphrase() throws Exception {
        Exit e = run(
                "--record-route-secret",
                "only thirty-one bytes long.....",
                "--listen",
                "udp:127.0.0.1:15996",
                "--backend",
                BACKEND,
                "--warmup-calls",
                "0");
        assertEquals(2, e.status(), e.stderr());
        assertTrue(e.stderr().contains("sip-ha-proxy: --record-route-secret:"), e.stderr());
    }
}
