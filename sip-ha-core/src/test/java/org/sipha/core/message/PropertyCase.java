package org.sipha.core.message;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * One case of a {@link SeededProperty}: its seed, the {@link Random} all its inputs are drawn from, and the
 * inputs as drawn, which {@link PrintSeedOnFailure} prints when the case fails. Used by the test's thread only.
 */
final class PropertyCase {
    private final long seed;
    private final Random random;
    private final Map<String, Object> inputs = new LinkedHashMap<>();

    PropertyCase(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
    }

    long seed() {
        return seed;
    }

    Random random() {
        return random;
    }

    /** Records {@code value} under {@code name} (a later value of the same name replaces it) and returns it. */
    <T> T input(String name, T value) {
        inputs.put(name, value);
        return value;
    }

    /** The recorded inputs, one {@code name = value} per line. */
    String describeInputs() {
        StringBuilder s = new StringBuilder();
        inputs.forEach((name, value) -> s.append(name)
                .append(" = ")
                .append(value instanceof byte[] b ? escaped(b) : String.valueOf(value))
                .append('\n'));
        return s.toString();
    }

    /** The bytes as text: printable ASCII as is, CR and LF as {@code \r} and {@code \n}, others as {@code \xNN}. */
    private static String escaped(byte[] b) {
        StringBuilder s = new StringBuilder().append(b.length).append(" bytes \"");
        for (byte x : b) {
            int v = x & 0xff;
            if (v == '\r') {
                s.append("\\r");
            } else if (v == '\n') {
                s.append("\\n");
            } else if (v == '\\' || v == '"') {
                s.append('\\').append((char) v);
            } else if (v >= 0x20 && v < 0x7f) {
                s.append((char) v);
            } else {
                s.append(String.format("\\x%02x", v));
            }
        }
        return s.append('"').toString();
    }

    @Override
    public String toString() {
        return "seed " + seed;
    }
}
