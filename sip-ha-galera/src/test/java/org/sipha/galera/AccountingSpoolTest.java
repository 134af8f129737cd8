package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accounting records in the CDR spool (format version 3): they survive a reopen beside plain CDRs, a spool written
 * by the version 2 code still replays its CDRs, and record ids are keyed so that duplicates collapse.
 */
class AccountingSpoolTest {
    @TempDir
    Path dir;

    static Cdr event(Cdr.Kind kind, int i) {
        return Cdr.event(
                kind,
                "acc-" + i + "@spool.test",
                "caller" + i,
                kind == Cdr.Kind.OUTCOME && i % 2 == 0 ? "" : "callee" + i,
                "sip:+4930" + i + "@a.test",
                "sip:+4940" + i + "@b.test",
                1_764_000_000_000L + i,
                kind == Cdr.Kind.STOP ? 0 : (i % 2 == 0 ? 486 : 200),
                1,
                "127.0.0.1:5081",
                "192.0.2.7:5060");
    }

    @Test
    void accountingRecordsSurviveReopenBesideCdrs() throws IOException {
        List<Cdr> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(CdrSpoolTest.cdr(i));
            all.add(event(Cdr.Kind.values()[1 + i % 3], i));
        }
        Path f = dir.resolve("cdr.spool");
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            s.append(all);
        }
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(0, s.corruptSpansQuarantined());
            assertEquals(all, s.peek(100).cdrs());
        }
    }

    @Test
    void anAccountingRecordWithEveryFieldAtItsLimitFitsARecord() throws IOException {
        String nuls = "\0".repeat(Cdr.MAX_FIELD_BYTES);
        Cdr big = new Cdr(
                Cdr.idFor("nul", "t"), nuls, nuls, nuls, 1, 0, nuls, Cdr.Kind.STOP, nuls, nuls, 699, nuls, nuls);
        Path f = dir.resolve("cdr.spool");
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            s.append(List.of(big, CdrSpoolTest.cdr(1)));
        }
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(List.of(big, CdrSpoolTest.cdr(1)), s.peek(10).cdrs());
        }
    }

    /** legacy-v2.spool: 5 CDRs written by the version 2 code, the first 2 consumed. */
    @Test
    void aSpoolWrittenByVersionTwoReplaysItsCdrsAndTakesAccountingRecordsAfterThem() throws IOException {
        Path f = dir.resolve("legacy.spool");
        copyResource("legacy-v2.spool", f);
        copyResource("legacy-v2.spool.offset", dir.resolve("legacy.spool.offset"));
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            assertEquals(3, s.pending());
            List<Cdr> legacy = s.peek(10).cdrs();
            assertEquals(3, legacy.size());
            for (int i = 2; i < 5; i++) {
                String callId = "legacy-" + i + "@cdr.sipha.test";
                assertEquals(
                        new Cdr(
                                Cdr.idFor(callId, "ft" + i),
                                callId,
                                "sip:+4930" + i + "@a.test",
                                "sip:+4940" + i + "@b.test",
                                1_764_000_000_000L + i * 1000L,
                                1000L * (i + 1),
                                i == 3 ? "BUSY" : "ANSWERED"),
                        legacy.get(i - 2));
                assertEquals(Cdr.Kind.CDR, legacy.get(i - 2).kind());
            }
            s.append(List.of(event(Cdr.Kind.START, 9)));
        }
        assertEquals(
                SpoolFormat.VERSION,
                ByteBuffer.wrap(Files.readAllBytes(f), 8, 4).getInt());
        try (CdrSpool s = CdrSpool.open(f, 1 << 20)) {
            List<Cdr> all = s.peek(10).cdrs();
            assertEquals(4, all.size());
            assertEquals(event(Cdr.Kind.START, 9), all.get(3));
        }
    }

    @Test
    void idsCollapseRepeatsAndKeepDistinctEventsApart() {
        Cdr start = event(Cdr.Kind.START, 1);
        assertEquals(start.id(), event(Cdr.Kind.START, 1).id(), "a retransmitted 200");
        Cdr stopLater = Cdr.event(Cdr.Kind.STOP, start.callId(), "caller1", "callee1", "", "", 99, 0, 7, "", "");
        assertEquals(event(Cdr.Kind.STOP, 1).id(), stopLater.id(), "the same BYE through another proxy, later");
        assertNotEquals(start.id(), event(Cdr.Kind.STOP, 1).id());
        Cdr outcome = event(Cdr.Kind.OUTCOME, 1);
        Cdr retried = Cdr.event(Cdr.Kind.OUTCOME, outcome.callId(), "caller1", "", "", "", 5, 200, 2, "", "");
        assertNotEquals(outcome.id(), retried.id(), "a new INVITE transaction (CSeq 2) of the same call");
        assertNotEquals(
                start.id(),
                Cdr.event(Cdr.Kind.START, start.callId(), "caller1", "fork2", "", "", 1, 200, 1, "", "")
                        .id(),
                "a second dialog (another callee tag)");
        assertEquals("BUSY", event(Cdr.Kind.OUTCOME, 2).disposition());
        assertThrows(
                IllegalArgumentException.class, () -> Cdr.event(Cdr.Kind.CDR, "c", "", "", "", "", 0, 0, 0, "", ""));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Cdr(Cdr.idFor("c", "t"), "c", "", "", 0, 0, "", Cdr.Kind.CDR, "t", "", 0, "", ""),
                "a CDR's spool record keeps no tags: one with tags would come back without them");
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = AccountingSpoolTest.class.getResourceAsStream(name)) {
            Files.copy(in, to);
        }
    }
}
