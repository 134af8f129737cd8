package org.sipha.health;

import java.util.BitSet;

/**
 * Which final reply codes to an OPTIONS probe mean "alive". Immutable. Like Kamailio's {@code ds_ping_reply_codes}
 * the default is any final response (the destination's SIP stack answered); a list narrows it.
 */
public final class ReplyCodePolicy {
    private static final ReplyCodePolicy ANY_FINAL = new ReplyCodePolicy(null, "any final");
    private final BitSet alive;
    private final String text;

    private ReplyCodePolicy(final BitSet alive, final String text) {
        this.alive = alive;
        this.text = text;
    }

    /** Every final response (200..699) means alive. */
    public static ReplyCodePolicy anyFinal() {
        return ANY_FINAL;
    }

    /**
     * Parses a comma-separated list of codes and classes, e.g. {@code "200,404,2xx"}.
     *
     * @throws IllegalArgumentException on anything else, naming the bad element.
     */
    public static ReplyCodePolicy parse(final String spec) {
        final BitSet set = new BitSet(700);
        for (final String raw : spec.split(",")) {
            final String e = raw.trim();
            if (e.length() == 3 && (e.endsWith("xx") || e.endsWith("XX")) && e.charAt(0) >= '2' && e.charAt(0) <= '6') {
                final int base = (e.charAt(0) - '0') * 100;
                set.set(base, base + 100);
                continue;
            }
            final int code;
            try {
                code = Integer.parseInt(e);
            } catch (final NumberFormatException ex) {
                throw new IllegalArgumentException("bad reply code '" + e + "' in '" + spec + "'");
            }
            if (code < 200 || code > 699) {
                throw new IllegalArgumentException("reply code must be a final code 200..699: '" + e + "'");
            }
            set.set(code);
        }
        return new ReplyCodePolicy(set, spec.trim());
    }

    /** @return true if final reply {@code code} means the destination is alive. */
    public boolean isAlive(final int code) {
        if (code < 200 || code > 699) {
            return false;
        }
        return alive == null || alive.get(code);
    }

    @Override
    public String toString() {
        return text;
    }
}
