package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Property-based evidence for issue 2: generated valid messages parse to what was generated and round-trip
 * through every edit; mutated messages yield only the typed error, never hang, and give the same outcome
 * whatever order their fields are read in; a stream is framed exactly however it is chunked. Seeds are fixed
 * so a run is reproducible, and a failed case prints its seed and inputs ({@link SeededProperty}). Limits and
 * linear work are in {@link SipParseLimitsProperties}.
 */
class SipMessageProperties {
    private static final ExecutorService LOOP_GUARD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mutation-loop-guard");
        t.setDaemon(true);
        return t;
    });
    static final SipParseLimits TIGHT = SipParseLimits.builder()
            .maxMessageBytes(600)
            .maxHeaders(12)
            .maxLineBytes(90)
            .maxValuesPerHeader(2)
            .build();
    static final SipParseLimits ROOMY = SipParseLimits.builder()
            .maxMessageBytes(1 << 20)
            .maxHeaders(512)
            .maxLineBytes(1 << 20)
            .maxValuesPerHeader(512)
            .build();

    /** The most draws {@link #drawUntil} makes: that many without an acceptable input is a broken generator. */
    private static final int MAX_DRAWS = 1000;

    // ------------------------------------------------------------------ (1) parse finds what was generated

    @SeededProperty(seed = 20240601L, cases = 300)
    void parseFindsWhatTheGeneratorPut(PropertyCase c) {
        Random r = c.random();
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(r));
        int junkBefore = c.input("junkBefore", BiasedDraws.between(r, 0, 16));
        int junkAfter = c.input("junkAfter", BiasedDraws.between(r, 0, 16));
        byte[] msg = m.bytes();
        byte[] buf = new byte[junkBefore + msg.length + junkAfter];
        Arrays.fill(buf, (byte) 'x');
        System.arraycopy(msg, 0, buf, junkBefore, msg.length);
        SipMessageView v = new SipMessageView();

        assertEquals(SipParseResult.OK, v.wrap(buf, junkBefore, msg.length + junkAfter), "datagram");
        assertEquals(msg.length, v.messageLength(), "bytes after Content-Length are not part of a datagram");
        MessageChecks.assertParsedAsGenerated(v, m);

        assertEquals(SipParseResult.OK, v.wrapStream(buf, junkBefore, msg.length + junkAfter), "stream");
        assertEquals(msg.length, v.frameLength());
        MessageChecks.assertParsedAsGenerated(v, m);

        ByteBuf direct = Unpooled.directBuffer(msg.length).writeBytes(msg);
        try {
            assertEquals(SipParseResult.OK, v.wrap(direct), "direct ByteBuf");
            MessageChecks.assertParsedAsGenerated(v, m);
        } finally {
            direct.release();
        }
        assertEquals(SipParseResult.OK, v.wrap(Unpooled.wrappedBuffer(buf, junkBefore, msg.length)), "heap ByteBuf");
        MessageChecks.assertParsedAsGenerated(v, m);
    }

    // ------------------------------------------------------------------ (2) edits

    @SeededProperty(seed = 20240602L, cases = 500)
    void eachEditAloneChangesOnlyWhatItEdits(PropertyCase c) {
        Random r = c.random();
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(r));
        MessageEdit edit = c.input("edit", drawUntil(r, MessageEdit::any, e -> e.appliesTo(m)));
        boolean stream = c.input("stream", r.nextBoolean());
        MessageChecks.assertEditedAsPredicted(m, List.of(edit), stream);
    }

    @SeededProperty(seed = 20240603L, cases = 500)
    void editCombinationsChangeOnlyWhatTheyEdit(PropertyCase c) {
        Random r = c.random();
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(r));
        List<MessageEdit> edits = c.input("edits", MessageEdit.combination(r));
        boolean stream = c.input("stream", r.nextBoolean());
        MessageChecks.assertEditedAsPredicted(
                m, edits.stream().filter(e -> e.appliesTo(m)).toList(), stream);
    }

    @SeededProperty(seed = 20240604L, cases = 50)
    void removingAndStampingTheTopViaTogetherIsRejectedAsOverlapping(PropertyCase c) {
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(c.random()));
        SipMessageView v = new SipMessageView();
        byte[] msg = m.bytes();
        assertEquals(SipParseResult.OK, v.wrap(msg, 0, msg.length));
        SipMessageEditor e = new SipMessageEditor().reset(v).removeTopVia().setTopViaReceived("192.0.2.1", 1);
        assertThrows(IllegalStateException.class, () -> e.writeTo(new byte[e.outputLength()], 0));
    }

    // ------------------------------------------------------------------ (3) mutations

    @SeededProperty(seed = 20240605L, cases = 2000)
    void mutatedMessagesYieldOnlyTheTypedErrorAndNeverHang(PropertyCase c) {
        GeneratedMessage m = c.input("message", SipMessageGenerator.message(c.random()));
        List<Mutation> mutations = c.input("mutations", Mutation.list(c.random(), 1, 4));
        byte[] input = c.input("mutated", mutated(m, mutations));
        withinLoopGuard(() -> {
            for (SipParseLimits limits : List.of(SipParseLimits.defaults(), TIGHT)) {
                SipMessageView v = new SipMessageView(limits);
                v.wrap(input, 0, input.length);
                AccessorSweep.sweep(v);
                MessageChecks.editsOfAnyFramedMessageReparse(v, ROOMY);
                v.wrapStream(input, 0, input.length);
                AccessorSweep.sweep(v);
                MessageChecks.editsOfAnyFramedMessageReparse(v, ROOMY);
            }
        });
    }

    /**
     * Decoding is lazy and incremental, but what an accessor yields must not depend on which accessors ran
     * before it: each outcome (value or typed error) is the same in a random order as in a fixed one.
     */
    @SeededProperty(seed = 20240608L, cases = 1000)
    void accessorOutcomesDoNotDependOnCallOrder(PropertyCase c) {
        Random r = c.random();
        boolean tight = c.input("tight", r.nextBoolean());
        SipParseLimits limits = tight ? TIGHT : SipParseLimits.defaults();
        SipMessageView fixed = new SipMessageView(limits);
        // Only a message that frames has accessors to call: draw until one does.
        byte[] b = c.input(
                "mutated",
                drawUntil(
                        r,
                        x -> {
                            GeneratedMessage m = c.input("message", SipMessageGenerator.message(x));
                            return mutated(m, c.input("mutations", Mutation.list(x, 0, 2)));
                        },
                        bytes -> fixed.wrap(bytes, 0, bytes.length) == SipParseResult.OK));
        assertEquals(SipParseResult.OK, fixed.wrap(b, 0, b.length));
        List<String> canonical = List.copyOf(AccessorOutcomes.ACCESSORS.keySet());
        List<String> order = new ArrayList<>(canonical);
        Collections.shuffle(order, r);
        c.input("order", order);
        SipMessageView shuffled = new SipMessageView(limits);
        shuffled.wrap(b, 0, b.length);
        Map<String, String> want = AccessorOutcomes.record(fixed, canonical);
        Map<String, String> got = AccessorOutcomes.record(shuffled, order);
        for (String name : canonical) {
            assertEquals(want.get(name), got.get(name), name + " called in order " + order);
        }
    }

    private static byte[] mutated(GeneratedMessage m, List<Mutation> mutations) {
        byte[] b = m.bytes();
        for (Mutation mu : mutations) {
            b = mu.apply(b);
        }
        return b;
    }

    private static <T> T drawUntil(Random r, Function<Random, T> draw, Predicate<T> accept) {
        for (int i = 0; i < MAX_DRAWS; i++) {
            T t = draw.apply(r);
            if (accept.test(t)) {
                return t;
            }
        }
        throw new AssertionError("no acceptable input in " + MAX_DRAWS + " draws");
    }

    private static void withinLoopGuard(Runnable r) {
        Future<?> f = LOOP_GUARD.submit(r);
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            fail("parsing a mutated message did not finish within 30 s: it loops");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ (4) stream framing

    @SeededProperty(seed = 20240606L, cases = 300)
    void streamFramesEachMessageExactlyHoweverItIsChunked(PropertyCase c) {
        List<GeneratedMessage> messages = c.input("messages", messages(c.random()));
        List<Integer> keepalives =
                c.input("keepalives", BiasedDraws.list(c.random(), 5, 5, x -> BiasedDraws.between(x, 0, 3)));
        List<Integer> chunks =
                c.input("chunks", BiasedDraws.list(c.random(), 1, 20, x -> BiasedDraws.between(x, 1, 400)));
        StreamScript s = new StreamScript(messages, keepalives);
        SipMessageView v = new SipMessageView();
        int have = 0;
        int consumed = 0;
        int next = 0;
        for (int k = 0; consumed < s.bytes.length; k++) {
            have = Math.min(s.bytes.length, have + chunks.get(k % chunks.size()));
            while (consumed < have) {
                byte[] window = Arrays.copyOfRange(s.bytes, consumed, have);
                SipParseResult r = v.wrapStream(window, 0, window.length);
                if (r == SipParseResult.INCOMPLETE) {
                    assertTrue(next < messages.size() && have < s.ends[next], "INCOMPLETE with a whole message");
                    break;
                }
                assertTrue(
                        allCrLf(window, 0, r == SipParseResult.OK ? v.messageOffset() : v.frameLength()),
                        "only CRLF may precede a message");
                if (r == SipParseResult.KEEPALIVE) {
                    assertEquals(window.length, v.frameLength(), "KEEPALIVE consumes all the CRLFs there are");
                } else {
                    assertEquals(SipParseResult.OK, r);
                    assertEquals(s.ends[next], consumed + v.frameLength(), "message " + next + " frame end");
                    assertEquals(
                            Latin1.of(s.message(next), 0, s.message(next).length),
                            Latin1.of(window, v.messageOffset(), v.messageLength()));
                    next++;
                }
                consumed += v.frameLength();
            }
        }
        assertEquals(messages.size(), next, "every message framed");
    }

    /** Read up to each boundary of the stream in turn: the keep-alive alone is KEEPALIVE, then the message OK. */
    @SeededProperty(seed = 20240607L, cases = 100)
    void keepalivesBetweenMessagesYieldKeepalive(PropertyCase c) {
        List<GeneratedMessage> messages = c.input("messages", messages(c.random()));
        List<Integer> keepalives =
                c.input("keepalives", BiasedDraws.list(c.random(), 5, 5, x -> BiasedDraws.between(x, 1, 3)));
        StreamScript s = new StreamScript(messages, keepalives);
        SipMessageView v = new SipMessageView();
        int consumed = 0;
        for (int i = 0; i < messages.size(); i++) {
            assertEquals(SipParseResult.KEEPALIVE, v.wrapStream(s.bytes, consumed, s.starts[i] - consumed));
            assertEquals(2 * keepalives.get(i), v.frameLength());
            consumed += v.frameLength();
            assertEquals(SipParseResult.OK, v.wrapStream(s.bytes, consumed, s.ends[i] - consumed));
            assertEquals(s.ends[i] - s.starts[i], v.frameLength());
            consumed += v.frameLength();
        }
        assertEquals(SipParseResult.KEEPALIVE, v.wrapStream(s.bytes, consumed, s.bytes.length - consumed));
        assertEquals(s.bytes.length, consumed + v.frameLength());
    }

    /** One to four messages, to be sent on one stream. */
    private static List<GeneratedMessage> messages(Random r) {
        return BiasedDraws.list(r, 1, 4, SipMessageGenerator::message);
    }

    private static boolean allCrLf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != '\r' && b[i] != '\n') {
                return false;
            }
        }
        return true;
    }

    /** Messages with 0..3 CRLF keep-alives before each and after the last, concatenated as one byte stream. */
    private static final class StreamScript {
        final byte[] bytes;
        final int[] starts;
        final int[] ends;

        StreamScript(List<GeneratedMessage> messages, List<Integer> keepalives) {
            StringBuilder s = new StringBuilder();
            starts = new int[messages.size()];
            ends = new int[messages.size()];
            for (int i = 0; i < messages.size(); i++) {
                s.append("\r\n".repeat(keepalives.get(i)));
                starts[i] = s.length();
                s.append(messages.get(i).text());
                ends[i] = s.length();
            }
            s.append("\r\n".repeat(keepalives.get(messages.size())));
            bytes = Latin1.bytes(s.toString());
        }

        byte[] message(int i) {
            return Arrays.copyOfRange(bytes, starts[i], ends[i]);
        }
    }
}
