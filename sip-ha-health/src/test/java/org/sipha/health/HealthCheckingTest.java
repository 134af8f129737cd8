package org.sipha.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.model.DestinationState;
import org.sipha.core.spi.HealthProbeTransport;

class HealthCheckingTest {
    private static final long WAIT_MS = 10_000;
    private static final List<Destination> THREE = List.of(
            Destination.of("d1", "sip:127.0.0.1:5071"),
            Destination.of("d2", "sip:127.0.0.1:5072"),
            Destination.of("d3", "sip:127.0.0.1:5073"));
    private static final OptionsProbeConfig FAST = OptionsProbeConfig.builder()
            .intervalNs(TimeUnit.MILLISECONDS.toNanos(20))
            .timeoutNs(TimeUnit.MILLISECONDS.toNanos(10))
            .build();

    private final StateSink sink = new StateSink();

    @Test
    void probesThroughTheTransportGivenToStartAndReportsASilentDestinationDown() throws InterruptedException {
        AnsweringTransport transport = new AnsweringTransport(Set.of(5072, 5073));
        List<int[]> ups = new CopyOnWriteArrayList<>();
        try (HealthChecking health = HealthChecking.builder(THREE)
                .probes(FAST)
                .sink(sink)
                .destinationsUp((up, total) -> ups.add(new int[] {up, total}))
                .threadName("test-health-a")
                .build()) {
            health.start(transport);
            await(() -> sink.states.get("d1") == DestinationState.INACTIVE, "d1 reported INACTIVE");
            await(() -> !ups.isEmpty() && ups.get(ups.size() - 1)[0] == 2, "2 of 3 up");
            assertEquals(3, ups.get(ups.size() - 1)[1]);
            await(() -> !health.snapshot().destination("d1").healthy(), "d1 unhealthy in the snapshot");
        }
        assertTrue(transport.closed, "close closes the probe transport");
        assertTrue(transport.sentTo.contains(5071) && transport.sentTo.contains(5072), transport.sentTo.toString());
    }

    @Test
    void aRecoveredDestinationRampsUpThroughTheSlowStartCallback() throws InterruptedException {
        AnsweringTransport transport = new AnsweringTransport(Set.of(5072, 5073));
        Map<String, List<Double>> shares = new ConcurrentHashMap<>();
        HealthConfig config = HealthConfig.builder()
                .slowStartNs(TimeUnit.MILLISECONDS.toNanos(200))
                .build();
        try (HealthChecking health = HealthChecking.builder(THREE)
                .config(config)
                .probes(FAST)
                .sink(sink)
                .slowStart((id, share) -> shares.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>())
                        .add(share))
                .threadName("test-health-b")
                .build()) {
            health.start(transport);
            await(() -> sink.states.get("d1") == DestinationState.INACTIVE, "d1 reported INACTIVE");

            transport.answered = Set.of(5071, 5072, 5073);
            await(() -> sink.states.get("d1") == DestinationState.ACTIVE, "d1 reported ACTIVE again");
            await(() -> shares.containsKey("d1") && shares.get("d1").contains(1.0), "d1's ramp ends at 1");
            assertTrue(shares.get("d1").get(0) < 1.0, "ramp starts below 1: " + shares.get("d1"));
        }
    }

    @Test
    void startsOnceAndNeedsASink() {
        assertThrows(
                IllegalArgumentException.class,
                () -> HealthChecking.builder(THREE).build());
        AnsweringTransport transport = new AnsweringTransport(Set.of());
        try (HealthChecking health = HealthChecking.builder(THREE)
                .sink(sink)
                .threadName("test-health-c")
                .build()) {
            health.start(transport);
            assertThrows(IllegalStateException.class, () -> health.start(new AnsweringTransport(Set.of())));
        }
    }

    @Test
    void closingBeforeStartProbesNothing() {
        HealthChecking.builder(THREE)
                .sink(sink)
                .threadName("test-health-d")
                .build()
                .close();
        assertTrue(sink.states.isEmpty());
    }

    @Test
    void tellsWhetherItsThreadRunsAndWhenItLastCycled() throws InterruptedException {
        AnsweringTransport transport = new AnsweringTransport(Set.of(5071, 5072, 5073));
        HealthChecking health = HealthChecking.builder(THREE)
                .probes(FAST)
                .sink(sink)
                .threadName("test-health-e")
                .build();
        try (health) {
            assertFalse(health.isAlive(), "not started");
            health.start(transport);
            assertTrue(health.isAlive());
            long started = health.lastDutyCycleNanos();
            await(() -> health.lastDutyCycleNanos() - started > 0, "duty cycles advance, idle or not");

            transport.die = true; // an Error in its work ends the thread
            await(() -> !health.isAlive(), "reported dead once its thread has died");
        }
        assertFalse(health.isAlive(), "closed");
    }

    /** Bounded wait for the health thread's work (not a timing assertion). */
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + ": not within " + WAIT_MS + " ms");
            }
            Thread.sleep(5);
        }
    }

    /** Thrown into the health thread's work, as an OutOfMemoryError would be. */
    private static final class InjectedError extends Error {
        InjectedError() {
            super("injected into poll()");
        }
    }

    /** Any thread: the last state reported per destination. */
    private static final class StateSink implements DestinationHealthSink {
        final Map<String, DestinationState> states = new ConcurrentHashMap<>();

        @Override
        public void onStateChange(String destinationId, DestinationState state) {
            states.put(destinationId, state);
        }

        @Override
        public void onLatencySample(String destinationId, long rttNs) {}
    }

    /** Answers probes to the ports in {@code answered} with 200 at once, drops the others. Health thread only. */
    private static final class AnsweringTransport implements HealthProbeTransport {
        final Set<Integer> sentTo = ConcurrentHashMap.newKeySet();
        private final ArrayDeque<byte[]> replies = new ArrayDeque<>();
        private final ArrayDeque<InetSocketAddress> repliesFrom = new ArrayDeque<>();
        volatile Set<Integer> answered;
        volatile boolean closed;
        volatile boolean die;

        AnsweringTransport(Set<Integer> answered) {
            this.answered = answered;
        }

        @Override
        public boolean send(InetSocketAddress destination, ByteBuffer request) {
            sentTo.add(destination.getPort());
            byte[] b = new byte[request.remaining()];
            request.get(b);
            if (answered.contains(destination.getPort())) {
                replies.add(InMemoryProbeTransport.reply(new String(b, StandardCharsets.US_ASCII), 200));
                repliesFrom.add(destination);
            }
            return true;
        }

        @Override
        public int poll(ReplyHandler handler, int limit) {
            if (die) {
                throw new InjectedError();
            }
            int n = 0;
            while (n < limit && !replies.isEmpty()) {
                byte[] r = replies.poll();
                handler.onReply(repliesFrom.poll(), r, 0, r.length);
                n++;
            }
            return n;
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("127.0.0.1", 15999);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
