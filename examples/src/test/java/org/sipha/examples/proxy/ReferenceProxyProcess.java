package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reference proxy in a JVM of its own (the test class path, {@link ReferenceProxy#main}), so what it costs the
 * machine is its own: its resident memory is read from {@code /proc}. Output goes to a log file. The test's thread
 * only; {@link #close} kills it.
 */
final class ReferenceProxyProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ReferenceProxyProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java jvmOptions... ReferenceProxy args...}, output to {@code log}. */
    static ReferenceProxyProcess start(List<String> jvmOptions, List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ReferenceProxy.class.getName()));
        cmd.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SIPHA_"));
        return new ReferenceProxyProcess(pb.start(), log);
    }

    /** Waits until the proxy answers an OPTIONS naming it (it is listening), at most {@code timeoutMs}. */
    void awaitAnswering(InetSocketAddress proxy, long timeoutMs) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(proxy.getAddress(), 0))) {
            s.setSoTimeout(200);
            String host = proxy.getAddress().getHostAddress() + ":" + proxy.getPort();
            int local = s.getLocalPort();
            for (int n = 0; System.nanoTime() < deadline; n++) {
                if (!process.isAlive()) {
                    fail("the proxy exited with " + process.exitValue() + ": " + tail());
                }
                byte[] b = ("OPTIONS sip:" + host + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + local
                                + ";branch=z9hG4bK-ready" + n + ";rport\r\nFrom: <sip:t@127.0.0.1>;tag=t\r\n"
                                + "To: <sip:" + host + ">\r\nCall-ID: ready-" + n + "\r\nCSeq: 1 OPTIONS\r\n"
                                + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                s.send(new DatagramPacket(b, b.length, proxy));
                try {
                    s.receive(new DatagramPacket(new byte[2048], 2048));
                    return;
                } catch (SocketTimeoutException e) {
                    Thread.sleep(100);
                }
            }
        }
        fail("the proxy did not answer within " + timeoutMs + " ms: " + tail());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Its resident set size in kB ({@code VmRSS} of {@code /proc/<pid>/status}). */
    long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + process.pid());
    }

    /** The end of its output, for assertion messages. */
    String tail() {
        try {
            String s = Files.readString(log);
            return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
