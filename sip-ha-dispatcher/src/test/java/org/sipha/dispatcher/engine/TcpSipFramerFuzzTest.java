package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipha.core.message.SipParseLimits;

/**
 * Coverage-guided fuzzing of {@link TcpSipFramer}: any byte stream, cut into chunks the fuzzer chooses and ended by
 * a CRLF, must give the same messages, the same 513 (or none) and the same open or closed connection as the whole
 * stream in one read;
 * after every read the framer holds at most the message size limit, and every buffer is released in the end. A
 * finding is also any exception, a hang or running out of memory.
 *
 * <p>Input layout: byte 0 bit 0 picks a 2,000-byte message limit (else the default), bit 1 direct buffers (else
 * heap); bytes 1 to 8 are the chunk lengths minus one, used in turn; the rest is the stream. Seeds: each message of
 * {@code corpus/*.sip} twice, with keep-alives before and between, under two such headers. How fuzz targets run:
 * see {@code SipMessageViewFuzzTest} in sip-ha-core and docs/testing.md.
 */
class TcpSipFramerFuzzTest {
    private static final int HEADER = 9;
    private static final SipParseLimits SMALL =
            SipParseLimits.builder().maxMessageBytes(2_000).build();

    static Stream<Named<byte[]>> seeds() {
        return SeedMessages.corpus()
                .flatMap(m -> Stream.of(
                        Named.of(m.getName(), input(new byte[] {0, 0, 9, 99, 3, (byte) 255, 1, 40, 7}, m.getPayload())),
                        Named.of(
                                m.getName() + " (small limit, direct)",
                                input(new byte[] {3, 1, 2, 3, 5, 8, 13, 21, 34}, m.getPayload()))));
    }

    private static byte[] input(byte[] header, byte[] message) {
        byte[] keepAlive = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[header.length + 2 * (keepAlive.length + message.length)];
        int p = 0;
        for (byte[] part : new byte[][] {header, keepAlive, message, keepAlive, message}) {
            System.arraycopy(part, 0, b, p, part.length);
            p += part.length;
        }
        return b;
    }

    /** What the framer did with a stream. */
    private record Outcome(List<String> messages, List<String> replies, boolean open, int buffered) {}

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "30s")
    void anyChunkingFramesTheSameMessagesAndBuffersAtMostTheLimit(byte[] input) {
        int flags = input.length > 0 ? input[0] : 0;
        SipParseLimits limits = (flags & 1) != 0 ? SMALL : SipParseLimits.defaults();
        boolean direct = (flags & 2) != 0;
        int[] chunks = new int[HEADER - 1];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = (i + 1 < input.length ? input[i + 1] & 0xff : 0) + 1;
        }
        byte[] stream = Arrays.copyOfRange(input, Math.min(HEADER, input.length), input.length);

        // The peer ends its last line: a framer may leave an unfinished line unread until then (see TcpSipFramer).
        stream = Arrays.copyOf(stream, stream.length + 2);
        stream[stream.length - 2] = '\r';
        stream[stream.length - 1] = '\n';
        Outcome whole = run(stream, new int[] {stream.length}, limits, direct);
        Outcome chunked = run(stream, chunks, limits, direct);
        assertEquals(whole, chunked, "framing in chunks differs from framing the whole stream");
    }

    private static Outcome run(byte[] stream, int[] chunks, SipParseLimits limits, boolean direct) {
        ManualClock clock = new ManualClock();
        TcpCounters counters = new TcpCounters();
        TcpSipFramer framer = new TcpSipFramer(limits, new TcpTimeouts(clock, 300_000, 10_000, counters), counters);
        EmbeddedChannel ch = new InetEmbeddedChannel(framer);
        List<String> messages = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        List<ByteBuf> written = new ArrayList<>();
        int buffered = 0;
        for (int at = 0, k = 0; at < stream.length && ch.isOpen(); k++) {
            int n = Math.min(chunks[k % chunks.length], stream.length - at);
            ByteBuf chunk = (direct ? Unpooled.directBuffer(n) : Unpooled.buffer(n)).writeBytes(stream, at, n);
            written.add(chunk);
            ch.writeInbound(chunk);
            at += n;
            drain(ch, messages, replies);
            buffered = ch.isOpen() ? framer.bufferedBytes() : 0;
            assertTrue(buffered <= limits.maxMessageBytes(), "buffered " + buffered + " past the limit");
        }
        boolean open = ch.isOpen();
        ch.finishAndReleaseAll();
        for (ByteBuf b : written) {
            assertEquals(0, b.refCnt(), "a chunk the framer read was not released");
        }
        return new Outcome(messages, replies, open, buffered);
    }

    private static void drain(EmbeddedChannel ch, List<String> messages, List<String> replies) {
        for (Object m; (m = ch.readInbound()) != null; ) {
            DatagramPacket p = (DatagramPacket) m;
            messages.add(p.content().toString(StandardCharsets.ISO_8859_1));
            p.release();
        }
        for (Object m; (m = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) m;
            replies.add(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
    }

    /** An embedded channel with the socket addresses the framer stamps on each message. */
    private static final class InetEmbeddedChannel extends EmbeddedChannel {
        InetEmbeddedChannel(TcpSipFramer framer) {
            super(framer);
        }

        @Override
        protected SocketAddress localAddress0() {
            return new InetSocketAddress("127.0.0.1", 5060);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.2", 40000);
        }
    }
}
