package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of {@link SipMessageView} with any bytes, framed as a datagram and as a stream. A
 * finding is: an exception other than {@link SipSyntaxException} from any accessor; a datagram framed
 * differently when other bytes lie around it in the array or when it comes in a direct buffer; a stream framed
 * differently in chunks ({@code continueStream}) than whole ({@code wrapStream}) at any point; a frame whose
 * bounds break the documented layout; a hang (libFuzzer's {@code -timeout}) or running out of memory.
 *
 * <p>Input layout: byte 0 bit 0 picks {@link SipMessageProperties#TIGHT} limits instead of the defaults; bytes 1 to 3
 * are the stream's chunk lengths minus one, used in turn; the rest is the message. Seeds: every stored message
 * ({@link SipSeedMessages}) under two such headers.
 *
 * <p>How fuzz targets run (the build's pattern for every module): a class named {@code *FuzzTest} holds one
 * {@code @FuzzTest} method. {@code mvn test} runs it in Jazzer's regression mode on its seeds and on the files
 * under {@code src/test/resources/<package>/<Class>Inputs/<method>/}; {@code mvn verify} then fuzzes it for
 * {@code fuzz.seconds} in a JVM of its own (the parent pom's {@code fuzz} profile). A crashing input is written
 * to that folder: commit it, and it stays a regression input.
 */
class SipMessageViewFuzzTest {
    private static final int HEADER = 4;
    /** Bytes around the message in the "larger array" checks: colons and line feeds a careless scan would read. */
    private static final byte[] PAD = Latin1.bytes(":\n: \r\n\n:x\r:\n\t:;,\n");

    static Stream<Named<byte[]>> seeds() {
        return SipSeedMessages.all()
                .flatMap(m -> Stream.of(
                        Named.of(m.getName(), withHeader(new byte[] {0, (byte) 255, 0, 63}, m.getPayload())),
                        Named.of(
                                m.getName() + " (tight limits)",
                                withHeader(new byte[] {1, 6, 99, 1}, m.getPayload()))));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "30s")
    void anyBytesGiveTypedErrorsOnlyAndTheSameFrameWholeOrInChunks(byte[] input) {
        SipParseLimits limits = (at(input, 0) & 1) != 0 ? SipMessageProperties.TIGHT : SipParseLimits.defaults();
        int[] chunks = {at(input, 1) + 1, at(input, 2) + 1, at(input, 3) + 1};
        byte[] msg = Arrays.copyOfRange(input, Math.min(HEADER, input.length), input.length);
        byte[] padded = new byte[PAD.length + msg.length + PAD.length];
        System.arraycopy(PAD, 0, padded, 0, PAD.length);
        System.arraycopy(msg, 0, padded, PAD.length, msg.length);
        System.arraycopy(PAD, 0, padded, PAD.length + msg.length, PAD.length);

        datagram(msg, padded, limits);
        stream(msg, padded, chunks, limits);
    }

    private static void datagram(byte[] msg, byte[] padded, SipParseLimits limits) {
        SipMessageView exact = new SipMessageView(limits);
        SipParseResult r = exact.wrap(msg, 0, msg.length);
        AccessorSweep.sweep(exact);
        checkFrame(exact, 0, msg.length, false);

        SipMessageView inPlace = new SipMessageView(limits);
        assertEquals(r, inPlace.wrap(padded, PAD.length, msg.length), "datagram inside a larger array");
        assertSameFrame(exact, 0, inPlace, PAD.length);

        ByteBuf direct = Unpooled.directBuffer(Math.max(1, msg.length)).writeBytes(msg);
        try {
            SipMessageView copied = new SipMessageView(limits);
            assertEquals(r, copied.wrap(direct), "datagram in a direct buffer");
            assertSameFrame(exact, 0, copied, 0);
        } finally {
            direct.release();
        }
    }

    /**
     * Feeds the message to one view in chunks, as a connection's read loop does: {@code continueStream} on the
     * bytes so far, each framed message or keep-alive consumed, until an error closes the connection. At every
     * call a fresh view's {@code wrapStream} of the same bytes must agree.
     */
    private static void stream(byte[] msg, byte[] padded, int[] chunks, SipParseLimits limits) {
        SipMessageView connection = new SipMessageView(limits);
        SipMessageView whole = new SipMessageView(limits);
        int consumed = 0;
        int have = 0;
        for (int k = 0; have < msg.length; k++) {
            have = Math.min(msg.length, have + chunks[k % chunks.length]);
            while (consumed < have) {
                int len = have - consumed;
                SipParseResult r = connection.continueStream(padded, PAD.length + consumed, len);
                SipParseResult w = whole.wrapStream(msg, consumed, len);
                int at = consumed;
                assertEquals(w, r, () -> "chunked and whole stream framing differ at [" + at + ", " + (at + len) + ")");
                if (r == SipParseResult.INCOMPLETE) {
                    break;
                }
                if (r != SipParseResult.OK && r != SipParseResult.KEEPALIVE) {
                    return;
                }
                checkFrame(connection, PAD.length + consumed, len, true);
                assertSameFrame(whole, consumed, connection, PAD.length + consumed);
                AccessorSweep.sweep(connection);
                consumed += connection.frameLength();
            }
        }
    }

    /** The documented frame layout: only CR and LF before the start line, the body inside the message. */
    private static void checkFrame(SipMessageView v, int offset, int length, boolean stream) {
        SipParseResult r = v.parseResult();
        if (r != SipParseResult.OK && r != SipParseResult.KEEPALIVE) {
            return;
        }
        byte[] b = v.buffer();
        assertTrue(v.frameLength() > 0 && v.frameLength() <= length, "frame length " + v.frameLength());
        int frameEnd = offset + v.frameLength();
        int start = r == SipParseResult.OK ? v.messageOffset() : frameEnd;
        assertTrue(start >= offset && start <= frameEnd, "message offset");
        for (int i = offset; i < start; i++) {
            assertTrue(b[i] == '\r' || b[i] == '\n', "only CR and LF may precede a message");
        }
        if (r == SipParseResult.KEEPALIVE) {
            return;
        }
        assertEquals(frameEnd, v.messageOffset() + v.messageLength(), "message ends where the frame ends");
        AsciiView body = v.body();
        assertTrue(body.offset() >= start && body.offset() + body.length() == frameEnd, "body at the message's end");
        int declared = v.contentLength();
        if (stream || declared >= 0) {
            assertEquals(declared, body.length(), "body length is Content-Length");
        }
    }

    /** Same outcome, same frame relative to each view's offset, and the same outcome from every accessor. */
    private static void assertSameFrame(SipMessageView want, int wantOffset, SipMessageView got, int gotOffset) {
        assertEquals(want.parseResult(), got.parseResult());
        if (want.parseResult() != SipParseResult.OK && want.parseResult() != SipParseResult.KEEPALIVE) {
            return;
        }
        assertEquals(want.frameLength(), got.frameLength(), "frame length");
        if (want.parseResult() == SipParseResult.KEEPALIVE) {
            return;
        }
        assertEquals(want.messageOffset() - wantOffset, got.messageOffset() - gotOffset, "message offset");
        assertEquals(want.toString(), got.toString());
        List<String> names = List.copyOf(AccessorOutcomes.ACCESSORS.keySet());
        assertEquals(AccessorOutcomes.record(want, names), AccessorOutcomes.record(got, names));
    }

    private static int at(byte[] input, int i) {
        return i < input.length ? input[i] & 0xff : 0;
    }

    private static byte[] withHeader(byte[] header, byte[] message) {
        byte[] b = Arrays.copyOf(header, header.length + message.length);
        System.arraycopy(message, 0, b, header.length, message.length);
        return b;
    }
}
