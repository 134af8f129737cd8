package org.sipha.benchmarks;

import java.util.Arrays;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link ParseBenchmark}'s two methods, unchanged, timed in alternation in one JVM: on a shared machine whose
 * speed drifts by a third for tens of seconds at a time, JMH's forks of {@code sipHa} and {@code jainSip} run
 * minutes apart and can meet different machines; here every round times both within about a second, so each
 * round's ratio is side by side. Not a JMH run: no forks, no JMH warm-up; it warms both for a few seconds first.
 * Single-threaded; one call of {@link #main} at a time.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar org.sipha.benchmarks.ParseSideBySide [rounds]}
 * (default 30 rounds; add the benchmark's {@code -Xms1g -Xmx1g} to compare with its JMH figures).
 */
public final class ParseSideBySide {
    /** JMH's documented way to make a Blackhole outside a JMH run. */
    private static final String BLACKHOLE_CONSENT =
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.";

    private static final long CHUNK_NS = 100_000_000L;

    private ParseSideBySide() {}

    public static void main(String[] args) throws Exception {
        int rounds;
        try {
            rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rounds must be a whole number, got " + args[0], e);
        }
        if (rounds < 1 || rounds > 10_000) {
            throw new IllegalArgumentException("rounds must be in [1, 10000], got " + args[0]);
        }
        ParseBenchmark b = new ParseBenchmark();
        b.setUp();
        Blackhole bh = new Blackhole(BLACKHOLE_CONSENT);
        for (int i = 0; i < 25; i++) { // about 5 s: both methods C2-compiled before the first round
            rate(b, bh, true);
            rate(b, bh, false);
        }
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double sipHa = rate(b, bh, true);
            double jainSip = rate(b, bh, false);
            sipHa = Math.max(sipHa, rate(b, bh, true)); // best of two each: a stray pause in one chunk is dropped
            jainSip = Math.max(jainSip, rate(b, bh, false));
            ratios[r] = sipHa / jainSip;
            System.out.printf(
                    "round %2d: sipHa %.3f msgs/us, jainSip %.4f msgs/us, ratio %.1f%n",
                    r + 1, sipHa, jainSip, ratios[r]);
        }
        Arrays.sort(ratios);
        System.out.printf(
                "ratio over %d rounds: median %.1f, min %.1f, max %.1f%n",
                rounds, ratios[rounds / 2], ratios[0], ratios[rounds - 1]);
    }

    /** Messages per microsecond of one method over about {@link #CHUNK_NS}. */
    private static double rate(ParseBenchmark b, Blackhole bh, boolean sipHa) throws Exception {
        long start = System.nanoTime();
        long end = start + CHUNK_NS;
        long calls = 0;
        long now;
        do {
            for (int i = 0; i < 64; i++) {
                if (sipHa) {
                    b.sipHa(bh);
                } else {
                    b.jainSip(bh);
                }
            }
            calls += 64;
            now = System.nanoTime();
        } while (now < end);
        return calls * ParseBenchmark.MESSAGES * 1000.0 / (now - start);
    }
}
