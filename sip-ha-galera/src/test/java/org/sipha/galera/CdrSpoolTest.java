package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CdrSpoolTest {
    @TempDir
    Path dir;

    static Cdr cdr(int i) {
        String callId = "call-" + i + "@spool.test";
        return new Cdr(
                Cdr.idFor(callId, "tag" + i),
                callId,
                "sip:a" + i + "@x",
                "sip:b@y",
                1_700_000_000_000L + i,
                i,
                "ANSWERED");
    }

    static List<Cdr> cdrs(int from, int to) {
        List<Cdr> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(cdr(i));
        }
        return l;
    }

    @Test
    void appendedRecordsSurviveReopenAndAreReadInOrder() throws IOException {
        Path f = dir.resolve("cdr.spool");
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            s.append(cdrs(0, 10));
            s.append(cdrs(10, 25));
        }
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(0, s.truncatedBytesOnOpen());
            assertEquals(25, s.pending());
            assertEquals(cdrs(0, 25), s.peek(100).cdrs());
        }
    }

    @Test
    void consumedOffsetSurvivesReopenAndDrainShrinksFile() throws IOException {
        Path f = dir.resolve("cdr.spool");
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            s.append(cdrs(0, 30));
            s.markConsumed(s.peek(12));
        }
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(18, s.pending());
            CdrSpool.Batch b = s.peek(100);
            assertEquals(cdrs(12, 30), b.cdrs());
            s.markConsumed(b);
            assertEquals(0, s.pending());
            assertEquals(SpoolFormat.HEADER_BYTES, Files.size(f));
        }
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(0, s.pending());
        }
    }

    @Test
    void tornTailIsDetectedAndTruncatedKeepingEveryCompleteRecord() throws IOException {
        Path f = dir.resolve("cdr.spool");
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            s.append(cdrs(0, 5));
        }
        long good = Files.size(f);
        // a crash in the middle of the 6th append: its header and half its payload reached the disk
        byte[] p = SpoolFormat.encode(cdr(5));
        ByteBuffer torn = ByteBuffer.allocate(8 + p.length / 2).putInt(p.length).putInt(0x12345678);
        torn.put(p, 0, p.length / 2).flip();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.APPEND)) {
            ch.write(torn);
        }
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(8 + p.length / 2, s.truncatedBytesOnOpen());
            assertEquals(good, Files.size(f));
            assertEquals(cdrs(0, 5), s.peek(100).cdrs());
            s.append(cdrs(5, 7));
        }
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(0, s.truncatedBytesOnOpen());
            assertEquals(cdrs(0, 7), s.peek(100).cdrs());
        }
    }

    @Test
    void recordWithBadCrcFollowedByAnAbsurdLengthAtTheEndIsQuarantinedAndCutOff() throws IOException {
        Path f = dir.resolve("cdr.spool");
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            s.append(cdrs(0, 3));
        }
        long good = Files.size(f);
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            s.append(cdrs(3, 4));
        }
        // flip one payload byte of the 4th record: complete length, wrong CRC
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, good + 12);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, good + 12);
            // and garbage with a huge length after it
            ch.write(ByteBuffer.allocate(8).putInt(Integer.MAX_VALUE).putInt(0).flip(), ch.size());
        }
        long corruptEnd = Files.size(f);
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(good, Files.size(f));
            assertEquals(cdrs(0, 3), s.peek(100).cdrs());
            assertEquals(0, s.truncatedBytesOnOpen(), "not a torn write");
            assertEquals(1, s.corruptSpansQuarantined());
        }
        String line = Files.readString(dir.resolve("cdr.spool.quarantine"));
        assertTrue(line.contains(" offset=" + good + " length=" + (corruptEnd - good) + " "), line);
    }

    @Test
    void cdrWhoseFieldsAreAllNulCharactersSurvivesReopen() throws IOException {
        // modified UTF-8 spends 2 bytes on a NUL that UTF-8 (and Cdr's field limit) counts as 1
        String nuls = "\0".repeat(Cdr.MAX_FIELD_BYTES);
        Cdr big = new Cdr(Cdr.idFor("nul", "t"), nuls, nuls, nuls, 1, 1, nuls);
        Path f = dir.resolve("cdr.spool");
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            s.append(List.of(cdr(0), big, cdr(1)));
        }
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(List.of(cdr(0), big, cdr(1)), s.peek(10).cdrs());
        }
    }

    @Test
    void fullSpoolRejectsWithTypedErrorAndKeepsWhatItHas() throws IOException {
        Path f = dir.resolve("cdr.spool");
        long limit = SpoolFormat.HEADER_BYTES + SpoolFormat.RECORD_HEADER_BYTES + SpoolFormat.MAX_PAYLOAD_BYTES;
        try (CdrSpool s = CdrSpool.open(f, limit)) {
            int n = 0;
            SpoolFullException full = null;
            while (full == null && n < 10_000) {
                try {
                    s.append(List.of(cdr(n)));
                    n++;
                } catch (SpoolFullException e) {
                    full = e;
                }
            }
            assertTrue(full != null && n > 0, "spool should fill up");
            assertEquals(n, s.pending());
            assertTrue(Files.size(f) <= limit);
        }
    }

    @Test
    void foreignFileIsRefusedNotOverwritten() throws IOException {
        Path f = dir.resolve("cdr.spool");
        Files.writeString(f, "this is somebody else's file, not a spool");
        assertThrows(SpoolCorruptedException.class, () -> CdrSpool.open(f, 1 << 20));
        assertEquals("this is somebody else's file, not a spool", Files.readString(f));
    }

    @Test
    void crashAfterDrainTruncationBeforeOffsetRewriteMeansNothingPending() throws IOException {
        Path f = dir.resolve("cdr.spool");
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            s.append(cdrs(0, 10));
            s.markConsumed(s.peek(4));
        }
        // simulate: a later drain truncated the file but crashed before rewriting the offset (still 4 records in)
        Path off = f.resolveSibling("cdr.spool.offset");
        byte[] offsetBytes = Files.readAllBytes(off);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(SpoolFormat.HEADER_BYTES);
        }
        Files.write(off, offsetBytes);
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(0, s.pending());
            s.append(cdrs(20, 22));
            assertEquals(cdrs(20, 22), s.peek(10).cdrs());
        }
    }

    @Test
    void oversizedCdrFieldIsRejectedBeforeReachingTheSpool() {
        String big = "x".repeat(Cdr.MAX_FIELD_BYTES + 1);
        assertThrows(
                IllegalArgumentException.class, () -> new Cdr(Cdr.idFor("c", "t"), big, "a", "b", 0, 0, "ANSWERED"));
    }
}
