package org.sipha.core.message;

/**
 * The values of one multi-valued header kind (Via, Route, Record-Route, Contact) across all its lines, split
 * at top-level commas (not inside quotes or angle brackets). Split lazily and incrementally after each wrap:
 * reading the top Via splits only the first Via line. Records positions only. Not thread-safe; owned by one
 * {@link SipMessageView}.
 */
final class ValueList {
    static final int ALL = Integer.MAX_VALUE;

    final int kind;
    final int[] starts;
    final int[] ends;
    final int[] header;
    int count;
    private long generation = -1;
    private int nextHeader;
    private SipParseResult error = SipParseResult.OK;
    /** The line whose split met {@link #error}: its values after the last one recorded are unknown. */
    private int errorHeader = -1;

    ValueList(SipHeaderName kind, int maxValues) {
        this.kind = kind.ordinal();
        starts = new int[maxValues];
        ends = new int[maxValues];
        header = new int[maxValues];
    }

    /**
     * Splits lines until value {@code index} exists or every line is split ({@link #ALL}). Returns OK if value
     * {@code index} exists, else the first error met. So an outcome never depends on how far earlier calls
     * split: a value before the first malformed spot stays readable after a later call has met that spot.
     */
    SipParseResult ensure(SipFramer f, long gen, SipParseResult malformed, int index) {
        if (generation != gen) {
            generation = gen;
            count = 0;
            error = SipParseResult.OK;
            errorHeader = -1;
            nextHeader = f.firstOfKind[kind];
        }
        while (count <= index && nextHeader >= 0 && error == SipParseResult.OK) {
            int h = nextHeader;
            error = split(f.buf, h, f.valueStart[h], f.valueEnd[h], malformed);
            errorHeader = error == SipParseResult.OK ? -1 : h;
            nextHeader = f.nextOfKind[h];
        }
        return index < count ? SipParseResult.OK : error;
    }

    /** The error met splitting header line {@code h}, or OK if it was split whole or not yet reached. */
    SipParseResult errorIn(int h) {
        return h == errorHeader ? error : SipParseResult.OK;
    }

    private SipParseResult split(byte[] b, int h, int s, int e, SipParseResult malformed) {
        int elementStart = s;
        boolean inAngle = false;
        // A Via comment (RFC 2543) is text, commas included; only Via, where '(' cannot be part of a URI.
        boolean comments = kind == SipHeaderName.VIA.ordinal();
        int p = Bytes.skipToListSpecial(b, s, e, comments);
        while (p < e) {
            byte c = b[p];
            if (c == '"') {
                p = Bytes.skipQuoted(b, p, e);
                if (p < 0) {
                    return malformed;
                }
            } else if (c == '(') {
                p = Bytes.indexOf(b, p, e, (byte) ')');
                if (p < 0) {
                    return malformed;
                }
                p++;
            } else {
                if (c == '<') {
                    inAngle = true;
                } else if (c == '>') {
                    inAngle = false;
                } else if (!inAngle) {
                    if (!add(b, h, elementStart, p)) {
                        return SipParseResult.TOO_MANY_VALUES;
                    }
                    elementStart = p + 1;
                }
                p++;
            }
            p = Bytes.skipToListSpecial(b, p, e, comments);
        }
        if (inAngle) {
            return malformed;
        }
        return add(b, h, elementStart, e) ? SipParseResult.OK : SipParseResult.TOO_MANY_VALUES;
    }

    /** Adds a trimmed value; empty list elements are allowed by RFC 3261's #rule and skipped. */
    private boolean add(byte[] b, int h, int s, int e) {
        s = Bytes.skipLws(b, s, e);
        e = Bytes.trimLwsEnd(b, s, e);
        if (s == e) {
            return true;
        }
        if (count == starts.length) {
            return false;
        }
        starts[count] = s;
        ends[count] = e;
        header[count] = h;
        count++;
        return true;
    }
}
