package org.sipha.core.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.core.accounting.CallEventRingTest.record;
import static org.sipha.core.accounting.CallEventRingTest.view;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipha.core.accounting.CallEventRingTest.Seen;
import org.sipha.core.spi.CallAccountingSink;
import org.sipha.core.spi.CallEventKind;

class CallEventRingFileTest {
    @TempDir
    Path dir;

    private static List<Seen> recover(Path file, CallEventRingFile.Recovered[] out) throws IOException {
        List<Seen> seen = new ArrayList<>();
        out[0] = CallEventRingFile.recover(file, e -> seen.add(Seen.of(e)));
        return seen;
    }

    @Test
    void recordReadAndReleaseMoveTheFilesPositions() throws IOException {
        Path prefix = dir.resolve("acc.spool");
        CallEventRings rings = CallEventRings.inFiles(prefix, 8, 128);
        CallAccountingSink sink = rings.sinkForLoop(0);
        Path file = prefix.resolveSibling("acc.spool.ring-0");
        assertTrue(Files.exists(file));
        for (int i = 1; i <= 5; i++) {
            record(sink, CallEventKind.OUTCOME, i, "c" + i + "@h");
        }
        List<Seen> read = new ArrayList<>();
        assertEquals(3, rings.read(e -> read.add(Seen.of(e)), 3));
        assertEquals(2, rings.waiting(), "read, not waiting any more");
        CallEventRingFile.Recovered[] r = new CallEventRingFile.Recovered[1];
        assertEquals(5, recover(file, r).size(), "read but not released: still in the file");
        rings.release();
        List<Seen> left = recover(file, r);
        assertEquals(List.of("c4@h", "c5@h"), left.stream().map(Seen::callId).toList());
        assertEquals(read.get(0).dest(), new InetSocketAddress("127.0.0.1", 5081));
        assertEquals(0, r[0].skipped());
    }

