package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.SipParseLimits;

/**
 * {@link TcpSipFramer} on an embedded channel: messages cut at every byte, the work that costs (frame attempts,
 * bytes copied, bytes framed from the start), the size limit's 513, and the two timeouts on a hand-moved clock.
 */
class TcpSipFramerTest {
    private static final String OPTIONS = """
        OPTIONS sip:probe@127.0.0.1 SIP/2.0
        Via: SIP/2.0/TCP 127.0.0.2:5060;branch=z9hG4bK-drip
        Max-Forwards: 70
        From: <sip:t@127.0.0.2>;tag=1
        To: <sip:probe@127.0.0.1>
        Call-ID: drip-1
        CSeq: 1 OPTIONS
        Subject: %s
        Content-Length: 5

        hello""";

    /** An embedded channel with the socket addresses the framer stamps on each message. */
    private static final class InetEmbeddedChannel extends EmbeddedChannel {
        InetEmbeddedChannel(ChannelHandler handler) {
            super(handler);
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

    private final ManualClock clock = new ManualClock();
    private final TcpCounters counters = new TcpCounters();
    private final TcpTimeouts timeouts = new TcpTimeouts(clock, 300_000, 10_000, counters);

    private static byte[] message(int subjectBytes) {
        return String.format(OPTIONS, "x".repeat(subjectBytes))
                .replace("\n", "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private TcpSipFramer framer(EmbeddedChannel ch) {
        return ch.pipeline().get(TcpSipFramer.class);
    }

    private EmbeddedChannel channel() {
        return channel(SipParseLimits.defaults());
    }

    private EmbeddedChannel channel(SipParseLimits limits) {
        return new InetEmbeddedChannel(new TcpSipFramer(limits, timeouts, counters));
    }

    /** Writes {@code b} one byte per read, each in a buffer of its own; returns the frames read out. */
    private static int dripInByteByByte(EmbeddedChannel ch, byte[] b, boolean direct) {
        int frames = 0;
        for (byte x : b) {
            ByteBuf one = direct ? Unpooled.directBuffer(1) : Unpooled.buffer(1);
            ch.writeInbound(one.writeByte(x));
            DatagramPacket p;
            while ((p = ch.readInbound()) != null) {
                frames++;
                p.release();
            }
        }
        return frames;
    }

    @Test
    void aMessageSentAByteAtATimeCostsLinearWorkFromADirectBuffer() {
        assertLinearWork(true);
    }

    @Test
    void aMessageSentAByteAtATimeCostsLinearWorkFromAHeapBuffer() {
        assertLinearWork(false);
    }

    private void assertLinearWork(boolean direct) {
        byte[] m = message(6000); // ~6.3 kB in 10 lines and a 5-byte body
        EmbeddedChannel ch = channel();
        byte[] twice = new byte[2 * m.length];
        System.arraycopy(m, 0, twice, 0, m.length);
        System.arraycopy(m, 0, twice, m.length, m.length);
        assertEquals(2, dripInByteByByte(ch, twice, direct));
        TcpSipFramer f = framer(ch);
        int n = twice.length;
        // One attempt per line end and per body byte; a rescan only when the cumulation moves (it doubles).
        assertTrue(f.frameAttempts() <= 2 * (11 + 5 + 2), "frame attempts " + f.frameAttempts());
        assertTrue(f.bytesCopied() <= 2L * n, "bytes copied " + f.bytesCopied() + " for " + n);
        assertTrue(f.bytesFramedAfresh() <= 4L * n, "bytes framed afresh " + f.bytesFramedAfresh() + " for " + n);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void framesMessagesAndKeepAlivesCutAnywhere() {
        byte[] m = message(10);
        String stream = "\r\n\r\n" + new String(m, StandardCharsets.US_ASCII) + "\r\n\r\n"
                + new String(m, StandardCharsets.US_ASCII);
        byte[] b = stream.getBytes(StandardCharsets.US_ASCII);
        for (int cut = 1; cut < b.length; cut += 7) {
            EmbeddedChannel ch = channel();
            ch.writeInbound(Unpooled.directBuffer().writeBytes(b, 0, cut));
            ch.writeInbound(Unpooled.directBuffer().writeBytes(b, cut, b.length - cut));
            for (int i = 0; i < 2; i++) {
                DatagramPacket p = ch.readInbound();
                assertNotNull(p, "message " + i + " with a cut at " + cut);
                String framed = p.content().toString(StandardCharsets.US_ASCII);
                assertEquals(new String(m, StandardCharsets.US_ASCII), framed.stripLeading()); // CRLFs before it
                p.release();
            }
            assertNull(ch.readInbound());
            assertTrue(ch.isOpen());
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void aMessageOverTheLimitIsAnswered513AndTheConnectionClosed() {
        EmbeddedChannel ch =
                channel(SipParseLimits.builder().maxMessageBytes(4000).build());
        String big =
                new String(message(10), StandardCharsets.US_ASCII).replace("Content-Length: 5", "Content-Length: 5000");
        ch.writeInbound(Unpooled.directBuffer()
                .writeBytes(big.substring(0, big.length() - 5).getBytes(StandardCharsets.US_ASCII)));
        ByteBuf reply = ch.readOutbound();
        assertNotNull(reply, "a 513");
        String text = reply.toString(StandardCharsets.US_ASCII);
        reply.release();
        assertTrue(text.startsWith("SIP/2.0 513 Message Too Large\r\n"), text);
        assertTrue(text.contains("Call-ID: drip-1\r\n") && text.contains("Content-Length: 0\r\n"), text);
        assertFalse(ch.isOpen());
        assertNull(ch.readInbound());
        assertEquals(1, counters.closedTooLarge());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aHeaderBlockOverTheLimitClosesWithoutAnswer() {
        EmbeddedChannel ch =
                channel(SipParseLimits.builder().maxMessageBytes(4000).build());
        String head = "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n";
        for (int i = 0; i < 5 && ch.isOpen(); i++) { // 4 x 1 kB lines, the 4th across the limit: closed there
            ch.writeInbound(Unpooled.copiedBuffer(
                    (i == 0 ? head : "") + "X-Pad: " + "p".repeat(1000) + "\r\n", StandardCharsets.US_ASCII));
        }
        assertNull(ch.readOutbound());
        assertFalse(ch.isOpen());
        assertEquals(1, counters.closedTooLarge());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeoutAndKeepAlivesResetIt() {
        EmbeddedChannel ch = channel();
        clock.advanceMs(200_000);
        ch.writeInbound(Unpooled.copiedBuffer("\r\n\r\n", StandardCharsets.US_ASCII));
        clock.advanceMs(200_000);
        timeouts.expire();
        assertTrue(ch.isOpen(), "400 s open but 200 s since the keep-alive");
        clock.advanceMs(100_000);
        timeouts.expire();
        assertFalse(ch.isOpen());
        assertEquals(1, counters.closedIdle());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aMessageNotCompleteWithinTheMessageTimeoutClosesTheConnectionWhateverTheBytesTrickling() {
        EmbeddedChannel ch = channel();
        byte[] m = message(10);
        int sent = 0;
        for (; sent < 20; sent++) { // a byte a second: never idle, never complete
            ch.writeInbound(Unpooled.wrappedBuffer(m, sent, 1));
            clock.advanceMs(1000);
            timeouts.expire();
            if (!ch.isOpen()) {
                break;
            }
        }
        assertEquals(9, sent, "closed when the message was 10 s old");
        assertEquals(1, counters.closedIncompleteMessage());
        assertEquals(0, counters.closedIdle());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void theMessageTimeoutStartsAgainWithEachMessage() {
        EmbeddedChannel ch = channel();
        byte[] m = message(10);
        ch.writeInbound(Unpooled.wrappedBuffer(m, 0, 20));
        for (int i = 0; i < 5; i++) { // each message takes 8 s; the next one begins in the read that ends it
            clock.advanceMs(8000);
            timeouts.expire();
            ch.writeInbound(Unpooled.wrappedBuffer(
                    Unpooled.wrappedBuffer(m, 20, m.length - 20), Unpooled.wrappedBuffer(m, 0, 20)));
            DatagramPacket p = ch.readInbound();
            assertNotNull(p);
            p.release();
        }
        assertTrue(ch.isOpen());
        assertEquals(0, counters.closedIncompleteMessage());
        clock.advanceMs(10_000);
        timeouts.expire();
        assertFalse(ch.isOpen(), "the last message began 10 s ago");
        assertFalse(ch.finishAndReleaseAll());
    }
}
