package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * A flood of malformed datagrams through the engine's message path leaves Netty's pooled memory where it was:
 * OPTIONS with a malformed To (answered 400) from a source outside the access list and from one inside it, and
 * final responses without To to a live call (whose ACK cannot be written). Datagrams of about 3.5 KB, as a
 * scanner sends them.
 */
class MalformedFloodTest {
    private static final InetSocketAddress SCANNER = new InetSocketAddress("203.0.113.9", 5060);
    private static final InetSocketAddress CARRIER = new InetSocketAddress("127.0.0.1", 5070);
    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 5081);
    private static final int FLOOD_PER_KIND = 40_000;
    private static final int WARM_UP_PER_KIND = 2_000;

    private String lastSent;
    private long sentCount;

    /** {@code text} with an X-Pad header that brings it to about 3.5 KB. */
    static String padded(String text) {
        int cut = text.indexOf("Content-Length:");
        return text.substring(0, cut) + "X-Pad: " + "x".repeat(3_300) + "\r\n" + text.substring(cut);
    }

    private static ByteBuf datagram(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static void receive(InMemoryPipeline p, ByteBuf datagram, InetSocketAddress from) {
        try {
            p.receive(datagram, from);
        } catch (RuntimeException e) {
            // as on the event loop: logged and dropped
        }
    }

    @Test
    void aFloodOfMalformedDatagramsLeavesPooledMemoryFlat() throws Exception {
        InMemoryPipeline p = new InMemoryPipeline(
                ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("127.0.0.1", 5060))
                        .destinations(List.of(Destination.of("pbx5081", "sip:127.0.0.1:5081")))
                        .accessList(SourceAccessList.of(List.of("127.0.0.0/8")))
                        .requestsPerSecondPerSource(0)
                        .newCallsPerSecondPerSource(0) // a flood from one source: not rate-limited here
                        .recordRouteSecret("malformed flood test secret")
                        .failoverTimeoutMs(3_600_000)
                        .ringTimeoutMs(3_600_000)
                        .clock(new ManualClock())
                        .build(),
                (out, to, tcp) -> {
                    sentCount++;
                    lastSent = out.toString(StandardCharsets.US_ASCII);
                    out.release();
                });
        try {
            p.receive(datagram(ErrorPathBufferReleaseTest.invite("flood-call")), CARRIER);
            String forwarded = lastSent;
            assertTrue(forwarded.startsWith("INVITE "), forwarded);
            ByteBuf badToOutside = datagram(padded(ErrorPathBufferReleaseTest.optionsWithMalformedTo(1)));
            ByteBuf badToInside = datagram(padded(ErrorPathBufferReleaseTest.optionsWithMalformedTo(2)));
            ByteBuf responseWithoutTo =
                    datagram(padded(ErrorPathBufferReleaseTest.finalResponse(forwarded, "486 Busy Here", null)));
            assertTrue(badToOutside.readableBytes() > 3_400, "about 3.5 KB: " + badToOutside.readableBytes());

            PooledMemory.untracked(() -> {
                flood(p, badToOutside, badToInside, responseWithoutTo, WARM_UP_PER_KIND);
                PooledMemory before = PooledMemory.now();
                long sentBefore = sentCount;
                flood(p, badToOutside, badToInside, responseWithoutTo, FLOOD_PER_KIND);
                PooledMemory after = PooledMemory.now();
                before.assertFlat(after, 3 * FLOOD_PER_KIND + " malformed datagrams");
                assertEquals(2L * FLOOD_PER_KIND, sentCount - sentBefore, "a 400 to each OPTIONS, nothing else");
            });
            assertEquals(1, p.activeCalls(), "the call the responses named is still there");
        } finally {
            p.close();
        }
    }

    private static void flood(InMemoryPipeline p, ByteBuf outside, ByteBuf inside, ByteBuf response, int n) {
        for (int i = 0; i < n; i++) {
            receive(p, outside, SCANNER);
            receive(p, inside, CARRIER);
            receive(p, response, PBX);
        }
    }
}