    @Test
    void moreDistinctAddressesThanTheEncodingCacheHoldsAreEachRecordedAsTheyWere() throws IOException {
        Path prefix = dir.resolve("many.spool");
        CallEventRings rings = CallEventRings.inFiles(prefix, 64, 128);
        CallAccountingSink sink = rings.sinkForLoop(0);
        List<InetSocketAddress> dests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // 20 distinct PBXs (half IPv6), each met twice, 20 events apart: past the cache of 16
            InetSocketAddress d = i % 20 < 10
                    ? new InetSocketAddress("10.0.0." + (i % 20), 5060)
                    : new InetSocketAddress("fd00::" + (i % 20), 5060);
            dests.add(d);
            sink.record(
                    CallEventKind.OUTCOME,
                    i,
                    200,
                    i,
                    view("m" + i),
                    view("f"),
                    null,
                    null,
                    null,
                    d,
                    new InetSocketAddress("192.0.2." + (i % 3), 5060));
        }
        CallEventRingFile.Recovered[] r = new CallEventRingFile.Recovered[1];
        List<Seen> seen = recover(prefix.resolveSibling("many.spool.ring-0"), r);
        assertEquals(dests, seen.stream().map(Seen::dest).toList());
        assertEquals(new InetSocketAddress("192.0.2.2", 5060), seen.get(38).src(), "the source of event 38 (38 % 3)");
        assertEquals(0, r[0].skipped());
    }

    @Test
    void slotsAreReusedOnlyOnceReleased() {
        CallEventRings rings = CallEventRings.inFiles(dir.resolve("s"), 4, 128);
        CallAccountingSink sink = rings.sinkForLoop(0);
        for (int i = 0; i < 4; i++) {
            record(sink, CallEventKind.START, i, "a" + i);
        }
        assertEquals(4, rings.read(e -> {}, 10));
        record(sink, CallEventKind.START, 9, "dropped");
        assertEquals(1, rings.lost(), "read but not released: no room");
        rings.release();
        record(sink, CallEventKind.START, 10, "kept");
        List<String> ids = new ArrayList<>();
        rings.read(e -> ids.add(e.callId()), 10);
        assertEquals(List.of("kept"), ids);
    }

    @Test
    void aNewReaderRecoversWhatADeadRingLeftWithEveryField() throws IOException {
        Path prefix = dir.resolve("acc.spool");
        CallEventRings old = CallEventRings.inFiles(prefix, 16, 128);
        CallAccountingSink s0 = old.sinkForLoop(0);
        CallAccountingSink s1 = old.sinkForLoop(1);
        record(s0, CallEventKind.OUTCOME, 1, "a@h");
        s0.record(
                CallEventKind.STOP,
                77,
                0,
                3,
                view("b@h"),
                null,
                view("tt"),
                null,
                view("sip:x@y"),
                new InetSocketAddress("::1", 5090),
                null);
        record(s1, CallEventKind.START, 2, "c@h");
        old.read(e -> {}, 10); // read but never released: the process "died" before the write returned
        List<Seen> before = new ArrayList<>();
        CallEventRings twin = CallEventRings.inFiles(dir.resolve("twin"), 16, 128);
        CallAccountingSink t0 = twin.sinkForLoop(0);
        record(t0, CallEventKind.OUTCOME, 1, "a@h");
        twin.read(e -> before.add(Seen.of(e)), 1);

        List<Path> files = CallEventRings.takeOver(prefix);
        assertEquals(
                List.of(dir.resolve("acc.spool.recover-0"), dir.resolve("acc.spool.recover-1")),
                files.stream().map(Path::toAbsolutePath).toList());
        assertFalse(Files.exists(dir.resolve("acc.spool.ring-0")), "the names are free for new rings");
        CallEventRingFile.Recovered[] r = new CallEventRingFile.Recovered[1];
        List<Seen> first = recover(files.get(0), r);
        assertEquals(2, r[0].events());
        assertEquals(before.get(0), first.get(0), "every field as recorded");
        Seen stop = first.get(1);
        assertEquals(CallEventKind.STOP, stop.kind());
        assertEquals("", stop.callerTag());
        assertEquals("tt", stop.calleeTag());
        assertEquals("sip:x@y", stop.calleeUri());
        assertEquals(new InetSocketAddress("::1", 5090), stop.dest());
        assertNull(stop.src());
        assertEquals("c@h", recover(files.get(1), r).get(0).callId());

        CallEventRings.inFiles(prefix, 16, 128).sinkForLoop(0); // a new process's ring takes the old name
        assertEquals(
                List.of("acc.spool.recover-0", "acc.spool.recover-1", "acc.spool.recover-2"),
                CallEventRings.takeOver(prefix).stream()
                        .map(p -> p.getFileName().toString())
                        .toList(),
                "unfinished recoveries are kept and numbered after");
    }

    @Test
    void tornSlotsAreSkippedAndCountedGarbageFilesRefused() throws IOException {
        Path prefix = dir.resolve("t");
        CallEventRings rings = CallEventRings.inFiles(prefix, 8, 128);
        CallAccountingSink sink = rings.sinkForLoop(0);
        for (int i = 0; i < 6; i++) {
            record(sink, CallEventKind.OUTCOME, i, "call-" + i);
        }
        Path file = dir.resolve("t.ring-0");
        int slot = CallEventRingFile.slotBytes(128);
        flip(file, CallEventRingFile.HEADER_BYTES + 2 * slot + CallEventRingFile.SLOT_HEADER + 1); // a text byte
        flip(file, CallEventRingFile.HEADER_BYTES + 4 * slot + 8); // the position
        CallEventRingFile.Recovered[] r = new CallEventRingFile.Recovered[1];
        List<Seen> seen = recover(file, r);
        assertEquals(
                List.of("call-0", "call-1", "call-3", "call-5"),
                seen.stream().map(Seen::callId).toList());
        assertEquals(2, r[0].skipped());

        Path garbage = dir.resolve("garbage");
        Files.write(garbage, new byte[4096]);
        assertTrue(CallEventRingFile.recover(garbage, e -> {}).isRefused());
        Files.write(garbage, new byte[3]);
        assertTrue(CallEventRingFile.recover(garbage, e -> {}).isRefused());
    }

    @Test
    void fuzzedFilesNeverThrowAndNeverYieldMoreThanWasRecorded() throws IOException {
        Random rnd = new Random(11);
        for (int round = 0; round < 200; round++) {
            Path prefix = dir.resolve("f" + round);
            CallEventRings rings = CallEventRings.inFiles(prefix, 8, 64);
            CallAccountingSink sink = rings.sinkForLoop(0);
            for (int i = 0; i < 8; i++) {
                record(sink, CallEventKind.values()[i % 3], i, "id" + i);
            }
            Path file = dir.resolve("f" + round + ".ring-0");
            long size = Files.size(file);
            int flips = 1 + rnd.nextInt(8);
            for (int i = 0; i < flips; i++) {
                // half of the flips hit the header, where a position or a size breaks the whole file
                int at = rnd.nextBoolean() ? rnd.nextInt(CallEventRingFile.HEADER_BYTES) : rnd.nextInt((int) size);
                flip(file, at);
            }
            CallEventRingFile.Recovered r = CallEventRingFile.recover(file, e -> {
                assertTrue(e.callId().startsWith("id"), e.callId());
            });
            assertTrue(r.isRefused() || r.events() + r.skipped() <= 8, r.toString());
        }
    }

    private static void flip(Path file, int at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ (1 + new Random(at).nextInt(255))));
            ch.write(b.position(0), at);
        }
    }
}
