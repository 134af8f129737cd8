package org.sipha.core.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Property-based evidence for issue 2: generated valid messages parse to what was generated and round-trip
 * through every edit; mutated messages yield only the typed error, never hang, and give the same outcome
 * whatever order their fields are read in; a stream is framed exactly however it is chunked. Seeds are fixed
 * so a run is reproducible; jqwik prints the seed of any failure. Limits and linear work are in
 * {@link SipParseLimitsProperties}.
 */
class SipMessageProperties {
    private static final ExecutorService LOOP_GUARD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mutation-loop-guard");
        t.setDaemon(true);
        return t;
    });
    private static final SipParseLimits TIGHT = SipParseLimits.builder().maxMessageBytes(600).maxHeaders(12)
        .maxLineBytes(90).maxValuesPerHeader(2).build();
    private static final SipParseLimits ROOMY = SipParseLimits.builder().maxMessageBytes(1 << 20)
        .maxHeaders(512).maxLineBytes(1 << 20).maxValuesPerHeader(512).build();

    @Provide
    Arbitrary<GeneratedMessage> messages() {
        return SipMessageArbitraries.messages();
    }

    @Provide
    Arbitrary<MessageEdit> singleEdits() {
        return MessageEdit.any();
    }

    @Provide
    Arbitrary<List<MessageEdit>> editCombinations() {
        return MessageEdit.combinations();
    }

    @Provide
    Arbitrary<List<String>> accessorOrders() {
        return Arbitraries.shuffle(List.copyOf(AccessorOutcomes.ACCESSORS.keySet()));
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.mutations().list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<Mutation>> fewMutations() {
        return Mutation.mutations().list().ofMaxSize(2);
    }

    // ------------------------------------------------------------------ (1) parse finds what was generated

    @Property(tries = 300, seed = "20240601")
    void parseFindsWhatTheGeneratorPut(@ForAll("messages") GeneratedMessage m,
                                       @ForAll @IntRange(max = 16) int junkBefore,
                                       @ForAll @IntRange(max = 16) int junkAfter) {
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

    @Property(tries = 500, seed = "20240602")
    void eachEditAloneChangesOnlyWhatItEdits(@ForAll("messages") GeneratedMessage m,
                                             @ForAll("singleEdits") MessageEdit edit, @ForAll boolean stream) {
        Assume.that(edit.appliesTo(m));
        MessageChecks.assertEditedAsPredicted(m, List.of(edit), stream);
    }

    @Property(tries = 500, seed = "20240603")
    void editCombinationsChangeOnlyWhatTheyEdit(@ForAll("messages") GeneratedMessage m,
                                                @ForAll("editCombinations") List<MessageEdit> edits,
                                                @ForAll boolean stream) {
        MessageChecks.assertEditedAsPredicted(m, edits.stream().filter(e -> e.appliesTo(m)).toList(), stream);
    }

    @Property(tries = 50, seed = "20240604")
    void removingAndStampingTheTopViaTogetherIsRejectedAsOverlapping(@ForAll("messages") GeneratedMessage m) {
        SipMessageView v = new SipMessageView();
        byte[] msg = m.bytes();
        assertEquals(SipParseResult.OK, v.wrap(msg, 0, msg.length));
        SipMessageEditor e = new SipMessageEditor().reset(v).removeTopVia().setTopViaReceived("192.0.2.1", 1);
        assertThrows(IllegalStateException.class, () -> e.writeTo(new byte[e.outputLength()], 0));
    }

    // ------------------------------------------------------------------ (3) mutations

    @Property(tries = 2000, seed = "20240605")
    void mutatedMessagesYieldOnlyTheTypedErrorAndNeverHang(@ForAll("messages") GeneratedMessage m,
                                                          @ForAll("mutations") List<Mutation> mutations) {
        byte[] b = m.bytes();
        for (Mutation mu : mutations) {
            b = mu.apply(b);
        }
        byte[] input = b;
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
    @Property(tries = 1000, seed = "20240608")
    void accessorOutcomesDoNotDependOnCallOrder(@ForAll("messages") GeneratedMessage m,
                                                @ForAll("fewMutations") List<Mutation> mutations,
                                                @ForAll("accessorOrders") List<String> order,
                                                @ForAll boolean tight) {
        byte[] b = m.bytes();
        for (Mutation mu : mutations) {
            b = mu.apply(b);
        }
        SipParseLimits limits = tight ? TIGHT : SipParseLimits.defaults();
        SipMessageView fixed = new SipMessageView(limits);
        SipMessageView shuffled = new SipMessageView(limits);
        Assume.that(fixed.wrap(b, 0, b.length) == SipParseResult.OK);
        shuffled.wrap(b, 0, b.length);
        List<String> canonical = List.copyOf(AccessorOutcomes.ACCESSORS.keySet());
        Map<String, String> want = AccessorOutcomes.record(fixed, canonical);
        Map<String, String> got = AccessorOutcomes.record(shuffled, order);
        for (String name : canonical) {
            assertEquals(want.get(name), got.get(name), name + " called in order " + order);
        }
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

    @Property(tries = 300, seed = "20240606")
    void streamFramesEachMessageExactlyHoweverItIsChunked(
        @ForAll @Size(min = 1, max = 4) List<@From("messages") GeneratedMessage> messages,
        @ForAll @Size(5) List<@IntRange(max = 3) Integer> keepalives,
        @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 400) Integer> chunks) {
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
                assertTrue(allCrLf(window, 0, r == SipParseResult.OK ? v.messageOffset() : v.frameLength()),
                    "only CRLF may precede a message");
                if (r == SipParseResult.KEEPALIVE) {
                    assertEquals(window.length, v.frameLength(), "KEEPALIVE consumes all the CRLFs there are");
                } else {
                    assertEquals(SipParseResult.OK, r);
                    assertEquals(s.ends[next], consumed + v.frameLength(), "message " + next + " frame end");
                    assertEquals(Latin1.of(s.message(next), 0, s.message(next).length),
                        Latin1.of(window, v.messageOffset(), v.messageLength()));
                    next++;
                }
                consumed += v.frameLength();
            }
        }
        assertEquals(messages.size(), next, "every message framed");
    }

    /** Read up to each boundary of the stream in turn: the keep-alive alone is KEEPALIVE, then the message OK. */
    @Property(tries = 100, seed = "20240607")
    void keepalivesBetweenMessagesYieldKeepalive(
        @ForAll @Size(min = 1, max = 4) List<@From("messages") GeneratedMessage> messages,
        @ForAll @Size(5) List<@IntRange(min = 1, max = 3) Integer> keepalives) {
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
