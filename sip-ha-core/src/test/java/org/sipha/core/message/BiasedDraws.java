package org.sipha.core.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Draws numbers, sizes, strings and choices from a seeded {@link Random}, favouring edge cases so that a few
 * hundred cases meet them: one draw in 25 is a bound (or zero), other numbers lean towards zero on a
 * logarithmic scale, and sizes above {@code min + 32} are rare except for the maximum itself.
 */
final class BiasedDraws {
    private static final int EDGE_ONE_IN = 25;
    private static final int SMALL_SIZE_SPAN = 32;

    private BiasedDraws() {}

    static int between(Random r, int min, int max) {
        return (int) between(r, (long) min, max);
    }

    /**
     * A value in {@code [min, max]}: sometimes a bound, {@code min + 1}, {@code max - 1} or zero; otherwise
     * uniform within a span around zero (or the bound nearest to it) that is the whole range or a third, a
     * ninth, ... of it, each span equally likely. Ranges must be narrower than 2^62.
     */
    static long between(Random r, long min, long max) {
        long target = Math.max(min, Math.min(max, 0));
        if (r.nextInt(EDGE_ONE_IN) == 0) {
            long[] edges = {min, Math.min(min + 1, max), Math.max(max - 1, min), max, target};
            return edges[r.nextInt(edges.length)];
        }
        boolean below = target > min && (target == max || r.nextBoolean());
        long span = below ? target - min : max - target;
        int levels = 0;
        for (long w = span; w > 20; w /= 3) {
            levels++;
        }
        long width = span;
        for (int j = r.nextInt(levels + 1); j > 0; j--) {
            width /= 3;
        }
        long offset = r.nextLong(width + 1);
        return below ? target - offset : target + offset;
    }

    /** A container size: the bounds one draw in 25; else uniform, with sizes past {@code min + 32} rare. */
    static int size(Random r, int min, int max) {
        if (r.nextInt(EDGE_ONE_IN) == 0) {
            return r.nextBoolean() ? min : max;
        }
        if (max - min <= SMALL_SIZE_SPAN) {
            return min + r.nextInt(max - min + 1);
        }
        int cutoff = min + SMALL_SIZE_SPAN;
        double x = r.nextDouble();
        if (x < 0.02) {
            return max;
        }
        if (x < 0.12) {
            return cutoff + 1 + r.nextInt(max - cutoff);
        }
        return min + r.nextInt(cutoff - min + 1);
    }

    static String string(Random r, String chars, int minLength, int maxLength) {
        int n = size(r, minLength, maxLength);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(chars.charAt(r.nextInt(chars.length())));
        }
        return s.toString();
    }

    static <T> List<T> list(Random r, int minSize, int maxSize, Function<Random, T> element) {
        int n = size(r, minSize, maxSize);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.apply(r));
        }
        return out;
    }

    /** Null with probability {@code nullProbability}, else a drawn value. */
    static <T> T orNull(Random r, double nullProbability, Function<Random, T> value) {
        return r.nextDouble() < nullProbability ? null : value.apply(r);
    }

    @SafeVarargs
    static <T> T anyOf(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }
}
