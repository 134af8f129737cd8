package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.galera.CdrSpoolTest.cdr;
import static org.sipha.galera.CdrSpoolTest.cdrs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corruption inside a spool: a bad record is quarantined and every later valid record kept. */
class CdrSpoolRecoveryTest {
    @TempDir
    Path dir;

    Path spool() {
        return dir.resolve("cdr.spool");
    }

    Path quarantine() {
        return dir.resolve("cdr.spool.quarantine");
    }

    /** Appends CDRs 0..n-1 one per append and returns the n+1 record boundaries. */
    long[] appendOneByOne(int n) throws IOException {
        long[] at = new long[n + 1];
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            at[0] = Files.size(spool());
            for (int i = 0; i < n; i++) {
                s.append(List.of(cdr(i)));
                at[i + 1] = Files.size(spool());
            }
        }
        return at;
    }

    void flipByte(long pos) throws IOException {
        try (FileChannel ch = FileChannel.open(spool(), StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, pos);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, pos);
        }
    }

    byte[] bytes(long from, long to) throws IOException {
        return Arrays.copyOfRange(Files.readAllBytes(spool()), (int) from, (int) to);
    }

    /** Quarantine lines as {offset, raw bytes, reason}. */
    List<Object[]> quarantined() throws IOException {
        List<Object[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(quarantine())) {
            String[] f = line.split(" ", 5);
            assertTrue(
                    f[1].startsWith("offset=")
                            && f[2].startsWith("length=")
                            && f[3].startsWith("base64=")
                            && f[4].startsWith("reason="),
                    line);
            byte[] raw = Base64.getDecoder().decode(f[3].substring(7));
            assertEquals(Long.parseLong(f[2].substring(7)), raw.length, line);
            out.add(new Object[] {Long.parseLong(f[1].substring(7)), raw, f[4].substring(7)});
        }
        return out;
    }

    static List<Cdr> without(List<Cdr> all, int... drop) {
        List<Cdr> l = new ArrayList<>(all);
        for (int i = drop.length - 1; i >= 0; i--) {
            l.remove(drop[i]);
        }
        return l;
    }

    @Test
    void flippedByteMidFileQuarantinesThatRecordAndKeepsEveryLaterOne() throws IOException {
        long[] at = appendOneByOne(10);
        flipByte(at[4] + 20);
        byte[] bad = bytes(at[4], at[5]);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(0, s.truncatedBytesOnOpen());
            assertEquals(1, s.corruptSpansQuarantined());
            assertEquals(without(cdrs(0, 10), 4), s.peek(100).cdrs());
            assertEquals(9, s.pending());
        }
        List<Object[]> q = quarantined();
        assertEquals(1, q.size());
        assertEquals(at[4], q.get(0)[0]);
        assertArrayEquals(bad, (byte[]) q.get(0)[1]);
        // reopening finds nothing new to quarantine, and the spool goes on working
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(0, s.corruptSpansQuarantined());
            assertEquals(9, s.pending());
            s.append(cdrs(10, 12));
            assertEquals(without(cdrs(0, 12), 4), s.peek(100).cdrs());
        }
        assertEquals(1, quarantined().size());
    }

    @Test
    void flippedLengthFieldIsSkippedByResynchronisingOnTheNextValidRecord() throws IOException {
        long[] at = appendOneByOne(8);
        flipByte(at[2] + 3); // length field: the record seems shorter and its CRC no longer matches
        flipByte(at[5]); // high byte of a length: absurdly long
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(without(cdrs(0, 8), 2, 5), s.peek(100).cdrs());
        }
        List<Object[]> q = quarantined();
        assertEquals(2, q.size());
        assertEquals(at[2], q.get(0)[0]);
        assertEquals(at[3] - at[2], ((byte[]) q.get(0)[1]).length);
        assertEquals(at[5], q.get(1)[0]);
        assertEquals(at[6] - at[5], ((byte[]) q.get(1)[1]).length);
    }

    @Test
    void corruptLastRecordIsQuarantinedThenCutOff() throws IOException {
        long[] at = appendOneByOne(5);
        flipByte(at[4] + 30);
        byte[] bad = bytes(at[4], at[5]);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(cdrs(0, 4), s.peek(100).cdrs());
            assertEquals(at[4], Files.size(spool()));
            s.append(cdrs(5, 6));
            assertEquals(without(cdrs(0, 6), 4), s.peek(100).cdrs());
        }
        List<Object[]> q = quarantined();
        assertEquals(1, q.size());
        assertEquals(at[4], q.get(0)[0]);
        assertArrayEquals(bad, (byte[]) q.get(0)[1]);
    }

    @Test
    void lastRecordWithACorruptedLengthThatRunsPastTheEndIsQuarantinedNotTakenForATornWrite() throws IOException {
        long[] at = appendOneByOne(5);
        try (FileChannel ch = FileChannel.open(spool(), StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(4);
            ch.read(len, at[4]);
            ch.write(ByteBuffer.allocate(4).putInt(0, len.getInt(0) + 64), at[4]);
        }
        byte[] bad = bytes(at[4], at[5]);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(cdrs(0, 4), s.peek(100).cdrs());
            assertEquals(0, s.truncatedBytesOnOpen());
        }
        List<Object[]> q = quarantined();
        assertEquals(1, q.size());
        assertArrayEquals(bad, (byte[]) q.get(0)[1]);
    }

    @Test
    void consumedOffsetStaysOnARecordBoundaryAroundAQuarantinedRecord() throws IOException {
        long[] at = appendOneByOne(10);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            s.markConsumed(s.peek(3));
        }
        flipByte(at[1] + 40); // consumed already: quarantined, changes nothing pending
        flipByte(at[3] + 40); // the first unconsumed record
        flipByte(at[6] + 40);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(5, s.pending());
            CdrSpool.Batch b = s.peek(2);
            assertEquals(List.of(cdr(4), cdr(5)), b.cdrs());
            s.markConsumed(b);
        }
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(3, s.pending());
            CdrSpool.Batch b = s.peek(100);
            assertEquals(cdrs(7, 10), b.cdrs());
            s.markConsumed(b);
            assertEquals(0, s.pending());
            assertEquals(SpoolFormat.HEADER_BYTES, Files.size(spool()));
        }
        assertEquals(3, quarantined().size());
    }

    @Test
    void consumedOffsetInsideAQuarantinedSpanResumesRightAfterIt() throws IOException {
        long[] at = appendOneByOne(8);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            s.markConsumed(s.peek(3)); // offset = at[3]
        }
        flipByte(at[2] + 40); // records 2 and 3 form one corrupt span that contains the offset
        flipByte(at[3] + 40);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(4, s.pending());
            assertEquals(cdrs(4, 8), s.peek(100).cdrs());
        }
    }

    @Test
    void corruptOffsetFileReplaysEverythingRatherThanSkipAnything() throws IOException {
        appendOneByOne(6);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            s.markConsumed(s.peek(4));
        }
        Path off = dir.resolve("cdr.spool.offset");
        byte[] b = Files.readAllBytes(off);
        b[7] ^= 0x01;
        Files.write(off, b);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            // the idempotent CDR id makes the replay of 0..3 harmless; none is skipped
            assertEquals(cdrs(0, 6), s.peek(100).cdrs());
        }
    }

    @Test
    void recordDamagedWhileTheSpoolIsOpenIsQuarantinedByTheNextPeek() throws IOException {
        long[] at = appendOneByOne(6);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            s.markConsumed(s.peek(1));
            flipByte(at[3] + 50);
            CdrSpool.Batch b = s.peek(100);
            assertEquals(without(cdrs(1, 6), 2), b.cdrs());
            assertEquals(4, s.pending());
            assertEquals(1, s.corruptSpansQuarantined());
            s.markConsumed(b);
            assertEquals(0, s.pending());
        }
        assertEquals(at[3], quarantined().get(0)[0]);
    }

    @Test
    void versionOneSpoolIsReadAndMarkedVersionTwoBeforeAnyFillIsWritten() throws IOException {
        long[] at = appendOneByOne(4);
        try (FileChannel ch = FileChannel.open(spool(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, 1), SpoolFormat.MAGIC.length);
        }
        flipByte(at[1] + 40);
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(without(cdrs(0, 4), 1), s.peek(10).cdrs());
        }
        assertEquals(SpoolFormat.VERSION, ByteBuffer.wrap(bytes(8, 12)).getInt());
    }

    @Test
    void garbageBetweenRecordsIsQuarantinedAsOneSpanAndTheRecordsAfterItAreFound() throws IOException {
        Path other = dir.resolve("other.spool");
        try (CdrSpool a = CdrSpool.open(spool(), 1 << 20);
                CdrSpool b = CdrSpool.open(other, 1 << 20)) {
            a.append(cdrs(0, 5));
            b.append(cdrs(5, 10));
        }
        byte[] garbage = new byte[256 * 1024];
        new Random(42).nextBytes(garbage);
        garbage[0] = 0x42; // not the fill byte
        byte[] tail = Files.readAllBytes(other);
        long garbageAt = Files.size(spool());
        try (FileChannel ch = FileChannel.open(spool(), StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(garbage));
            ch.write(ByteBuffer.wrap(tail, SpoolFormat.HEADER_BYTES, tail.length - SpoolFormat.HEADER_BYTES));
        }
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(cdrs(0, 10), s.peek(100).cdrs());
            assertEquals(1, s.corruptSpansQuarantined());
        }
        List<Object[]> q = quarantined();
        assertEquals(1, q.size());
        assertEquals(garbageAt, q.get(0)[0]);
        assertArrayEquals(garbage, (byte[]) q.get(0)[1]);
    }
}
