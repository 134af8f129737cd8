package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of the CDR spool's reading: a spool of valid records, mutated by the fuzzer, then read by
 * {@link CdrSpool} (recovery on open, or {@link CdrSpool#peek} meeting the damage while open). The only exception
 * allowed is the typed {@link SpoolCorruptedException}, and only for a damaged magic or version. Every CDR read
 * back is what {@link SpoolModel} finds in the mutated bytes, in order; every original record the mutation left
 * intact is among them (unless bytes the mutation made into a valid record cover it): a bad record never costs a
 * later valid one. Reopening finds nothing new to quarantine and reads the same CDRs.
 *
 * <p>Input layout: byte 0 the number of records (modulo 16); byte 1 bit 0 mutates after opening (else before),
 * bits 1 to 3 the peek batch size minus one; then up to 16 mutations, each a kind byte and its bytes (see {@link
 * #mutate}). Seeds: a few files with a flipped byte, an overwritten length, a cut tail, inserted and appended bytes.
 * How fuzz targets run: see {@code SipMessageViewFuzzTest} in sip-ha-core and docs/testing.md.
 */
class CdrSpoolFuzzTest {
    static {
        // Each damaged input logs a quarantine warning: thousands a second while fuzzing.
        System.setProperty("org.slf4j.simpleLogger.log.org.sipha.galera", "error");
    }

    private static final int MAX_MUTATIONS = 16;
    private static final Path ROOT = root();
    private static int runs;

    static Stream<Named<byte[]>> seeds() {
        return Stream.of(
                Named.of("clean", new byte[] {5, 0}),
                Named.of("flipped byte", new byte[] {6, 2, 0, 0, 100, 0x10}),
                Named.of("overwritten length", new byte[] {8, 4, 1, 0, (byte) 200, 4, 0, 0, 7, 7}),
                Named.of("cut tail", new byte[] {4, 0, 2, 1, (byte) 180}),
                Named.of("inserted bytes", new byte[] {7, 6, 3, 0, (byte) 170, 3, 0, 0, 0}),
                Named.of("appended garbage", new byte[] {3, 0, 4, 5, 1, 2, 3, 4, 5}),
                Named.of("damaged while open", new byte[] {9, 3, 0, 1, (byte) 44, 0x40, 1, 2, 0, 4, 0, 0, 0, 0}),
                Named.of("damaged magic", new byte[] {2, 0, 0, 0, 3, 0x01}));
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "30s")
    void mutatedSpoolsGiveTypedErrorsOnlyAndKeepEveryValidRecord(byte[] input) throws IOException {
        Path dir = Files.createDirectory(ROOT.resolve("run-" + runs++));
        try {
            check(dir.resolve("cdr.spool"), input);
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static void check(Path spool, byte[] input) throws IOException {
        int records = input.length > 0 ? (input[0] & 0xff) % 16 : 0;
        int mode = input.length > 1 ? input[1] & 0xff : 0;
        boolean whileOpen = (mode & 1) != 0;
        int batch = ((mode >>> 1) & 7) + 1;
        List<Cdr> originals = new ArrayList<>();
        try (CdrSpool s = CdrSpool.open(spool, 1 << 20)) {
            for (int i = 0; i < records; i++) {
                originals.add(cdr(i));
                s.append(List.of(originals.get(i)));
            }
        }
        byte[] clean = Files.readAllBytes(spool);
        List<Cdr> left = List.of();
        if (whileOpen) {
            try (CdrSpool s = CdrSpool.open(spool, 1 << 20)) {
                byte[] mutated = mutate(clean, input, false);
                overwrite(spool, mutated);
                assertEquals(SpoolModel.of(mutated).cdrs(), drain(s, batch), "CDRs read after damage while open");
                assertKeepsIntactRecords(clean, mutated, originals);
            }
        } else {
            byte[] mutated = mutate(clean, input, true);
            Files.write(spool, mutated);
            boolean headerOk = SpoolModel.headerIsValid(mutated);
            List<Cdr> read;
            try (CdrSpool s = CdrSpool.open(spool, 1 << 20)) {
                assertTrue(headerOk, "opened a spool whose magic or version is damaged");
                read = drainKeeping(s, batch);
            } catch (SpoolCorruptedException e) {
                assertFalse(headerOk, "refused a spool whose magic and version are intact: " + e);
                assertArrayEquals(mutated, Files.readAllBytes(spool), "a refused spool is left untouched");
                return;
            }
            assertEquals(SpoolModel.of(mutated).cdrs(), read, "CDRs read after recovery");
            assertKeepsIntactRecords(clean, mutated, originals);
            left = read;
        }
        try (CdrSpool again = CdrSpool.open(spool, 1 << 20)) {
            assertEquals(0, again.corruptSpansQuarantined(), "reopening quarantines nothing new");
            assertEquals(0, again.truncatedBytesOnOpen(), "reopening cuts nothing off");
            assertEquals(left, again.peek(Integer.MAX_VALUE).cdrs(), "reopening reads the same CDRs");
        }
    }

    /** Every original record the mutation left byte for byte in place is read, unless a valid record covers it. */
    private static void assertKeepsIntactRecords(byte[] clean, byte[] mutated, List<Cdr> originals) {
        SpoolModel model = SpoolModel.of(mutated);
        long pos = SpoolFormat.HEADER_BYTES;
        for (Cdr c : originals) {
            int len = SpoolFormat.record(c).length;
            boolean intact = pos + len <= mutated.length
                    && Arrays.equals(clean, (int) pos, (int) pos + len, mutated, (int) pos, (int) pos + len);
            if (intact) {
                assertTrue(model.keeps(pos, len, c), "intact record at " + pos + " lost: " + c);
            }
            pos += len;
        }
    }

    /** Peeks batches of {@code batch} until none is left, consuming each. */
    private static List<Cdr> drain(CdrSpool s, int batch) throws IOException {
        List<Cdr> out = new ArrayList<>();
        for (int guard = 0; guard < 1000; guard++) {
            CdrSpool.Batch b = s.peek(batch);
            if (b.cdrs().isEmpty()) {
                s.markConsumed(b);
                return out;
            }
            out.addAll(b.cdrs());
            s.markConsumed(b);
        }
        throw new AssertionError("spool never drained");
    }

    /** Reads everything in batches without consuming (so a reopen sees the same records), checking {@code pending}. */
    private static List<Cdr> drainKeeping(CdrSpool s, int batch) throws IOException {
        long pending = s.pending();
        List<Cdr> all = s.peek(Integer.MAX_VALUE).cdrs();
        assertEquals(pending, all.size(), "pending() counts the records peek reads");
        List<Cdr> inBatches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += batch) {
            inBatches.addAll(all.subList(from, Math.min(all.size(), from + batch)));
        }
        return inBatches;
    }

    /**
     * Applies the input's mutations to a copy of {@code clean}. Kinds (the byte modulo 5): 0 flip (position u16,
     * mask), 1 overwrite (position u16, count, bytes), 2 truncate (length u16), 3 insert (position u16, count,
     * bytes), 4 append (count, bytes). Positions are modulo the length. While the spool is open ({@code resize}
     * false) only flips and overwrites past the header apply: the file keeps its size.
     */
    private static byte[] mutate(byte[] clean, byte[] input, boolean resize) {
        byte[] b = clean.clone();
        int p = 2;
        for (int m = 0; m < MAX_MUTATIONS && p < input.length; m++) {
            int kind = (input[p++] & 0xff) % 5;
            int at = p + 1 < input.length ? ((input[p] & 0xff) << 8 | (input[p + 1] & 0xff)) : 0;
            int low = resize ? 0 : SpoolFormat.HEADER_BYTES;
            int span = Math.max(1, b.length - low);
            switch (kind) {
                case 0 -> {
                    p += 2;
                    int mask = p < input.length ? input[p++] : 0;
                    if (b.length > low) {
                        b[low + at % span] ^= (byte) mask;
                    }
                }
                case 1, 3 -> {
                    p += 2;
                    int n = p < input.length ? input[p++] & 0x3f : 0;
                    byte[] bytes = Arrays.copyOfRange(input, Math.min(p, input.length), Math.min(p + n, input.length));
                    p += n;
                    if (kind == 1 && b.length > low) {
                        int from = low + at % span;
                        System.arraycopy(bytes, 0, b, from, Math.min(bytes.length, b.length - from));
                    } else if (kind == 3 && resize) {
                        int from = at % (b.length + 1);
                        byte[] grown = new byte[b.length + bytes.length];
                        System.arraycopy(b, 0, grown, 0, from);
                        System.arraycopy(bytes, 0, grown, from, bytes.length);
                        System.arraycopy(b, from, grown, from + bytes.length, b.length - from);
                        b = grown;
                    }
                }
                case 2 -> {
                    p += 2;
                    if (resize) {
                        b = Arrays.copyOf(b, at % (b.length + 1));
                    }
                }
                default -> {
                    int n = p < input.length ? input[p++] & 0x3f : 0;
                    byte[] bytes = Arrays.copyOfRange(input, Math.min(p, input.length), Math.min(p + n, input.length));
                    p += n;
                    if (resize) {
                        byte[] grown = Arrays.copyOf(b, b.length + bytes.length);
                        System.arraycopy(bytes, 0, grown, b.length, bytes.length);
                        b = grown;
                    }
                }
            }
        }
        return b;
    }

    /** Writes {@code bytes} over the file in place (its size unchanged), as damage under an open spool would. */
    private static void overwrite(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
        }
    }

    /** CDRs of several lengths, so records do not all align. */
    static Cdr cdr(int i) {
        String callId = "fuzz-" + i + "@spool.test" + "x".repeat(i * 7 % 40);
        return new Cdr(
                Cdr.idFor(callId, "tag" + i),
                callId,
                "sip:a" + i + "@x",
                "sip:b@y",
                1_700_000_000_000L + i,
                i,
                i % 3 == 0 ? "ANSWERED" : "BUSY");
    }

    /** A folder for the runs' spools: in memory where the machine has one (fsync costs nothing there). */
    private static Path root() {
        try {
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "sipha-spool-fuzz")
                    : Files.createTempDirectory("sipha-spool-fuzz");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary folder left behind: nothing to do at exit
        }
    }
}
