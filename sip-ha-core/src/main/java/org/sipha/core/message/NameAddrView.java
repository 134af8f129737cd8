package org.sipha.core.message;

/**
 * A zero-copy view of one name-addr or addr-spec value: From, To, Contact, Route, Record-Route
 * ({@code "Alice" <sip:alice@example.com;lr>;tag=1928}).
 *
 * <p>In the {@code <...>} form, parameters inside the brackets belong to the URI (read them from
 * {@link #uri()}, e.g. {@code lr}) and those after it to the header ({@link #param(CharSequence)}, e.g.
 * {@code tag}). In the bare addr-spec form every {@code ;} parameter is a header parameter (RFC 3261 20.10).
 * Not thread-safe; valid until the owning {@link SipMessageView} is re-wrapped or, for a cursor, repositioned.
 */
public final class NameAddrView {
    private static final byte[] TAG = Bytes.lowerBytes("tag");

    private final int[] scratch = new int[4];
    private final AsciiView displayName = new AsciiView();
    private final AsciiView uriText = new AsciiView();
    private final AsciiView tag = new AsciiView();
    private final AsciiView paramValue = new AsciiView();
    private final AsciiView whole = new AsciiView();
    private final SipUriView uri = new SipUriView();
    private byte[] b;
    private boolean hasDisplayName;
    private boolean hasTag;
    private boolean wildcard;
    private boolean uriParsed;
    private int paramsStart;
    private int end;

    /**
     * Parses [s, e) of {@code buf}; {@code allowWildcard} accepts Contact's {@code *}. Returns OK or
     * {@link SipParseResult#BAD_NAME_ADDR}; never throws. The URI itself is checked lazily by {@link #uri()}.
     */
    SipParseResult parse(byte[] buf, int s, int e, boolean allowWildcard) {
        b = buf;
        hasDisplayName = hasTag = wildcard = uriParsed = false;
        int p = Bytes.skipLws(buf, s, e);
        end = Bytes.trimLwsEnd(buf, p, e);
        whole.wrap(buf, p, end - p);
        if (p >= end) {
            return SipParseResult.BAD_NAME_ADDR;
        }
        if (allowWildcard && buf[p] == '*' && p + 1 == end) {
            wildcard = true;
            paramsStart = end;
            return SipParseResult.OK;
        }
        p = parseDisplayName(buf, p);
        if (p < 0) {
            return SipParseResult.BAD_NAME_ADDR;
        }
        if (p < end && buf[p] == '<') {
            int gt = Bytes.indexOf(buf, p + 1, end, (byte) '>');
            if (gt < 0) {
                return SipParseResult.BAD_NAME_ADDR;
            }
            int us = Bytes.skipLws(buf, p + 1, gt);
            uriText.wrap(buf, us, Bytes.trimLwsEnd(buf, us, gt) - us);
            p = gt + 1;
        } else {
            int us = p;
            while (p < end && buf[p] != ';' && !Bytes.isLws(buf[p])) {
                p++;
            }
            uriText.wrap(buf, us, p - us);
        }
        if (uriText.length() == 0) {
            return SipParseResult.BAD_NAME_ADDR;
        }
        p = Bytes.skipLws(buf, p, end);
        paramsStart = p;
        while (p < end) {
            p = Params.next(buf, p, end, false, scratch);
            if (p < 0) {
                return SipParseResult.BAD_NAME_ADDR;
            }
            int ns = scratch[Params.NAME_START];
            if (!hasTag && Bytes.equalsLower(buf, ns, scratch[Params.NAME_END] - ns, TAG)) {
                int vs = scratch[Params.VALUE_START];
                if (vs < 0 || vs == scratch[Params.VALUE_END]) {
                    return SipParseResult.BAD_NAME_ADDR;
                }
                hasTag = true;
                tag.wrap(buf, vs, scratch[Params.VALUE_END] - vs);
            }
        }
        return SipParseResult.OK;
    }

    /** Reads an optional display name; returns the position of {@code '<'} or of the addr-spec, -1 if malformed. */
    private int parseDisplayName(byte[] buf, int p) {
        if (buf[p] == '"') {
            int q = Bytes.skipQuoted(buf, p, end);
            if (q < 0) {
                return -1;
            }
            hasDisplayName = true;
            displayName.wrap(buf, p + 1, q - 1 - (p + 1));
            q = Bytes.skipLws(buf, q, end);
            return q < end && buf[q] == '<' ? q : -1;
        }
        // An unquoted display name ends at '<'; a ':' or ';' first means an addr-spec without one.
        int i = Bytes.skipToAngleColonSemi(buf, p, end);
        if (i < end && buf[i] == '<') {
            int de = Bytes.trimLwsEnd(buf, p, i);
            if (de > p) {
                hasDisplayName = true;
                displayName.wrap(buf, p, de - p);
            }
            return i;
        }
        return p;
    }

    /** The whole value. */
    public AsciiView asText() {
        return whole;
    }

    /** True for Contact's {@code *}. */
    public boolean isWildcard() {
        return wildcard;
    }

    /** The display name without its quotes (escapes kept raw), or null. */
    public AsciiView displayName() {
        return hasDisplayName ? displayName : null;
    }

    /** The URI text without angle brackets; null for a wildcard. */
    public AsciiView uriText() {
        return wildcard ? null : uriText;
    }

    /**
     * The parsed URI. Decoded on first call after each reposition.
     *
     * @throws SipSyntaxException if the URI is malformed
     */
    public SipUriView uri() {
        if (wildcard) {
            return null;
        }
        if (!uriParsed) {
            if (uri.parse(b, uriText.offset(), uriText.offset() + uriText.length()) != SipParseResult.OK) {
                throw new SipSyntaxException(SipParseResult.BAD_URI, uriText.toString());
            }
            uriParsed = true;
        }
        return uri;
    }

    /** The {@code tag} header parameter, or null. */
    public AsciiView tag() {
        return hasTag ? tag : null;
    }

    /** The raw value of header parameter {@code name}; null if absent; empty if it has no value. */
    public AsciiView param(CharSequence name) {
        if (!Params.find(b, paramsStart, end, false, name, scratch)) {
            return null;
        }
        int vs = scratch[Params.VALUE_START];
        return vs < 0 ? paramValue.wrap(b, paramsStart, 0) : paramValue.wrap(b, vs, scratch[Params.VALUE_END] - vs);
    }

    @Override
    public String toString() {
        return whole.toString();
    }
}
