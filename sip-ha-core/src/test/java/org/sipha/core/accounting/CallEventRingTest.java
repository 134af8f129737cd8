package org.sipha.core.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.AsciiView;
import org.sipha.core.spi.CallAccountingSink;
import org.sipha.core.spi.CallEventKind;

class CallEventRingTest {
    private static final InetSocketAddress DEST = new InetSocketAddress("127.0.0.1", 5081);
    private static final InetSocketAddress SRC = new InetSocketAddress("192.0.2.7", 5060);

    static AsciiView view(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new AsciiView().wrap(b, 0, b.length);
    }

    static void record(CallAccountingSink sink, CallEventKind kind, long cseq, String callId) {
        sink.record(
                kind,
                1000 + cseq,
                200,
                cseq,
                view(callId),
                view("ftag"),
                view("ttag"),
                view("sip:alice@a.test"),
                view("sip:bob@b.test"),
                DEST,
                SRC);
    }

    /** A copy of what a drain handed over. */
    record Seen(
            CallEventKind kind,
            long epochMs,
            int code,
            long cseq,
            String callId,
            String callerTag,
            String calleeTag,
            String callerUri,
            String calleeUri,
            InetSocketAddress dest,
            InetSocketAddress src) {
        static Seen of(CallEvent e) {
            return new Seen(
                    e.kind(),
                    e.epochMs(),
                    e.sipCode(),
                    e.cseq(),
                    e.callId(),
                    e.callerTag(),
                    e.calleeTag(),
                    e.callerUri(),
                    e.calleeUri(),
                    e.destination(),
                    e.source());
        }
    }

    @Test
    void drainsRecordedEventsInOrderWithEveryField() {
        CallEventRings rings = new CallEventRings(8, 128);
        CallAccountingSink sink = rings.sinkForLoop(0);
        record(sink, CallEventKind.OUTCOME, 1, "a@h");
        record(sink, CallEventKind.START, 2, "b@h");
        sink.record(CallEventKind.STOP, 5, 0, 3, view("c@h"), null, null, null, null, null, null);
        List<Seen> seen = new ArrayList<>();
        assertEquals(3, rings.drain(e -> seen.add(Seen.of(e)), 100));
        assertEquals(
                new Seen(
                        CallEventKind.OUTCOME,
                        1001,
                        200,
                        1,
                        "a@h",
                        "ftag",
                        "ttag",
                        "sip:alice@a.test",
                        "sip:bob@b.test",
                        DEST,
                        SRC),
                seen.get(0));
        assertEquals(CallEventKind.START, seen.get(1).kind());
        assertEquals(new Seen(CallEventKind.STOP, 5, 0, 3, "c@h", "", "", "", "", null, null), seen.get(2));
        assertEquals(0, rings.drain(e -> seen.add(Seen.of(e)), 100));
    }

    @Test
    void aFullRingDropsAndCountsInsteadOfWaiting() {
        CallEventRings rings = new CallEventRings(4, 128);
        CallEventRing ring = (CallEventRing) rings.sinkForLoop(0);
        for (int i = 0; i < 10; i++) {
            record(ring, CallEventKind.OUTCOME, i, "call-" + i);
        }
        assertEquals(4, ring.capacity());
        assertEquals(6, ring.dropped());
        assertEquals(6, rings.lost());
        List<Long> cseqs = new ArrayList<>();
        ring.drain(e -> cseqs.add(e.cseq()), 100);
        assertEquals(List.of(0L, 1L, 2L, 3L), cseqs, "the first four kept, later ones dropped");
        record(ring, CallEventKind.OUTCOME, 10, "call-10");
        assertEquals(1, ring.size(), "room again once drained");
    }

