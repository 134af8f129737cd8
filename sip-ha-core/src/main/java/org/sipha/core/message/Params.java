package org.sipha.core.message;

/**
 * Scans {@code ;name[=value]} parameter lists (Via, name-addr header params, URI params) without allocating.
 * Values are returned raw, as they appear on the wire: a quoted value keeps its quotes and backslash escapes,
 * a URI parameter keeps its {@code %XX} escapes. Stateless; any thread.
 */
final class Params {
    static final int NAME_START = 0;
    static final int NAME_END = 1;
    static final int VALUE_START = 2;
    static final int VALUE_END = 3;

    private Params() {}

    /**
     * Parses the parameter at {@code p} ({@code b[p]} must be {@code ';'}) and stores its bounds in
     * {@code out} (value bounds are -1 when the parameter has no {@code =value}). Returns the position after it
     * and any LWS, or -1 if it is malformed. {@code uri} stops values at {@code '?'} (the URI headers part).
     */
    static int next(byte[] b, int p, int end, boolean uri, int[] out) {
        if (p >= end || b[p] != ';') {
            return -1;
        }
        p = Bytes.skipLws(b, p + 1, end);
        int ns = p;
        p = Bytes.skipParamName(b, p, end);
        if (p == ns) {
            return -1;
        }
        out[NAME_START] = ns;
        out[NAME_END] = p;
        int q = Bytes.skipLws(b, p, end);
        if (q < end && b[q] == '=') {
            p = Bytes.skipLws(b, q + 1, end);
            int vs = p;
            if (p < end && b[p] == '"') {
                p = Bytes.skipQuoted(b, p, end);
                if (p < 0) {
                    return -1;
                }
            } else {
                p = Bytes.skipParamValue(b, p, end, uri);
            }
            out[VALUE_START] = vs;
            out[VALUE_END] = p;
        } else {
            out[VALUE_START] = -1;
            out[VALUE_END] = -1;
            p = q;
        }
        return Bytes.skipLws(b, p, end);
    }

    /**
     * Finds parameter {@code name} (case-insensitive) in the list starting at {@code p}. Returns true and fills
     * {@code out} if found; false if absent or if the list is malformed before it.
     */
    static boolean find(byte[] b, int p, int end, boolean uri, CharSequence name, int[] out) {
        while (p >= 0 && p < end && b[p] == ';') {
            p = next(b, p, end, uri, out);
            if (p >= 0 && Bytes.equalsIgnoreCase(b, out[NAME_START], out[NAME_END] - out[NAME_START], name)) {
                return true;
            }
        }
        return false;
    }
}
