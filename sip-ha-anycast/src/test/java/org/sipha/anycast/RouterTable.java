package org.sipha.anycast;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Reads the router BIRD's table for one prefix through its control socket (one persistent connection, ~0.3 ms
 * per query). Test-only; public for other modules' tests (test-jar). One thread.
 */
public final class RouterTable implements AutoCloseable {
    private final BirdControlSocket socket;
    private final String prefix;
    private final String protocol;

    public RouterTable(Path controlSocket, String prefix, String protocol) throws AnnouncerException {
        this.socket = BirdControlSocket.connect(controlSocket, 5_000);
        this.prefix = prefix;
        this.protocol = protocol;
    }

    /** The full {@code show route P all} text for the prefix as learnt from the announcer's session. */
    public String route() throws AnnouncerException {
        BirdReply r = socket.command("show route " + prefix + " protocol " + protocol + " all");
        return r.text();
    }

    /** True if the router has the prefix from the announcer (a line mentioning {@code [protocol }). */
    public boolean present() throws AnnouncerException {
        return route().contains("[" + protocol + " ");
    }

    public boolean drainMarked() throws AnnouncerException {
        String r = route();
        return r.contains("[" + protocol + " ") && r.contains("(65535,0)");
    }

    /**
     * Polls every ~0.5 ms until the condition holds; returns the nanoseconds from {@code startNs} to the first
     * poll that saw it, or -1 after {@code timeoutMs}.
     */
    public long awaitNs(Predicate<RouterTable> condition, long startNs, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.test(this)) {
                return System.nanoTime() - startNs;
            }
            LockSupport.parkNanos(500_000);
        }
        return -1;
    }

    public static Predicate<RouterTable> isPresent(boolean wanted) {
        return t -> {
            try {
                return t.present() == wanted;
            } catch (AnnouncerException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    public static Predicate<RouterTable> isDrainMarked() {
        return t -> {
            try {
                return t.drainMarked();
            } catch (AnnouncerException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Override
    public void close() {
        socket.close();
    }
}