    @Test
    void aKeyLongerThanASlotIsRefusedAndLongUrisAreCut() {
        CallEventRings rings = new CallEventRings(4, 64);
        CallEventRing ring = (CallEventRing) rings.sinkForLoop(0);
        record(ring, CallEventKind.START, 1, "x".repeat(60));
        assertEquals(1, ring.tooLong());
        assertEquals(0, ring.size());
        record(ring, CallEventKind.START, 2, "y".repeat(40)); // key 48 bytes, 16 left for 30 bytes of URIs
        assertEquals(1, ring.truncated());
        List<Seen> seen = new ArrayList<>();
        ring.drain(e -> seen.add(Seen.of(e)), 10);
        assertEquals("y".repeat(40), seen.get(0).callId());
        assertEquals("ttag", seen.get(0).calleeTag());
        assertEquals("sip:alice@a.test", seen.get(0).callerUri());
        assertEquals("", seen.get(0).calleeUri());
    }

    @Test
    void eventsAHandlerFailedOnComeAgain() {
        CallEventRings rings = new CallEventRings(8, 128);
        CallAccountingSink sink = rings.sinkForLoop(0);
        record(sink, CallEventKind.OUTCOME, 1, "a");
        record(sink, CallEventKind.OUTCOME, 2, "b");
        List<Long> seen = new ArrayList<>();
        assertThrows(
                IllegalStateException.class,
                () -> rings.drain(
                        e -> {
                            seen.add(e.cseq());
                            if (e.cseq() == 2) {
                                throw new IllegalStateException("store failed");
                            }
                        },
                        10));
        assertEquals(2, rings.drain(e -> seen.add(e.cseq()), 10));
        assertEquals(List.of(1L, 2L, 1L, 2L), seen);
    }

    @Test
    void eachLoopGetsARingOfItsOwn() {
        CallEventRings rings = new CallEventRings(8, 128);
        CallAccountingSink a = rings.sinkForLoop(0);
        CallAccountingSink b = rings.sinkForLoop(1);
        record(a, CallEventKind.OUTCOME, 1, "a");
        record(b, CallEventKind.OUTCOME, 2, "b");
        assertEquals(2, rings.rings().size());
        assertEquals(2, rings.waiting());
        assertEquals(2, rings.drain(e -> {}, 10));
    }

    /** A producer and a consumer on two threads: every event arrives once, in order, with consistent fields. */
    @Test
    void aConcurrentConsumerSeesEveryEventOnceInOrderAndWhole() throws Exception {
        int total = 2_000_000;
        CallEventRings rings = new CallEventRings(256, 128);
        CallEventRing ring = (CallEventRing) rings.sinkForLoop(0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            AsciiView callId = new AsciiView();
            byte[] text = new byte[20];
            for (int i = 0; i < total; i++) {
                int len = digits(i, text);
                callId.wrap(text, 0, len);
                ring.record(CallEventKind.OUTCOME, i, i % 700, i, callId, null, null, null, null, null, null);
            }
        });
        long[] next = {0};
        long[] received = {0};
        producer.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        CallEventHandler check = e -> {
            if (e.cseq() < next[0]
                    || !e.callId().equals(Long.toString(e.cseq()))
                    || e.epochMs() != e.cseq()
                    || e.sipCode() != e.cseq() % 700) {
                failure.compareAndSet(null, new AssertionError("bad event after " + next[0] + ": " + Seen.of(e)));
            }
            next[0] = e.cseq() + 1;
            received[0]++;
        };
        while ((producer.isAlive() || ring.size() > 0) && System.nanoTime() < deadline) {
            if (ring.drain(check, 64) == 0) {
                Thread.onSpinWait();
            }
        }
        producer.join(10_000);
        assertEquals(null, failure.get());
        assertEquals(total, received[0] + ring.dropped(), "every event either arrived or was counted as dropped");
        assertTrue(received[0] > 0);
    }

    private static int digits(int v, byte[] out) {
        String s = Integer.toString(v);
        for (int i = 0; i < s.length(); i++) {
            out[i] = (byte) s.charAt(i);
        }
        return s.length();
    }
}
