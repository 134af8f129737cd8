package org.sipha.core.message;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A zero-copy view of one Via value ({@code SIP/2.0/UDP host:port;branch=...;received=...;rport}).
 *
 * <p>{@code branch}, {@code received} and {@code rport} are located while the value is parsed; any other
 * parameter is found on demand by {@link #param(CharSequence)}. Hosts keep IPv6 brackets. Not thread-safe;
 * valid until the owning {@link SipMessageView} is re-wrapped or, for the cursor returned by
 * {@link SipMessageView#via(int)}, until that method is called again.
 */
public final class ViaView {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** {@code "SIP/2.0/"} as a little-endian word. */
    private static final long SIP_2_0_SLASH = 0x2f302e322f504953L;

    private static final byte[] BRANCH = Bytes.lowerBytes("branch");
    private static final byte[] RECEIVED = Bytes.lowerBytes("received");
    private static final byte[] RPORT = Bytes.lowerBytes("rport");
    private static final long BRANCH_WORD = wordOf(BRANCH);
    private static final long RECEIVED_WORD = wordOf(RECEIVED);
    private static final long RPORT_WORD = wordOf(RPORT);
    private static final long CASE_FOLD = 0x2020_2020_2020_2020L;

    private final int[] scratch = new int[4];
    private final AsciiView protocol = new AsciiView();
    private final AsciiView transport = new AsciiView();
    private final AsciiView host = new AsciiView();
    private final AsciiView branch = new AsciiView();
    private final AsciiView received = new AsciiView();
    private final AsciiView paramValue = new AsciiView();
    private final AsciiView whole = new AsciiView();
    private byte[] b;
    private int start;
    private int end;
    private int port;
    private boolean hasBranch;
    private boolean hasReceived;
    private boolean hasRport;
    private int rport;
    private int rportParamStart;
    private int rportParamEnd;
    private int receivedParamStart;
    private int paramsStart;

    /** Parses the Via value in [start, end); returns OK or {@link SipParseResult#BAD_VIA}. Never throws. */
    SipParseResult parse(byte[] buf, int s, int e) {
        b = buf;
        start = s;
        end = Bytes.trimLwsEnd(buf, s, e);
        whole.wrap(buf, s, end - s);
        port = -1;
        rport = -1;
        hasBranch = hasReceived = hasRport = false;
        int p = Bytes.skipLws(buf, s, end);
        int ps = p;
        p = token(buf, p, end);
        p = slash(buf, p, end);
        p = token(buf, p, end);
        int protoEnd = p;
        p = slash(buf, p, end);
        int ts = p;
        p = token(buf, p, end);
        if (p < 0) {
            return SipParseResult.BAD_VIA;
        }
        protocol.wrap(buf, ps, protoEnd - ps);
        transport.wrap(buf, ts, p - ts);
        if (p >= end || !Bytes.isLws(buf[p])) {
            return SipParseResult.BAD_VIA;
        }
        p = parseSentBy(buf, Bytes.skipLws(buf, p, end));
        if (p < 0) {
            return SipParseResult.BAD_VIA;
        }
        paramsStart = p;
        return parseParams(buf, p) ? SipParseResult.OK : SipParseResult.BAD_VIA;
    }

    /**
     * The fast path for the shape nearly every Via has on the wire: {@code SIP/2.0/TRANSPORT host[:port]}
     * followed by {@code ;name[=value]} parameters made of token characters (and colons in values), with no
     * white space, quotes, comments, brackets or commas. On such a value, given as a whole header line's value,
     * it sets exactly what {@link #parse} would, and the line is one Via value, as it holds no list separator.
     * Returns false, possibly having changed this view, at the first byte outside that shape or on anything
     * {@link #parse} could reject: the caller then splits the line and parses generally, which decides.
     */
    boolean parseCommon(byte[] buf, int s, int e) {
        if (e - s < 12 || (long) LONGS.get(buf, s) != SIP_2_0_SLASH) {
            return false;
        }
        int ts = s + 8;
        int p = ts;
        while (p < e && Bytes.isTokenChar(buf[p])) {
            p++;
        }
        if (p == ts || p >= e || buf[p] != ' ') {
            return false;
        }
        int te = p++;
        int hs = p;
        while (p < e && Bytes.isTokenChar(buf[p])) {
            p++;
        }
        if (p == hs) {
            return false;
        }
        int he = p;
        int sentByPort = -1;
        if (p < e && buf[p] == ':') {
            // Digits read and valued in one pass; what parseDigits(ds, p, 65535) would refuse is refused.
            int ds = ++p;
            int v = 0;
            while (p < e && Bytes.isDigit(buf[p]) && v <= 65535) {
                v = v * 10 + (buf[p++] - '0');
            }
            if (p == ds || v > 65535) {
                return false;
            }
            sentByPort = v;
        }
        b = buf;
        start = s;
        end = e;
        whole.wrap(buf, s, e - s);
        protocol.wrap(buf, s, 7);
        transport.wrap(buf, ts, te - ts);
        host.wrap(buf, hs, he - hs);
        port = sentByPort;
        rport = -1;
        hasBranch = hasReceived = hasRport = false;
        paramsStart = p;
        return commonParams(buf, p, e);
    }

    /** The parameters of {@link #parseCommon}; each must be {@code ;token} or {@code ;token=token-or-colons}. */
    private boolean commonParams(byte[] buf, int p, int e) {
        while (p < e) {
            if (buf[p] != ';') {
                return false;
            }
            int paramStart = p++;
            int ns = p;
            while (p < e && Bytes.isTokenChar(buf[p])) {
                p++;
            }
            int ne = p;
            if (ne == ns) {
                return false;
            }
            int vs = -1;
            int ve = -1;
            if (p < e && buf[p] == '=') {
                vs = ++p;
                p = Bytes.skipTokenOrColon(buf, p, e);
                ve = p;
            }
            if (!commonParam(buf, paramStart, ns, ne, vs, ve)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Records the parameter if it is branch, received or rport (the first of each), for the fast path and
     * {@link #parseParams} alike; false if its value is invalid. No value is {@code vs == ve == -1}.
     */
    private boolean commonParam(byte[] buf, int paramStart, int ns, int ne, int vs, int ve) {
        int nl = ne - ns;
        if (!hasBranch && isLetterName(buf, ns, nl, BRANCH, BRANCH_WORD)) {
            if (vs == ve) {
                return false;
            }
            hasBranch = true;
            branch.wrap(buf, vs, ve - vs);
        } else if (!hasReceived && isLetterName(buf, ns, nl, RECEIVED, RECEIVED_WORD)) {
            if (vs == ve) {
                return false;
            }
            hasReceived = true;
            receivedParamStart = paramStart;
            received.wrap(buf, vs, ve - vs);
        } else if (!hasRport && isLetterName(buf, ns, nl, RPORT, RPORT_WORD)) {
            hasRport = true;
            rportParamStart = paramStart;
            rportParamEnd = vs < 0 ? ne : ve;
            if (vs >= 0) {
                long v = Bytes.parseDigits(buf, vs, ve, 65535);
                if (v < 0) {
                    return false;
                }
                rport = (int) v;
            }
        }
        return true;
    }

    /**
     * Case-insensitive: do the {@code nl} bytes at {@code ns} spell {@code lower}, a name of at most eight
     * letters whose little-endian word is {@code lowerWord}? One word compare where a word fits: OR-ing
     * {@code 0x20} into a byte gives a lower-case letter only for that letter's two cases, so the compare is as
     * exact as {@link Bytes#equalsLower}.
     */
    private static boolean isLetterName(byte[] buf, int ns, int nl, byte[] lower, long lowerWord) {
        if (nl != lower.length) {
            return false;
        }
        if (ns + 8 > buf.length) {
            return Bytes.equalsLower(buf, ns, nl, lower);
        }
        long mask = -1L >>> (8 * (8 - nl));
        return ((((long) LONGS.get(buf, ns)) | CASE_FOLD) & mask) == lowerWord;
    }

    /** The bytes of {@code lower} (at most eight) as a little-endian word. */
    private static long wordOf(byte[] lower) {
        long w = 0;
        for (int i = 0; i < lower.length; i++) {
            w |= (lower[i] & 0xffL) << (8 * i);
        }
        return w;
    }

    private int parseSentBy(byte[] buf, int p) {
        int hs = p;
        if (p < end && buf[p] == '[') {
            int close = Bytes.indexOf(buf, p, end, (byte) ']');
            if (close < 0) {
                return -1;
            }
            p = close + 1;
        } else {
            while (p < end && buf[p] != ':' && buf[p] != ';' && !Bytes.isLws(buf[p])) {
                p++;
            }
        }
        if (p == hs) {
            return -1;
        }
        host.wrap(buf, hs, p - hs);
        p = Bytes.skipLws(buf, p, end);
        if (p < end && buf[p] == ':') {
            int q = Bytes.skipLws(buf, p + 1, end);
            int ds = q;
            while (q < end && Bytes.isDigit(buf[q])) {
                q++;
            }
            long v = Bytes.parseDigits(buf, ds, q, 65535);
            if (v < 0) {
                return -1;
            }
            port = (int) v;
            p = Bytes.skipLws(buf, q, end);
        }
        return p;
    }

    private boolean parseParams(byte[] buf, int p) {
        while (p < end) {
            if (buf[p] == '(') {
                // RFC 2543 allowed a trailing comment in Via; skip it whole.
                int close = Bytes.indexOf(buf, p, end, (byte) ')');
                if (close < 0) {
                    return false;
                }
                p = Bytes.skipLws(buf, close + 1, end);
                continue;
            }
            int paramStart = p;
            p = Params.next(buf, p, end, false, scratch);
            if (p < 0) {
                return false;
            }
            if (!commonParam(
                    buf,
                    paramStart,
                    scratch[Params.NAME_START],
                    scratch[Params.NAME_END],
                    scratch[Params.VALUE_START],
                    scratch[Params.VALUE_END])) {
                return false;
            }
        }
        return true;
    }

    private static int token(byte[] buf, int p, int end) {
        if (p < 0) {
            return -1;
        }
        int s = p;
        while (p < end && Bytes.isTokenChar(buf[p])) {
            p++;
        }
        return p == s ? -1 : p;
    }

    private static int slash(byte[] buf, int p, int end) {
        if (p < 0) {
            return -1;
        }
        p = Bytes.skipLws(buf, p, end);
        if (p >= end || buf[p] != '/') {
            return -1;
        }
        return Bytes.skipLws(buf, p + 1, end);
    }

    /** The whole Via value (one value of a possibly comma-separated header). */
    public AsciiView asText() {
        return whole;
    }

    /** Protocol name and version, {@code SIP/2.0} (LWS around the slash kept as sent). */
    public AsciiView protocol() {
        return protocol;
    }

    /** The transport: UDP, TCP, TLS, SCTP, WS, WSS. */
    public AsciiView transport() {
        return transport;
    }

    /** The sent-by host; an IPv6 reference keeps its brackets. */
    public AsciiView host() {
        return host;
    }

    /** The sent-by port, or -1 if none is given. */
    public int port() {
        return port;
    }

    /** The {@code branch} parameter, or null. */
    public AsciiView branch() {
        return hasBranch ? branch : null;
    }

    /** True if the branch starts with RFC 3261's magic cookie {@code z9hG4bK}. */
    public boolean hasRfc3261Branch() {
        return hasBranch && branch.length() > 7 && startsWith(branch, "z9hG4bK");
    }

    /** The {@code received} parameter, or null. */
    public AsciiView received() {
        return hasReceived ? received : null;
    }

    /** True if the Via carries {@code rport} (RFC 3581), with or without a value. */
    public boolean hasRport() {
        return hasRport;
    }

    /** The value of {@code rport}, or -1 if absent or given without a value. */
    public int rport() {
        return rport;
    }

    /** The raw value of parameter {@code name}; null if absent; empty if it has no value. */
    public AsciiView param(CharSequence name) {
        if (!Params.find(b, paramsStart, end, false, name, scratch)) {
            return null;
        }
        int vs = scratch[Params.VALUE_START];
        return vs < 0 ? paramValue.wrap(b, paramsStart, 0) : paramValue.wrap(b, vs, scratch[Params.VALUE_END] - vs);
    }

    int valueStart() {
        return start;
    }

    int valueEnd() {
        return end;
    }

    int rportParamStart() {
        return rportParamStart;
    }

    int rportParamEnd() {
        return rportParamEnd;
    }

    int receivedValueStart() {
        return received.offset();
    }

    int receivedValueEnd() {
        return received.offset() + received.length();
    }

    private static boolean startsWith(AsciiView v, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (v.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return whole.toString();
    }
}
