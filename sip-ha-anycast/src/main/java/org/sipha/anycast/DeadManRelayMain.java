package org.sipha.anycast;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-man relay process started by {@link RelayDeadManSwitch}:
 * {@code DeadManRelayMain <timeout-ms> <announcer spec...>}.
 *
 * <p>Connects to the routing daemon, prints {@code READY}, then reads heartbeat bytes from stdin. EOF (the
 * deciding JVM is gone) withdraws at once and exits; {@code timeout-ms} without a byte (the decider hangs)
 * withdraws and keeps waiting (silence counts only once the first heartbeat has arrived): when bytes come again
 * the decider is alive and re-announces itself.
 *
 * <p>With {@code process-address ADDR/LEN DEV NETNS|-} before the announcer spec, the relay also holds the service
 * address on this host for the decider's life: it adds it before {@code READY}, removes it right after the first
 * withdraw attempt on EOF or silence, and adds it back when heartbeats resume. Packets sent to the address from
 * this host (a PBX's answers to the proxy's Via) then leave by the host's routes, towards the site that still
 * announces, instead of dying at a dead or stopped process. A withdraw of a live decider (drain, quorum loss) keeps
 * the address, which the calls it still carries need.
 *
 * <p>Threads: a reader thread turns stdin into events on a queue; the main thread owns the announcer and is the
 * only one that acts, so an EOF is acted upon within a queue hand-off.
 */
public final class DeadManRelayMain {
    private static final Logger LOG = LoggerFactory.getLogger(DeadManRelayMain.class);
    private static final int WITHDRAW_ATTEMPTS = 50;
    private static final long WITHDRAW_RETRY_MS = 100;
    private static final long CONNECTION_CHECK_NS = 1_000_000_000L;

    private enum Event {
        HEARTBEAT,
        EOF
    }

