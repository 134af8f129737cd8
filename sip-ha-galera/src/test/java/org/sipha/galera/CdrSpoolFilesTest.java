package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipha.galera.CdrSpoolTest.cdr;
import static org.sipha.galera.CdrSpoolTest.cdrs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool against its file system: size bound, a failing write, a second writer, permissions. */
class CdrSpoolFilesTest {
    @TempDir
    Path dir;

    Path spool() {
        return dir.resolve("cdr.spool");
    }

    @Test
    void appendBeyondTheBoundFailsNamingSpoolAndBoundAndLeavesEveryByteAsItWas() throws IOException {
        long limit = 4096 + SpoolFormat.HEADER_BYTES + SpoolFormat.RECORD_HEADER_BYTES + SpoolFormat.MAX_PAYLOAD_BYTES;
        Path off = dir.resolve("cdr.spool.offset");
        try (CdrSpool s = CdrSpool.open(spool(), limit)) {
            int n = 0;
            while (Files.size(spool()) + 2 * 200 < limit) {
                s.append(cdrs(n, n + 2));
                n += 2;
            }
            s.markConsumed(s.peek(3));
            byte[] before = Files.readAllBytes(spool());
            byte[] offsetBefore = Files.readAllBytes(off);
            SpoolFullException e = assertThrows(SpoolFullException.class, () -> s.append(cdrs(1000, 1010)));
            assertTrue(
                    e.getMessage().contains(spool().toString())
                            && e.getMessage().contains(Long.toString(limit)),
                    e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(spool()));
            assertArrayEquals(offsetBefore, Files.readAllBytes(off));
            assertEquals(n - 3, s.pending());
            s.append(List.of(cdr(n))); // a smaller append still fits
        }
    }

    @Test
    void writeFailingHalfwayIsCutBackSoOnlyAcknowledgedRecordsRemain() throws Exception {
        // a real short write: the child runs under a file size limit (ulimit -f, KiB), the spool bound is far above
        List<String> lines = runChild("ulimit -f 24 && exec \"$@\"", "fill");
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("FAILED "), String.join("\n", lines));
        long acked = Long.parseLong(lines.get(lines.size() - 2).split(" ")[1]);
        assertEquals(acked, Long.parseLong(last.split(" ")[1]));
        assertEquals(acked, Files.size(spool()), "the partial write was cut back");
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(0, s.truncatedBytesOnOpen());
            assertEquals(7L * (lines.size() - 1), s.pending());
            assertEquals(cdrs(0, 7 * (lines.size() - 1)), s.peek(100_000).cdrs());
        }
    }

    @Test
    void secondOpenInTheSameJvmIsRefusedNamingTheFileAndTheFirstKeepsItsLock() throws Exception {
        try (CdrSpool first = CdrSpool.open(spool(), 1 << 20)) {
            first.append(cdrs(0, 3));
            IOException e = assertThrows(IOException.class, () -> CdrSpool.open(spool(), 1 << 20));
            assertTrue(e.getMessage().contains(spool().toString()), e.getMessage());
            // the refused attempt must not have released the first one's lock for other processes
            List<String> out = runChild(null, "try");
            assertTrue(out.get(0).startsWith("REFUSED ") && out.get(0).contains(spool().toString()), out.toString());
            first.append(cdrs(3, 4));
        }
        try (CdrSpool again = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(cdrs(0, 4), again.peek(10).cdrs());
        }
    }

    @Test
    void spoolHeldByAnotherProcessIsRefusedUntilThatProcessIsGone() throws Exception {
        Process child = startChild(null, "hold");
        try (BufferedReader out = reader(child)) {
            assertEquals("OPEN", out.readLine());
            IOException e = assertThrows(IOException.class, () -> CdrSpool.open(spool(), 1 << 20));
            assertTrue(e.getMessage().contains(spool().toString()), e.getMessage());
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        }
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(0, s.pending());
        }
    }

    @Test
    void spoolOffsetAndQuarantineFilesAreCreatedReadableByTheOwnerOnly() throws IOException {
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            s.append(cdrs(0, 5));
            s.markConsumed(s.peek(1));
        }
        try (FileChannel ch = FileChannel.open(spool(), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x7f}), SpoolFormat.HEADER_BYTES + 30);
        }
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(4, s.pending());
        }
        for (String name : new String[] {"cdr.spool", "cdr.spool.offset", "cdr.spool.quarantine"}) {
            assertEquals(
                    "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))), name);
        }
    }

    @Test
    void offsetFileThatCannotBeWrittenAfterADrainBlocksAppendsUntilItIsSoNoNewRecordIsSkipped() throws IOException {
        Path blocker = dir.resolve("cdr.spool.offset.tmp");
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            s.append(cdrs(0, 5));
            s.markConsumed(s.peek(1));
            Files.createDirectories(blocker.resolve("x")); // the offset file's rename source cannot be created
            CdrSpool.Batch rest = s.peek(10);
            assertThrows(IOException.class, () -> s.markConsumed(rest));
            // the file is cut back to its header but the stored offset still points one record in: records
            // appended now would start at that very boundary and the first would be skipped after a crash
            assertThrows(IOException.class, () -> s.append(cdrs(5, 7)));
            Files.delete(blocker.resolve("x"));
            Files.delete(blocker);
            s.append(cdrs(5, 7));
        }
        try (CdrSpool s = CdrSpool.open(spool(), 1 << 20)) {
            assertEquals(cdrs(5, 7), s.peek(10).cdrs());
        }
    }

    private Process startChild(String shellPrefix, String mode) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        if (shellPrefix != null) {
            cmd.addAll(List.of("bash", "-c", shellPrefix, "child"));
        }
        cmd.addAll(List.of(java, "-cp", cp, CdrSpoolChild.class.getName(), mode, spool().toString()));
        return new ProcessBuilder(cmd)
                .redirectError(dir.resolve("child-" + mode + ".err").toFile())
                .start();
    }

    private List<String> runChild(String shellPrefix, String mode) throws Exception {
        Process child = startChild(shellPrefix, mode);
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = reader(child)) {
            String line;
            while ((line = out.readLine()) != null && lines.size() < 100_000) {
                lines.add(line);
            }
        } finally {
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        assertFalse(lines.isEmpty(), "child printed nothing; see " + dir);
        return lines;
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }
}
