package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which uncaught exceptions end the reference proxy: every Error, and any death of a thread it cannot run without. */
class FatalUncaughtExceptionHandlerTest {
    private final AtomicInteger exitCode = new AtomicInteger(-1);
    private final FatalUncaughtExceptionHandler handler = new FatalUncaughtExceptionHandler(
            Set.of("sipha-health", "sipha-routing-table"), Set.of("galera-poll-"), exitCode::set);

    private void dieIn(String threadName, Throwable t) throws InterruptedException {
        Thread thread = new Thread(
                () -> {
                    if (t instanceof Error e) {
                        throw e;
                    }
                    throw (RuntimeException) t;
                },
                threadName);
        thread.setUncaughtExceptionHandler(handler);
        thread.start();
        thread.join(10_000);
    }

    @Test
    void anErrorInAnyThreadExits() throws InterruptedException {
        dieIn("some-library-thread", new OutOfMemoryError("injected"));
        assertEquals(FatalUncaughtExceptionHandler.EXIT_INTERNAL_FAULT, exitCode.get());
    }

    @Test
    void anExceptionThatKillsTheHealthOrRoutingTableThreadExits() throws InterruptedException {
        dieIn("sipha-routing-table", new IllegalStateException("injected"));
        assertEquals(FatalUncaughtExceptionHandler.EXIT_INTERNAL_FAULT, exitCode.get());
        exitCode.set(-1);
        dieIn("galera-poll-1", new IllegalStateException("injected"));
        assertEquals(FatalUncaughtExceptionHandler.EXIT_INTERNAL_FAULT, exitCode.get());
    }

    @Test
    void anExceptionInAnotherThreadIsOnlyLogged() throws InterruptedException {
        dieIn("some-library-thread", new IllegalStateException("injected"));
        dieIn("sipha-health-like", new IllegalStateException("a prefix of a name is not that name"));
        assertEquals(-1, exitCode.get());
    }
}
