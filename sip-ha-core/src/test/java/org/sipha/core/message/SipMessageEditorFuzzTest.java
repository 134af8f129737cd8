package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of {@link SipMessageEditor}: a fuzzer-chosen sequence of edits on any message that
 * frames. Every edit of a framed message must throw only the typed error or write a message that frames again
 * ({@link MessageChecks#editsOfAnyFramedMessageReparse}). On a message that validates, the sequence's output must
 * be {@code outputLength()} bytes whichever way it is written, frame and validate again, hold every line the edits
 * did not touch byte for byte ({@link FramedEditOracle}) and read back what the edits set. Edits that are misuse
 * by the editor's contract are left out of a sequence: a second edit of the top Via, Max-Forwards, Request-URI or
 * top Route (they would overlap), a Request-URI for a response, a Route removal without a Route value.
 *
 * <p>Input layout: byte 0 is the number of edits (modulo 9); bytes 1 to 24 are eight edits of three bytes, an edit
 * kind (modulo 8) and a 16-bit seed for the values {@link SipMessageGenerator} draws for it; the rest is the
 * message. Seeds: every stored message ({@link SipSeedMessages}) with all eight kinds, starting at a different
 * kind for each message. How fuzz targets run: {@link SipMessageViewFuzzTest}.
 */
class SipMessageEditorFuzzTest {
    private static final int EDITS = 8;
    private static final int HEADER = 1 + 3 * EDITS;
    private static final int OUT_OFFSET = 5;
    private static final byte GUARD = (byte) 0xA5;

    static Stream<Named<byte[]>> seeds() {
        AtomicInteger index = new AtomicInteger();
        return SipSeedMessages.all().map(m -> {
            int first = index.getAndIncrement();
            byte[] b = new byte[HEADER + m.getPayload().length];
            b[0] = EDITS;
            for (int i = 0; i < EDITS; i++) {
                b[1 + 3 * i] = (byte) ((first + i) % EDITS);
                b[2 + 3 * i] = (byte) first;
                b[3 + 3 * i] = (byte) i;
            }
            System.arraycopy(m.getPayload(), 0, b, HEADER, m.getPayload().length);
            return Named.of(m.getName(), b);
        });
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "30s")
    void editsOfAFramedMessageChangeOnlyWhatTheyEdit(byte[] input) {
        byte[] msg = Arrays.copyOfRange(input, Math.min(HEADER, input.length), input.length);
        SipMessageView v = new SipMessageView();
        if (v.wrap(msg, 0, msg.length) != SipParseResult.OK) {
            return;
        }
        MessageChecks.editsOfAnyFramedMessageReparse(v, SipMessageProperties.ROOMY);
        if (v.validate() != SipParseResult.OK) {
            return;
        }
        SipMessageEditor editor = new SipMessageEditor().reset(v);
        List<MessageEdit> edits = new ArrayList<>();
        for (MessageEdit e : script(input, v)) {
            try {
                e.applyTo(editor);
            } catch (SipSyntaxException typed) {
                assertTrue(typed.result().isError(), "SipSyntaxException without an error result");
                return; // the edit read a malformed header: the typed error is the answer
            }
            edits.add(e);
        }
        byte[] out = written(editor);
        editor.reset(v);
        edits.forEach(e -> e.applyTo(editor));
        assertArrayEquals(out, written(editor), "the same edits after reset");

        SipMessageView w = new SipMessageView(SipMessageProperties.ROOMY);
        assertEquals(SipParseResult.OK, w.wrap(out, 0, out.length), () -> "edited output of\n" + v);
        assertEquals(0, w.messageOffset());
        assertEquals(out.length, w.messageLength(), "the output is one whole message");
        int[] stamped = new FramedEditOracle(v, edits).assertLinesAsPredicted(w);
        SipMessageView original = new SipMessageView(SipMessageProperties.ROOMY);
        original.wrap(msg, 0, msg.length);
        EditedFields.assertReadBack(original, w, edits, stamped);
    }

    /** The output written into an array at an offset (guard bytes around it unchanged) and into a ByteBuf. */
    private static byte[] written(SipMessageEditor editor) {
        int n = editor.outputLength();
        byte[] dst = new byte[OUT_OFFSET + n + OUT_OFFSET];
        Arrays.fill(dst, GUARD);
        assertEquals(n, editor.writeTo(dst, OUT_OFFSET), "writeTo(byte[]) returns outputLength()");
        for (int i = 0; i < OUT_OFFSET; i++) {
            assertEquals(GUARD, dst[i], "byte before the output");
            assertEquals(GUARD, dst[OUT_OFFSET + n + i], "byte after the output");
        }
        byte[] out = Arrays.copyOfRange(dst, OUT_OFFSET, OUT_OFFSET + n);
        ByteBuf buf = Unpooled.buffer(1);
        assertEquals(n, editor.writeTo(buf), "writeTo(ByteBuf) returns outputLength()");
        byte[] viaBuf = new byte[buf.readableBytes()];
        buf.readBytes(viaBuf);
        assertArrayEquals(out, viaBuf, "writeTo(ByteBuf) writes what writeTo(byte[]) writes");
        assertThrows(IndexOutOfBoundsException.class, () -> editor.writeTo(new byte[n], 1), "no room");
        return out;
    }

    /** The input's edits, without the ones the editor's contract calls misuse on {@code v}. */
    private static List<MessageEdit> script(byte[] input, SipMessageView v) {
        int n = (input.length == 0 ? 0 : input[0] & 0xff) % (EDITS + 1);
        List<MessageEdit> edits = new ArrayList<>();
        boolean topVia = false;
        boolean topRoute = false;
        boolean maxForwards = false;
        boolean requestUri = false;
        for (int i = 0; i < n && 3 + 3 * i < input.length; i++) {
            int kind = (input[1 + 3 * i] & 0xff) % EDITS;
            Random r = new Random(((input[2 + 3 * i] & 0xff) << 8) | (input[3 + 3 * i] & 0xff));
            MessageEdit e = edit(kind, r);
            if (e instanceof MessageEdit.RemoveTopVia
                    || e instanceof MessageEdit.SetTopViaReceived
                    || e instanceof MessageEdit.SetTopViaReceivedAndRport) {
                if (topVia) {
                    continue;
                }
                topVia = true;
            } else if (e instanceof MessageEdit.RemoveTopRoute) {
                if (topRoute || !hasRouteValue(v)) {
                    continue;
                }
                topRoute = true;
            } else if (e instanceof MessageEdit.SetMaxForwards) {
                if (maxForwards) {
                    continue;
                }
                maxForwards = true;
            } else if (e instanceof MessageEdit.SetRequestUri) {
                if (requestUri || !v.isRequest()) {
                    continue;
                }
                requestUri = true;
            }
            edits.add(e);
        }
        return edits;
    }

    /** Whether the message holds a Route value ({@code Route:} may be an empty list); a malformed one counts. */
    private static boolean hasRouteValue(SipMessageView v) {
        try {
            v.route(0);
            return true;
        } catch (SipSyntaxException e) {
            return true;
        } catch (IndexOutOfBoundsException e) {
            return false;
        }
    }

    private static MessageEdit edit(int kind, Random r) {
        return switch (kind) {
            case 0 -> new MessageEdit.PrependVia(SipMessageGenerator.via(r));
            case 1 -> new MessageEdit.RemoveTopVia();
            case 2 -> MessageEdit.receivedEdit(r);
            case 3 ->
                new MessageEdit.SetTopViaReceivedAndRport(
                        BiasedDraws.orNull(
                                r,
                                0.2,
                                x -> x.nextBoolean() ? SipMessageGenerator.ipv4(x) : SipMessageGenerator.ipv6(x)),
                        BiasedDraws.between(r, 0, 65535));
            case 4 ->
                new MessageEdit.PrependRecordRoute(
                        SipMessageGenerator.routeEntry(r).unfolded());
            case 5 -> new MessageEdit.RemoveTopRoute();
            case 6 -> new MessageEdit.SetMaxForwards(BiasedDraws.between(r, 0, Integer.MAX_VALUE));
            default -> new MessageEdit.SetRequestUri(SipMessageGenerator.requestUri(r));
        };
    }
}
