package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sipha.core.model.Destination;

/**
 * Engines run one after another on the same {@link EngineLoops} (a warm-up engine, then the real one), over real
 * sockets: closing the first leaves the loops running for the next; closing the loops stops them.
 */
class EngineLoopsTest {

    private static String invite(String callId, int fromPort) {
        return "INVITE sip:x@127.0.0.1 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + fromPort + ";branch=z9hG4bK-" + callId + "\n"
                + "From: <sip:a@127.0.0.1>;tag=a-" + callId + "\n"
                + "To: <sip:x@127.0.0.1>\n"
                + "Call-ID: " + callId + "\n"
                + "CSeq: 1 INVITE\nMax-Forwards: 70\nContent-Length: 0\n\n";
    }

    private static SipProxyServer engineOn(EngineLoops loops, int port) {
        return SipProxyServer.start(
                ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("127.0.0.1", port))
                        .destinations(List.of(Destination.of("pbx15281", "sip:127.0.0.1:15281")))
                        .recordRouteSecret("engine loops test secret")
                        .lingerMs(0)
                        .build(),
                loops);
    }

    @Test
    void aSecondEngineForwardsOnTheLoopsTheFirstOneLeft() throws Exception {
        EngineLoops loops = EngineLoops.start(IoTransport.AUTO, 2);
        try (RawSipSocket client = RawSipSocket.bind(15270);
                RawSipSocket backend = RawSipSocket.bind(15281)) {
            assertEquals(2, loops.size());
            SipProxyServer first = engineOn(loops, 15260);
            client.send(invite("first", 15270), new InetSocketAddress("127.0.0.1", 15260));
            assertTrue(receivedCall(backend, "first"), "the first engine forwarded nothing");
            first.close();
            assertFalse(loops.group().isShuttingDown(), "closing an engine on shared loops stopped them");

            SipProxyServer second = engineOn(loops, 15261);
            assertEquals(loops.transport(), second.transport());
            client.send(invite("second", 15270), new InetSocketAddress("127.0.0.1", 15261));
            assertTrue(receivedCall(backend, "second"), "the second engine forwarded nothing");
            second.close();
        } finally {
            loops.close();
        }
        assertTrue(loops.group().isShutdown(), "closing the loops stops them");
    }

    /** Reads at most a few datagrams (bounded in count and time) until one is the INVITE of {@code callId}. */
    private static boolean receivedCall(RawSipSocket s, String callId) throws Exception {
        for (int i = 0; i < 5; i++) {
            String m = s.receive(2000);
            if (m == null) {
                return false;
            }
            if (m.startsWith("INVITE ") && m.contains("Call-ID: " + callId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Datagrams that queued up while the loop was busy are read several per wake-up, and a read that stops at its
     * limit marks the loop as behind (so a destination's silence meanwhile is not held against it). With Netty's
     * default of one datagram per read, the mark never came.
     */
    @Test
    void datagramsQueuedWhileTheLoopWasBusyMarkItBehind() throws Exception {
        EngineLoops loops = EngineLoops.start(IoTransport.AUTO, 1);
        try (RawSipSocket client = RawSipSocket.bind(15271)) {
            SipProxyServer proxy = engineOn(loops, 15262);
            long since = System.nanoTime();
            EventLoop loop = loops.loops().get(0);
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            loop.execute(() -> {
                busy.countDown();
                try {
                    release.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(busy.await(2, TimeUnit.SECONDS), "the loop did not run the blocking task");
            // Sent in far less than the 30 ms after which a late timer tick would mark the loop behind by itself.
            for (int i = 0; i < 4 * SipProxyServer.READ_BATCH; i++) {
                client.send("\r\n\r\n", new InetSocketAddress("127.0.0.1", 15262));
            }
            release.countDown();
            for (int i = 0; i < 200 && proxy.quietSince(since); i++) {
                Thread.sleep(10);
            }
            assertFalse(proxy.quietSince(since), "a read that found a backlog did not mark the loop behind");
            proxy.close();
        } finally {
            loops.close();
        }
    }

    /**
     * Loops with a coalescing window forward every datagram of a burst that comes while they gather, on both
     * socket layers: the window only delays reads, it never drops or reorders what the socket holds.
     */
    @ParameterizedTest
    @EnumSource(
            value = IoTransport.class,
            names = {"AUTO", "NIO"})
    void coalescingLoopsForwardEveryDatagramOfABurst(IoTransport transport) throws Exception {
        EngineLoops loops = EngineLoops.start(transport, 1, 2_000);
        try (RawSipSocket client = RawSipSocket.bind(15272);
                RawSipSocket backend = RawSipSocket.bind(15281)) {
            assertEquals(2_000, loops.coalesceMicros());
            SipProxyServer proxy = engineOn(loops, 15263);
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", 15263);
            client.send(invite("burst-first", 15272), to);
            assertTrue(receivedCall(backend, "burst-first"), "the first INVITE was not forwarded");
            int burst = 40;
            for (int i = 0; i < burst; i++) {
                client.send(invite("burst-" + i, 15272), to);
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 2 * burst && seen.size() < burst; i++) {
                String m = backend.receive(2000);
                if (m == null) {
                    break;
                }
                java.util.regex.Matcher id =
                        java.util.regex.Pattern.compile("Call-ID: (burst-\\d+)").matcher(m);
                if (m.startsWith("INVITE ") && id.find()) {
                    seen.add(id.group(1));
                }
            }
            assertEquals(burst, seen.size(), "INVITEs of the burst forwarded: " + seen);
            proxy.close();
        } finally {
            loops.close();
        }
    }

    /**
     * A coalescing loop reads up to what a window gathers at full load before a read counts as stopping at its
     * limit (falling behind): the window's own backlog must not hide destinations' silences from health checking.
     */
    @Test
    void aCoalescingLoopsReadLimitCoversWhatAWindowGathers() {
        assertEquals(SipProxyServer.READ_BATCH, SipProxyServer.readBatch(0));
        assertEquals(SipProxyServer.READ_BATCH, SipProxyServer.readBatch(100));
        assertEquals(62, SipProxyServer.readBatch(1_000));
        assertEquals(312, SipProxyServer.readBatch(ProxyConfig.MAX_COALESCE_MICROS));
    }

    @Test
    void rejectsACoalescingWindowOutOfRange() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> EngineLoops.start(IoTransport.AUTO, 1, ProxyConfig.MAX_COALESCE_MICROS + 1));
        assertTrue(e.getMessage().startsWith("coalesce-us"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("127.0.0.1", 15264))
                        .destinations(List.of(Destination.of("pbx15281", "sip:127.0.0.1:15281")))
                        .recordRouteSecret("engine loops test secret")
                        .coalesceMicros(-1)
                        .build());
        assertTrue(e.getMessage().startsWith("coalesce-us"), e.getMessage());
    }

    /** A task handed to {@link EngineLoops#execute} runs on that loop's own thread; after close it is refused. */
    @Test
    void executeRunsATaskOnTheGivenLoopAndIsRefusedOnceTheLoopsAreClosed() throws Exception {
        EngineLoops loops = EngineLoops.start(IoTransport.AUTO, 2);
        try {
            for (int i = 0; i < loops.size(); i++) {
                EventLoop loop = loops.loops().get(i);
                CountDownLatch ran = new CountDownLatch(1);
                boolean[] onLoop = new boolean[1];
                loops.execute(i, () -> {
                    onLoop[0] = loop.inEventLoop();
                    ran.countDown();
                });
                assertTrue(ran.await(2, TimeUnit.SECONDS), "loop " + i + " did not run the task");
                assertTrue(onLoop[0], "the task ran on another thread than loop " + i + "'s");
            }
        } finally {
            loops.close();
        }
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> loops.execute(0, () -> {}));
    }

    @Test
    void rejectsALoopCountOutOfRange() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EngineLoops.start(IoTransport.AUTO, 0));
        assertTrue(e.getMessage().contains("event-loops"), e.getMessage());
    }
}