    private DeadManRelayMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: DeadManRelayMain <timeout-ms> [process-address <addr/len> <dev> <netns|->] "
                    + "<announcer spec>");
            System.exit(2);
        }
        long timeoutMs;
        RouteAnnouncer announcer;
        RouteAnnouncer address = null;
        try {
            timeoutMs = Long.parseLong(args[0]);
            int spec = 1;
            if (args[1].equals(RelayDeadManSwitch.PROCESS_ADDRESS)) {
                if (args.length < 6) {
                    throw new IllegalArgumentException("expected: process-address <addr/len> <dev> <netns|-> <spec>");
                }
                address = AnnouncerSpec.parse(List.of(AnnouncerSpec.ADDRESS, args[2], args[3], args[4]));
                spec = 5;
            }
            announcer = AnnouncerSpec.parse(List.of(Arrays.copyOfRange(args, spec, args.length)));
        } catch (IllegalArgumentException e) {
            System.err.println("dead-man relay: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            // open the connection now and load the withdraw path's classes, so withdrawing later is one exchange;
            // the decider is not deciding while it waits for our READY, so re-applying its state is safe
            announcer.observe();
            announcer.refreshConnection();
            announcer.warmUp();
        } catch (AnnouncerException e) {
            LOG.error("dead-man relay: routing daemon not reachable: {}", e.getMessage());
            System.exit(3);
        }
        if (address != null) {
            try {
                address.apply(RouteAnnouncement.ANNOUNCE);
                LOG.info("dead-man relay: {} held while the decider lives", address.name());
            } catch (AnnouncerException e) {
                LOG.error("dead-man relay: cannot add the process address: {}", e.getMessage());
                System.exit(3);
            }
        }
        BlockingQueue<Event> events = new ArrayBlockingQueue<>(64);
        Thread reader = new Thread(() -> readHeartbeats(System.in, events), "sipha-relay-stdin");
        reader.setDaemon(true);
        reader.start();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        out.println(RelayDeadManSwitch.READY);
        System.exit(relay(announcer, address, events, timeoutMs));
    }

    /**
     * Returns the exit code once the heartbeat pipe is closed.
     *
     * @param address the process address to hold ({@code process-address}), or null
     */
    static int relay(RouteAnnouncer announcer, RouteAnnouncer address, BlockingQueue<Event> events, long timeoutMs)
            throws InterruptedException {
        // Silence counts only after the first heartbeat: until then the decider has announced nothing (it starts
        // in INIT, withdrawn) and may still be loading classes. EOF counts from the start.
        boolean armed = false;
        boolean tripped = false;
        boolean addressGone = false; // the process address was removed and is to be added back (never without one)
        long nextCheckNs = System.nanoTime() + CONNECTION_CHECK_NS;
        while (true) {
            Event e = events.poll(timeoutMs, TimeUnit.MILLISECONDS);
            if (e == Event.HEARTBEAT && System.nanoTime() - nextCheckNs >= 0) {
                nextCheckNs = System.nanoTime() + CONNECTION_CHECK_NS;
                keepConnectionFresh(announcer);
            }
            if (e == Event.EOF) {
                long t0 = System.nanoTime();
                boolean ok = withdrawThenDropAddress(announcer, address);
                LOG.warn(
                        "dead-man relay: heartbeat pipe closed (deciding JVM exited or was killed); withdraw {} "
                                + "in {} us",
                        ok ? "done" : "FAILED",
                        (System.nanoTime() - t0) / 1000);
                announcer.close();
                return ok ? 0 : 1;
            }
            if (e == Event.HEARTBEAT && !armed) {
                armed = true;
                LOG.info("dead-man relay: first heartbeat; armed");
            }
            if (e == null && !tripped && armed) {
                long t0 = System.nanoTime();
                boolean ok = withdrawThenDropAddress(announcer, address);
                addressGone = address != null;
                LOG.warn(
                        "dead-man relay: no heartbeat for {} ms (deciding JVM hung or stopped); withdraw {} in {} us",
                        timeoutMs,
                        ok ? "done" : "FAILED",
                        (System.nanoTime() - t0) / 1000);
                tripped = ok;
            } else if (e == Event.HEARTBEAT && tripped) {
                LOG.warn("dead-man relay: heartbeats resumed; re-armed (the decider re-announces if healthy)");
                tripped = false;
            }
            if (e == Event.HEARTBEAT && addressGone) {
                addressGone = !setAddress(address, RouteAnnouncement.ANNOUNCE); // else tried again at the next beat
            }
        }
    }

    /**
     * One withdraw attempt, then the process address leaves the host (whatever the attempt gave: a speaker that died
     * with the decider cannot answer, and the answers to the dead process must find the other site now), then the
     * remaining attempts. Returns whether the withdraw went through.
     */
    private static boolean withdrawThenDropAddress(RouteAnnouncer announcer, RouteAnnouncer address)
            throws InterruptedException {
        boolean ok = withdraw(announcer, 1);
        if (address != null) {
            setAddress(address, RouteAnnouncement.WITHDRAW);
        }
        return ok || withdraw(announcer, WITHDRAW_ATTEMPTS - 1);
    }

    /** Adds or removes the process address; logs and returns false on failure. */
    private static boolean setAddress(RouteAnnouncer address, RouteAnnouncement target) {
        try {
            address.apply(target);
            LOG.warn(
                    "dead-man relay: {} {}",
                    address.name(),
                    target == RouteAnnouncement.WITHDRAW ? "removed" : "added");
            return true;
        } catch (AnnouncerException ex) {
            LOG.error(
                    "dead-man relay: {} could not be {}: {}",
                    address.name(),
                    target == RouteAnnouncement.WITHDRAW ? "removed" : "added",
                    ex.getMessage());
            return false;
        }
    }

    /**
     * Reads the daemon's state once in a while so that a connection broken by a daemon restart is reopened now,
     * not during the one withdraw that matters (a reconnect costs tens of milliseconds in a cold JVM).
     */
    private static void keepConnectionFresh(RouteAnnouncer announcer) {
        try {
            announcer.refreshConnection();
        } catch (AnnouncerException ex) {
            LOG.debug("dead-man relay: routing daemon not reachable right now: {}", ex.getMessage());
        }
    }

    private static boolean withdraw(RouteAnnouncer announcer, int attempts) throws InterruptedException {
        for (int i = 0; i < attempts; i++) {
            if (i > 0) {
                Thread.sleep(WITHDRAW_RETRY_MS);
            }
            try {
                announcer.apply(RouteAnnouncement.WITHDRAW);
                return true;
            } catch (AnnouncerException ex) {
                if (i == 0 || i == attempts - 1) { // the first and the last; a speaker that died fails them all
                    LOG.error("dead-man relay: withdraw attempt failed: {}", ex.getMessage());
                } else {
                    LOG.debug("dead-man relay: withdraw attempt {} failed: {}", i + 1, ex.getMessage());
                }
            }
        }
        return false;
    }

    private static void readHeartbeats(InputStream in, BlockingQueue<Event> events) {
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) >= 0) {
                events.offer(Event.HEARTBEAT); // a full queue already says "alive"
            }
        } catch (IOException e) {
            LOG.warn("dead-man relay: reading heartbeats failed: {}", e.toString());
        }
        while (!events.offer(Event.EOF)) {
            events.poll(); // make room: EOF must get through
        }
    }
}
