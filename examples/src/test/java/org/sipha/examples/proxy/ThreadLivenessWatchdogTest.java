package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.model.DestinationState;
import org.sipha.core.spi.HealthProbeTransport;
import org.sipha.health.HealthChecking;

/**
 * The reference proxy exits when its health thread dies or stops cycling, since a proxy without health checking
 * would keep sending calls to dead backends. Real health checking; the fault is injected into its probe transport.
 */
class ThreadLivenessWatchdogTest {
    private static final long WAIT_MS = 10_000;
    private static final List<Destination> ONE = List.of(Destination.of("d1", "sip:127.0.0.1:5071"));

    private final AtomicInteger exitCode = new AtomicInteger(-1);
    private final CountDownLatch exited = new CountDownLatch(1);

    private void exit(int code) {
        exitCode.compareAndSet(-1, code);
        exited.countDown();
    }

    private static HealthChecking health(String threadName) {
        return HealthChecking.builder(ONE)
                .sink(new DestinationHealthSink() {
                    @Override
                    public void onStateChange(String destinationId, DestinationState state) {}

                    @Override
                    public void onLatencySample(String destinationId, long rttNs) {}
                })
                .threadName(threadName)
                .build();
    }

    private ThreadLivenessWatchdog watchdog(HealthChecking health) {
        return new ThreadLivenessWatchdog(10, 5, this::exit)
                .watch("health checking", health::isAlive, health::lastDutyCycleNanos);
    }

    @Test
    void exitsWhenTheHealthThreadDies() throws Exception {
        FaultyTransport transport = new FaultyTransport();
        try (HealthChecking health = health("test-watched-health-a");
                ThreadLivenessWatchdog watchdog = watchdog(health)) {
            health.start(transport);
            watchdog.start();
            transport.die = true;
            assertTrue(exited.await(WAIT_MS, TimeUnit.MILLISECONDS), "the watchdog did not exit the process");
            assertEquals(FatalUncaughtExceptionHandler.EXIT_INTERNAL_FAULT, exitCode.get());
        }
    }

    @Test
    void exitsWhenTheHealthThreadIsStuck() throws Exception {
        FaultyTransport transport = new FaultyTransport();
        try (HealthChecking health = health("test-watched-health-b");
                ThreadLivenessWatchdog watchdog = watchdog(health)) {
            health.start(transport);
            watchdog.start();
            transport.hang = true;
            assertTrue(exited.await(WAIT_MS, TimeUnit.MILLISECONDS), "the watchdog did not exit the process");
            assertEquals(FatalUncaughtExceptionHandler.EXIT_INTERNAL_FAULT, exitCode.get());
            assertTrue(health.isAlive(), "stuck, not dead");
            transport.release.countDown(); // lets close() end the thread at once
        } finally {
            transport.release.countDown();
        }
    }

    @Test
    void staysQuietWhileTheWatchedThreadsCycle() throws Exception {
        try (HealthChecking health = health("test-watched-health-c");
                ThreadLivenessWatchdog watchdog = watchdog(health)) {
            health.start(new FaultyTransport());
            watchdog.start();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (watchdog.checks() < 50 && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            assertTrue(watchdog.checks() >= 50, "the watchdog checks");
            assertEquals(-1, exitCode.get(), "no exit while the health thread cycles");
        }
    }

    /** Thrown into the health thread's work, as an OutOfMemoryError would be. */
    static final class InjectedError extends Error {
        InjectedError() {
            super("injected into poll()");
        }
    }

    /** Sends nowhere; on request its poll throws an Error (the thread dies) or blocks (the thread is stuck). */
    static final class FaultyTransport implements HealthProbeTransport {
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean die;
        volatile boolean hang;

        @Override
        public boolean send(InetSocketAddress destination, ByteBuffer request) {
            return true;
        }

        @Override
        public int poll(ReplyHandler handler, int limit) {
            if (die) {
                throw new InjectedError();
            }
            if (hang) {
                try {
                    release.await(WAIT_MS * 2, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 0;
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 15998);
        }

        @Override
        public void close() {}
    }
}
