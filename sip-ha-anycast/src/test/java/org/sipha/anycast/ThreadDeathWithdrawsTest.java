package org.sipha.anycast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread of the anycast side that dies must not leave the prefix announced: the decision thread's death reaches
 * the dead-man relay (a real relay process withdrawing through a real hook script), the probe thread's death
 * counts as a failing proxy once its results stay away. Waits are bounded polls, not timing assertions.
 */
class ThreadDeathWithdrawsTest {
    private static final long WAIT_MS = 20_000;

    @TempDir
    Path dir;

    /** Thrown into a thread's work to kill it, as an OutOfMemoryError or a StackOverflowError would. */
    static final class InjectedError extends Error {
        InjectedError(String message) {
            super(message);
        }
    }

    /** Polls {@code condition} every 10 ms until it holds, failing after 20 s. Also used by other tests here. */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within " + WAIT_MS + " ms");
            }
            Thread.sleep(10);
        }
    }

    /** The hook announcer, until {@link #fail} is set: then every call throws an Error in the calling thread. */
    static final class FailingAnnouncer implements RouteAnnouncer {
        final RouteAnnouncer real;
        volatile boolean fail;

        FailingAnnouncer(RouteAnnouncer real) {
            this.real = real;
        }

        @Override
        public String name() {
            return "failing " + real.name();
        }

        @Override
        public void apply(RouteAnnouncement target) throws AnnouncerException {
            if (fail) {
                throw new InjectedError("injected into apply(" + target + ")");
            }
            real.apply(target);
        }

        @Override
        public Optional<RouteAnnouncement> observe() throws AnnouncerException {
            if (fail) {
                throw new InjectedError("injected into observe()");
            }
            return real.observe();
        }

        @Override
        public List<String> spec() {
            return real.spec();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void decisionThreadKilledByAnErrorIsWithdrawnByTheDeadManRelay() throws Exception {
        Path state = dir.resolve("state");
        Path script = dir.resolve("hook.sh");
        Files.writeString(
                script,
                "#!/bin/sh\nif [ \"$1\" = status ]; then cat " + state + " 2>/dev/null || exit 3; "
                        + "else echo \"$1\" > " + state + "; fi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        CommandHookAnnouncer hook = new CommandHookAnnouncer(script, 5_000);
        FailingAnnouncer announcer = new FailingAnnouncer(hook);
        RelayDeadManSwitch relay = new RelayDeadManSwitch(hook.spec(), 2_000);
        AnycastConfig config = AnycastConfig.builder()
                .rise(1)
                .fall(1)
                .drainMs(0)
                .tickMs(10)
                .heartbeatIntervalMs(50)
                .reconcileIntervalMs(50)
                .build();
        AnycastController controller = new AnycastController(config, announcer, relay);
        controller.start();
        ProcessHandle relayProcess = ProcessHandle.of(relay.relayPid()).orElseThrow();
        try {
            controller.onProxyProbe(true, "200");
            await(() -> "announce".equals(read(state)), "announced through the hook");
            await(() -> controller.status().state() == AnycastState.UP, "status UP");

            announcer.fail = true; // the next reconcile throws in the decision thread; so does its own withdraw
            await(() -> "withdraw".equals(read(state)), "withdrawn by the relay after the decision thread died");
            await(() -> !relayProcess.isAlive(), "the relay exits once it has withdrawn");
            assertEquals(AnycastState.UP, controller.status().state(), "the dead decider never withdrew itself");
        } finally {
            relayProcess.destroyForcibly();
            controller.close();
        }
    }

    @Test
    void probeThreadKilledByAnErrorWithdrawsOnceItsResultsStayAway() throws Exception {
        AnycastControllerTest.InMemoryDaemon daemon = new AnycastControllerTest.InMemoryDaemon();
        AnycastController controller = new AnycastController(
                AnycastConfig.builder()
                        .rise(1)
                        .fall(1)
                        .drainMs(0)
                        .tickMs(5)
                        .heartbeatIntervalMs(10)
                        .reconcileIntervalMs(20)
                        .build(),
                daemon,
                DeadManSwitch.NONE);
        FailingProbe probe = new FailingProbe();
        ProxyProbeLoop loop = new ProxyProbeLoop(probe, controller, 20, 10);
        controller.start();
        try {
            loop.start();
            await(() -> daemon.state == RouteAnnouncement.ANNOUNCE, "announced while probes pass");
            probe.fail = true;
            await(() -> probe.died, "the probe thread died");
            await(() -> daemon.state == RouteAnnouncement.WITHDRAW, "withdrawn once probe results stay away");
            assertEquals(AnycastState.WITHDRAWN, controller.status().state());
            assertTrue(
                    controller.status().cause().contains("no probe result"),
                    controller.status().cause());
        } finally {
            loop.close();
            controller.close();
        }
    }

    /** Passes until {@link #fail} is set, then throws an Error on the probe thread. */
    static final class FailingProbe implements LocalProxyProbe {
        volatile boolean fail;
        volatile boolean died;

        @Override
        public SipOptionsPinger.Result ping(long timeoutMs) {
            if (fail) {
                died = true;
                throw new InjectedError("injected into ping()");
            }
            return new SipOptionsPinger.Result(true, 200, 100, "200 OK");
        }

        @Override
        public void close() {}
    }

    private static String read(Path state) {
        try {
            return Files.readString(state).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
