package org.sipha.anycast;

import java.util.BitSet;

/**
 * An immutable set of final SIP status codes (200–699), written as a comma list of codes and ranges:
 * {@code "503"}, {@code "500-599"}, {@code "503,600-699"}; the empty string is the empty set.
 * {@link SipOptionsPinger} uses it for the answers that mean "alive but not able to take calls".
 *
 * <p>Threading: immutable; any thread.
 */
public final class SipStatusCodeSet {
    private static final int MIN_FINAL = 200;
    private static final int MAX_FINAL = 699;

    /** No code: only silence (or ICMP unreachable) fails a probe. */
    public static final SipStatusCodeSet NONE = parse("");
    /** 503 Service Unavailable: the default for the watchdog's OPTIONS probe. */
    public static final SipStatusCodeSet SERVICE_UNAVAILABLE = parse("503");

    private final BitSet codes;
    private final String spec;

    private SipStatusCodeSet(BitSet codes, String spec) {
        this.codes = codes;
        this.spec = spec;
    }

    /**
     * @param spec comma-separated codes and {@code LOW-HIGH} ranges, blanks around items allowed
     * @throws IllegalArgumentException for a malformed item or a code outside 200–699
     */
    public static SipStatusCodeSet parse(String spec) {
        BitSet codes = new BitSet(MAX_FINAL + 1);
        StringBuilder canonical = new StringBuilder();
        if (!spec.isBlank()) {
            for (String raw : spec.split(",", -1)) {
                String item = raw.strip();
                int dash = item.indexOf('-');
                int low = code(dash < 0 ? item : item.substring(0, dash), spec);
                int high = dash < 0 ? low : code(item.substring(dash + 1), spec);
                if (high < low) {
                    throw new IllegalArgumentException("status code range " + item + " is reversed in '" + spec + "'");
                }
                codes.set(low, high + 1);
                canonical.append(canonical.length() == 0 ? "" : ",").append(low == high ? low : low + "-" + high);
            }
        }
        return new SipStatusCodeSet(codes, canonical.toString());
    }

    private static int code(String text, String spec) {
        int c;
        try {
            c = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "not a status code or LOW-HIGH range: '" + text.strip() + "' in '" + spec + "'", e);
        }
        if (c < MIN_FINAL || c > MAX_FINAL) {
            throw new IllegalArgumentException(
                    "status code " + c + " is not a final response (200-699) in '" + spec + "'");
        }
        return c;
    }

    public boolean contains(int statusCode) {
        return statusCode >= MIN_FINAL && statusCode <= MAX_FINAL && codes.get(statusCode);
    }

    public boolean isEmpty() {
        return codes.isEmpty();
    }

    /** The set in the form {@link #parse} reads, e.g. {@code 503,600-699}; empty for {@link #NONE}. */
    @Override
    public String toString() {
        return spec;
    }
}
