package org.sipha.dispatcher.engine;

/**
 * The periodic log line of refusals (or of TCP connections refused and closed): at most one per
 * {@link #INTERVAL_NS}, naming only the counters that moved since the previous line, so a flood costs a counter
 * increment per message and one line per interval, never a line per message. Driven by one loop's tick;
 * single-threaded (that loop).
 */
final class RefusalSummary {
    static final long INTERVAL_NS = 10_000_000_000L;

    private final String what;
    private final String[] labels;
    private final long[] logged;
    private boolean started;
    private long lastNs;
    private long intervalNs;

    /** The summary of {@link Refusal}s: {@code refused in the last 10 s: ...}. */
    RefusalSummary() {
        this("refused", labels());
    }

    /**
     * A summary whose line starts with {@code what} and names counter {@code i} {@code labels[i]}.
     */
    RefusalSummary(String what, String[] labels) {
        this.what = what;
        this.labels = labels.clone();
        this.logged = new long[labels.length];
    }

    private static String[] labels() {
        String[] l = new String[Refusal.ALL.length];
        for (Refusal r : Refusal.ALL) {
            l[r.ordinal()] = r.label();
        }
        return l;
    }

    /**
     * True if an interval has passed at {@code nowNs} since the last time this returned true (or since the first
     * call); the next interval starts then.
     */
    boolean due(long nowNs) {
        if (!started) {
            started = true;
            lastNs = nowNs;
            return false;
        }
        if (nowNs - lastNs < INTERVAL_NS) {
            return false;
        }
        intervalNs = nowNs - lastNs;
        lastNs = nowNs;
        return true;
    }

    /**
     * The counters of {@code totals} (indexed as the labels, by {@link Refusal#ordinal()} for the refusals) that moved
     * since the last line, with
     * their increase, e.g. {@code "refused in the last 10 s: request-rate +1200 (total 5400)"}; null if none moved.
     */
    String line(long[] totals) {
        long seconds = intervalNs / 1_000_000_000L;
        StringBuilder b = null;
        for (int i = 0; i < logged.length; i++) {
            long delta = totals[i] - logged[i];
            if (delta == 0) {
                continue;
            }
            if (b == null) {
                b = new StringBuilder(160)
                        .append(what)
                        .append(" in the last ")
                        .append(seconds)
                        .append(" s:");
            } else {
                b.append(',');
            }
            b.append(' ')
                    .append(labels[i])
                    .append(" +")
                    .append(delta)
                    .append(" (total ")
                    .append(totals[i])
                    .append(')');
            logged[i] = totals[i];
        }
        return b == null ? null : b.toString();
    }
}
