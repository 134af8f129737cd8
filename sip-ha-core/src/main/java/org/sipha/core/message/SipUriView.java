package org.sipha.core.message;

/**
 * A zero-copy view of a URI: {@code sip:}/{@code sips:} URIs are split into user, password, host, port,
 * parameters and headers; other schemes ({@code tel:}, {@code urn:}, ...) expose the part before the first
 * {@code ;} as {@link #user()} and their parameters.
 *
 * <p>IPv6 hosts keep their brackets ({@code [2001:db8::1]}), as RFC 3261 writes an IPv6reference. Values are
 * raw: {@code %XX} escapes are not decoded. Not thread-safe; valid until the owning message view is re-wrapped.
 */
public final class SipUriView {
    private final int[] scratch = new int[4];
    private final AsciiView scheme = new AsciiView();
    private final AsciiView user = new AsciiView();
    private final AsciiView password = new AsciiView();
    private final AsciiView host = new AsciiView();
    private final AsciiView paramValue = new AsciiView();
    private final AsciiView headers = new AsciiView();
    private final AsciiView whole = new AsciiView();
    private byte[] b;
    private boolean hasUser;
    private boolean hasPassword;
    private boolean hasHost;
    private boolean hasHeaders;
    private int port;
    private int paramsStart;
    private int paramsEnd;

    /**
     * Parses the URI in [start, end) of {@code buf}. Returns {@link SipParseResult#OK} or
     * {@link SipParseResult#BAD_URI}; never throws.
     */
    public SipParseResult parse(byte[] buf, int start, int end) {
        b = buf;
        hasUser = hasPassword = hasHost = hasHeaders = false;
        port = -1;
        whole.wrap(buf, start, end - start);
        int p = start;
        if (p >= end || !isAlpha(buf[p])) {
            return SipParseResult.BAD_URI;
        }
        while (p < end
                && (isAlpha(buf[p]) || Bytes.isDigit(buf[p]) || buf[p] == '+' || buf[p] == '-' || buf[p] == '.')) {
            p++;
        }
        if (p >= end || buf[p] != ':') {
            return SipParseResult.BAD_URI;
        }
        scheme.wrap(buf, start, p - start);
        p++;
        int q = Bytes.indexOf(buf, p, end, (byte) '?');
        int paramsLimit = q < 0 ? end : q;
        if (q >= 0) {
            hasHeaders = true;
            headers.wrap(buf, q + 1, end - q - 1);
        }
        if (scheme.contentEqualsIgnoreCase("sip") || scheme.contentEqualsIgnoreCase("sips")) {
            p = parseSipAuthority(buf, p, paramsLimit);
            if (p < 0) {
                return SipParseResult.BAD_URI;
            }
        } else {
            int semi = Bytes.indexOf(buf, p, paramsLimit, (byte) ';');
            int ue = semi < 0 ? paramsLimit : semi;
            if (ue == p) {
                return SipParseResult.BAD_URI;
            }
            hasUser = true;
            user.wrap(buf, p, ue - p);
            p = ue;
        }
        paramsStart = p;
        paramsEnd = paramsLimit;
        while (p < paramsLimit) {
            p = Params.next(buf, p, paramsLimit, true, scratch);
            if (p < 0) {
                return SipParseResult.BAD_URI;
            }
        }
        return SipParseResult.OK;
    }

    private int parseSipAuthority(byte[] buf, int p, int limit) {
        int at = Bytes.indexOf(buf, p, limit, (byte) '@');
        if (at >= 0) {
            int colon = Bytes.indexOf(buf, p, at, (byte) ':');
            int ue = colon < 0 ? at : colon;
            if (ue == p) {
                return -1;
            }
            hasUser = true;
            user.wrap(buf, p, ue - p);
            if (colon >= 0) {
                hasPassword = true;
                password.wrap(buf, colon + 1, at - colon - 1);
            }
            p = at + 1;
        }
        int hs = p;
        if (p < limit && buf[p] == '[') {
            int close = Bytes.indexOf(buf, p, limit, (byte) ']');
            if (close < 0) {
                return -1;
            }
            p = close + 1;
        } else {
            while (p < limit && buf[p] != ':' && buf[p] != ';' && !Bytes.isLws(buf[p])) {
                if (buf[p] == '@' || buf[p] == '<' || buf[p] == '>' || buf[p] == '"') {
                    return -1;
                }
                p++;
            }
        }
        if (p == hs) {
            return -1;
        }
        hasHost = true;
        host.wrap(buf, hs, p - hs);
        if (p < limit && buf[p] == ':') {
            int ps = ++p;
            while (p < limit && Bytes.isDigit(buf[p])) {
                p++;
            }
            long v = Bytes.parseDigits(buf, ps, p, 65535);
            if (v < 0) {
                return -1;
            }
            port = (int) v;
        }
        if (p < limit && buf[p] != ';') {
            return -1;
        }
        return p;
    }

    private static boolean isAlpha(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** The whole URI as parsed. */
    public AsciiView asText() {
        return whole;
    }

    public AsciiView scheme() {
        return scheme;
    }

    /** The user part (or a {@code tel:} number), or null if there is none. */
    public AsciiView user() {
        return hasUser ? user : null;
    }

    /** The password after {@code user:}, or null. */
    public AsciiView password() {
        return hasPassword ? password : null;
    }

    /** The host, IPv6 references with brackets; null for schemes other than sip/sips. */
    public AsciiView host() {
        return hasHost ? host : null;
    }

    /** The port, or -1 if the URI names none. */
    public int port() {
        return port;
    }

    /** The headers part after {@code ?}, or null. */
    public AsciiView headers() {
        return hasHeaders ? headers : null;
    }

    /** True if the URI has parameter {@code name} (case-insensitive), with or without a value. */
    public boolean hasParam(CharSequence name) {
        return Params.find(b, paramsStart, paramsEnd, true, name, scratch);
    }

    /** The raw value of URI parameter {@code name}; null if absent; empty if it has no value. */
    public AsciiView param(CharSequence name) {
        if (!Params.find(b, paramsStart, paramsEnd, true, name, scratch)) {
            return null;
        }
        return scratch[Params.VALUE_START] < 0
                ? paramValue.wrap(b, paramsStart, 0)
                : paramValue.wrap(
                        b, scratch[Params.VALUE_START], scratch[Params.VALUE_END] - scratch[Params.VALUE_START]);
    }

    /** True if the URI carries {@code ;lr} (RFC 3261 loose routing). */
    public boolean isLooseRouting() {
        return hasParam("lr");
    }

    /** The {@code transport} parameter, or null. */
    public AsciiView transport() {
        return param("transport");
    }

    @Override
    public String toString() {
        return whole.toString();
    }
}
