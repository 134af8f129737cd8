package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * The hand-off of a response from the loop that read it to the loop that owns its call: each packet is released
 * exactly once whether the owner's queue takes it or is full, its handling throws, the owner has closed, or the
 * owner's event loop has stopped. The reading loop runs on an {@link EmbeddedChannel}, the owner on a
 * {@link DefaultEventLoop} the test can hold still.
 */
class HandOffReleaseTest {
    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 5081);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 5060);
    private static final int QUEUE_CAPACITY = 8192;

    private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    private final List<ByteBuf> packets = new ArrayList<>();
    private DefaultEventLoop ownerLoop;
    private LoopChannelHandler owner;
    private EmbeddedChannel reader;

    @BeforeEach
    void twoLoops() {
        ProxyConfig cfg = ProxyConfig.builder()
                .listenUdp(LOCAL)
                .destinations(List.of(Destination.of("pbx5081", "sip:127.0.0.1:5081")))
                .recordRouteSecret("hand-off release test secret")
                .clock(new ManualClock())
                .build();
        InMemoryPipeline.Output out = (b, to, tcp) -> {
            sent.add(b.toString(StandardCharsets.US_ASCII));
            b.release();
        };
        LoopChannelHandler first = new LoopChannelHandler(0, cfg, null, out);
        owner = new LoopChannelHandler(1, cfg, null, out);
        LoopChannelHandler[] all = {first, owner};
        ownerLoop = new DefaultEventLoop();
        reader = new EmbeddedChannel(first);
        first.attach(reader.eventLoop(), all, to -> {
            throw new UnsupportedOperationException("no TCP here");
        });
        owner.attach(ownerLoop, all, to -> {
            throw new UnsupportedOperationException("no TCP here");
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        reader.finishAndReleaseAll();
        ownerLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** A 200 to stateful branch {@code n} of loop 1, handed off to loop 1, which finds its MAC forged. */
    private ByteBuf okForLoop1(int n, String via2) {
        String text = "SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKshSAAAAAAAAAAAAAAAA;shs=1.0.0."
                + Integer.toHexString(n + 1)
                + "\r\n" // a MAC that does not verify: the owner drops it as forged, after the
                // hand-off
                + "Via: " + via2 + "\r\n"
                + "From: <sip:a@127.0.0.1:5070>;tag=caller\r\n"
                + "To: <sip:service@127.0.0.1:5060>;tag=pbx\r\n"
                + "Call-ID: handoff-" + n + "@127.0.0.1\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Content-Length: 0\r\n\r\n";
        ByteBuf b = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
        packets.add(b);
        return b;
    }

    private ByteBuf okForLoop1(int n) {
        return okForLoop1(n, "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-" + n);
    }

    /** Reads {@code b} on the reading loop, as its socket would deliver it. */
    private void read(ByteBuf b) {
        reader.writeInbound(new DatagramPacket(b, LOCAL, PBX));
    }

    /** Holds the owner loop until the returned latch is counted down. */
    private CountDownLatch holdOwnerLoop() {
        CountDownLatch release = new CountDownLatch(1);
        ownerLoop.execute(() -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return release;
    }

    /** Waits until every task queued on the owner loop so far has run. */
    private void settleOwnerLoop() throws InterruptedException {
        assertTrue(ownerLoop.submit(() -> {}).await(30, TimeUnit.SECONDS));
    }

    private int stillHeld() {
        int n = 0;
        for (ByteBuf b : packets) {
            n += b.refCnt() > 0 ? 1 : 0;
        }
        return n;
    }

    @Test
    void aFullHandOffQueueLeavesThePacketToTheReaderWhichReleasesIt() throws InterruptedException {
        CountDownLatch release = holdOwnerLoop();
        for (int i = 0; i < QUEUE_CAPACITY + 10; i++) {
            read(okForLoop1(i));
        }
        assertEquals(QUEUE_CAPACITY, stillHeld(), "queued for the owner; the 10 beyond its capacity released");
        release.countDown();
        settleOwnerLoop();
        assertEquals(0, stillHeld(), "the owner released what it drained");
        assertEquals(QUEUE_CAPACITY, owner.forgedResponses(), "each queued 200 checked, and dropped, by the owner");
        assertTrue(sent.isEmpty(), "nothing forwarded: " + sent);
    }

    @Test
    void aHandedOffPacketWhoseHandlingThrowsIsReleasedAndTheDrainGoesOn() throws InterruptedException {
        CountDownLatch release = holdOwnerLoop();
        read(okForLoop1(0, "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-0;received=")); // malformed second Via
        read(okForLoop1(1));
        assertEquals(2, stillHeld());
        release.countDown();
        settleOwnerLoop();
        assertEquals(0, stillHeld());
        assertTrue(owner.forgedResponses() >= 1, "the packet after the one that threw was handled");
        assertTrue(sent.isEmpty(), "nothing forwarded: " + sent);
    }

    @Test
    void packetsQueuedWhenTheOwnerClosesAreReleasedAndLaterOnesAreRefused() throws InterruptedException {
        CountDownLatch release = holdOwnerLoop();
        Future<?> closed = ownerLoop.submit(owner::close);
        for (int i = 0; i < 3; i++) {
            read(okForLoop1(i)); // queued before the close runs
        }
        release.countDown();
        assertTrue(closed.await(30, TimeUnit.SECONDS));
        settleOwnerLoop();
        for (int i = 3; i < 6; i++) {
            read(okForLoop1(i)); // after the close: the reader keeps and releases them
        }
        assertEquals(0, stillHeld());
        assertTrue(sent.isEmpty(), "a closed loop handles nothing: " + sent);
    }

    @Test
    void aHandOffToALoopThatHasStoppedReleasesEachPacketOnce() throws InterruptedException {
        assertTrue(ownerLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS));
        for (int i = 0; i < 3; i++) {
            read(okForLoop1(i));
        }
        assertEquals(0, stillHeld());
        for (ByteBuf b : packets) {
            assertEquals(0, b.refCnt()); // released once: a second release would have thrown in the reader
        }
    }
}
