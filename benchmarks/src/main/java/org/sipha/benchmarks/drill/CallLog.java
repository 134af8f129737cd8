package org.sipha.benchmarks.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The carrier's per-call log read back: lines {@code S|A|E CALL SECONDS.000000.MICROS.000000 [PBX TO-TAG]} (SIPp prints
 * its gettimeofday variables as doubles) become one {@link Call} per call number, sorted by start. Stateless.
 */
final class CallLog {
    /**
     * One call: epoch milliseconds of INVITE sent, 200 received (NaN: never), BYE's 200 (NaN: never); the
     * answering PBX's address and the To tag of the dialog the carrier kept.
     */
    record Call(int number, double startMs, double answerMs, String pbx, String toTag, double endMs) {
        boolean answered() {
            return !Double.isNaN(answerMs);
        }

        boolean ended() {
            return !Double.isNaN(endMs);
        }

        double setupMs() {
            return answerMs - startMs;
        }
    }

    private CallLog() {}

    static List<Call> read(Path file) throws IOException {
        Map<Integer, double[]> times = new HashMap<>();
        Map<Integer, String> pbx = new HashMap<>();
        Map<Integer, String> toTag = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || f[0].length() != 1 || "SAE".indexOf(f[0].charAt(0)) < 0) {
                continue;
            }
            int n;
            double ms;
            try {
                n = Integer.parseInt(f[1]);
                ms = epochMs(f[2]);
            } catch (NumberFormatException e) {
                continue;
            }
            double[] t = times.computeIfAbsent(n, k -> new double[] {Double.NaN, Double.NaN, Double.NaN});
            t["SAE".indexOf(f[0].charAt(0))] = ms;
            if (f[0].equals("A") && f.length > 3) {
                pbx.put(n, f[3]);
            }
            if (f[0].equals("A") && f.length > 4) {
                toTag.put(n, f[4].startsWith("tag=") ? f[4].substring(4) : f[4]);
            }
        }
        List<Call> calls = new ArrayList<>();
        times.forEach((n, t) -> {
            if (!Double.isNaN(t[0])) {
                calls.add(new Call(n, t[0], t[1], pbx.getOrDefault(n, ""), toTag.getOrDefault(n, ""), t[2]));
            }
        });
        calls.sort(Comparator.comparingDouble(Call::startMs));
        return calls;
    }

    /** "1796498886.000000.503897.000000" (seconds, then microseconds, each printed as a double). */
    static double epochMs(String s) {
        String[] p = s.split("\\.");
        if (p.length == 4) {
            return Long.parseLong(p[0]) * 1000.0 + Long.parseLong(p[2]) / 1000.0;
        }
        if (p.length == 2) {
            return Long.parseLong(p[0]) * 1000.0 + Long.parseLong(p[1]) / 1000.0;
        }
        throw new NumberFormatException(s);
    }
}
