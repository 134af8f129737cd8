package org.sipha.galera;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/** Deterministic CDRs for a test run, and the count/sum/checksum the database must hold afterwards. */
final class CdrFixtures {
    private CdrFixtures() {}

    static Cdr cdr(String prefix, int i) {
        String callId = prefix + "-" + i + "@cdr.sipha.test";
        return new Cdr(
                Cdr.idFor(callId, "ft" + i),
                callId,
                "sip:+4930" + i + "@a.test",
                "sip:+4940" + (i % 97) + "@b.test",
                1_764_000_000_000L + i * 1000L,
                1 + (i * 7919L) % 3_600_000L,
                i % 10 == 0 ? "BUSY" : "ANSWERED");
    }

    static List<Cdr> range(String prefix, int from, int to) {
        List<Cdr> l = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            l.add(cdr(prefix, i));
        }
        return l;
    }

    /** Expected {count, SUM(duration_ms), BIT_XOR(CRC32(id))} for CDRs 0..n-1. */
    static long[] expected(String prefix, int n) {
        long sum = 0;
        long xor = 0;
        for (int i = 0; i < n; i++) {
            Cdr c = cdr(prefix, i);
            sum += c.durationMs();
            CRC32 crc = new CRC32();
            crc.update(c.id().getBytes(StandardCharsets.US_ASCII));
            xor ^= crc.getValue();
        }
        return new long[] {n, sum, xor};
    }

    /** {count, SUM(duration_ms), BIT_XOR(CRC32(id))} of the CDRs with this prefix in the database (via n2). */
    static long[] stored(String prefix) throws Exception {
        try (Connection c = GaleraTestCluster.connect(2, 30_000);
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(duration_ms), 0),"
                        + " COALESCE(BIT_XOR(CRC32(id)), 0) FROM cdr WHERE call_id LIKE ?")) {
            ps.setString(1, prefix + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
            }
        }
    }
}
