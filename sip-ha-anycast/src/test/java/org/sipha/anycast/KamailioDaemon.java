package org.sipha.anycast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kamailio started by a test in the foreground ({@code -DD -E}) with its config, binrpc control socket
 * (for {@code kamcmd}) and output in a temp folder. Stopped by pid through its Process handle, its worker
 * processes by pid too. Test-only.
 */
final class KamailioDaemon implements AutoCloseable {
    final Path dir;
    final Path config;
    final Path controlSocket;
    private Process process;

    /** @param routing the config after the module section: at least a {@code request_route} block */
    KamailioDaemon(Path dir, String listen, String dispatcherList, String routing) throws IOException {
        this.dir = dir;
        this.config = dir.resolve("kamailio.cfg");
        this.controlSocket = dir.resolve("kamailio.ctl");
        Path list = dir.resolve("dispatcher.list");
        Files.writeString(list, dispatcherList);
        Files.writeString(
                config,
                "#!KAMAILIO\n"
                        + "debug=2\nlog_stderror=yes\nfork=yes\nchildren=1\nauto_aliases=no\n"
                        + "listen=" + listen + "\n"
                        + "mpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/:/usr/lib/kamailio/modules/\"\n"
                        + "loadmodule \"kex.so\"\nloadmodule \"sl.so\"\nloadmodule \"tm.so\"\nloadmodule \"ctl.so\"\n"
                        + "loadmodule \"dispatcher.so\"\n"
                        + "modparam(\"ctl\", \"binrpc\", \"unix:" + controlSocket + "\")\n"
                        + "modparam(\"dispatcher\", \"list_file\", \"" + list + "\")\n"
                        + "modparam(\"dispatcher\", \"ds_ping_interval\", 0)\n"
                        + routing);
    }

    static String binary(String name) {
        for (String d : List.of("/usr/sbin/", "/usr/bin/", "/usr/local/sbin/")) {
            if (Files.isExecutable(Path.of(d + name))) {
                return d + name;
            }
        }
        return null;
    }

    /** Starts Kamailio and waits (bounded, 30 s) until {@code kamcmd core.uptime} answers. */
    KamailioDaemon start() throws IOException, InterruptedException {
        Files.deleteIfExists(controlSocket);
        process = new ProcessBuilder(
                        binary("kamailio"),
                        "-DD",
                        "-E",
                        "-f",
                        config.toString(),
                        "-Y",
                        dir.toString(),
                        "-w",
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("kamailio.out").toFile()))
                .start();
        ProcessRegistry.register(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("kamailio exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("kamailio.out")));
            }
            process.descendants().forEach(ProcessRegistry::register);
            if (Files.exists(controlSocket) && kamcmd("core.uptime").startsWith("0:")) {
                return this;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("kamailio control socket not up within 30 s");
    }

    /** The main process and its workers (for signals sent by the test, by pid). */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(0, process.toHandle());
        return all;
    }

    /** The kamcmd command line for {@code rpc}, as a shell string (for {@code --check-command}). */
    String kamcmdLine(String rpc) {
        return binary("kamcmd") + " -s unix:" + controlSocket + " " + rpc;
    }

    /** Runs {@code kamcmd -s <socket> rpc args...}; returns "exit:output". */
    String kamcmd(String rpc, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary("kamcmd"), "-s", "unix:" + controlSocket, rpc));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timeout:";
        }
        return p.exitValue() + ":" + new String(p.getInputStream().readAllBytes());
    }

    /** SIGTERM to the main process (it stops its workers), wait up to 10 s, then SIGKILL all of them. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            List<ProcessHandle> workers = process.descendants().toList();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                workers.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
