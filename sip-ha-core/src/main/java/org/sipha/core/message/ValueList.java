package org.sipha.core.message;

/**
 * The values of one multi-valued header kind (Via, Route, Record-Route, Contact) across all its lines, split
 * at top-level commas (not inside quotes or angle brackets). Computed on first use after each wrap; records
 * positions only. Not thread-safe; owned by one {@link SipMessageView}.
 */
final class ValueList {
    final int kind;
    final int[] starts;
    final int[] ends;
    final int[] header;
    int count;
    private int generation = -1;
    private SipParseResult error = SipParseResult.OK;

    ValueList(SipHeaderName kind, int maxValues) {
        this.kind = kind.ordinal();
        starts = new int[maxValues];
        ends = new int[maxValues];
        header = new int[maxValues];
    }

    /** Splits the values if not yet done for {@code gen}; returns OK or the error found. */
    SipParseResult ensure(SipFramer f, int gen, SipParseResult malformed) {
        if (generation == gen) {
            return error;
        }
        generation = gen;
        count = 0;
        error = SipParseResult.OK;
        for (int h = f.firstOfKind[kind]; h >= 0 && error == SipParseResult.OK; h = f.nextOfKind[h]) {
            error = split(f.buf, h, f.valueStart[h], f.valueEnd[h], malformed);
        }
        return error;
    }

    private SipParseResult split(byte[] b, int h, int s, int e, SipParseResult malformed) {
        int elementStart = s;
        boolean inAngle = false;
        int p = s;
        while (p < e) {
            byte c = b[p];
            if (c == '"') {
                p = Bytes.skipQuoted(b, p, e);
                if (p < 0) {
                    return malformed;
                }
                continue;
            }
            if (c == '<') {
                inAngle = true;
            } else if (c == '>') {
                inAngle = false;
            } else if (c == ',' && !inAngle) {
                if (!add(b, h, elementStart, p)) {
                    return SipParseResult.TOO_MANY_VALUES;
                }
                elementStart = p + 1;
            }
            p++;
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
