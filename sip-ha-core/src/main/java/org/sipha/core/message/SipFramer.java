package org.sipha.core.message;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Frames one SIP message in a single pass and records positions only: the start line's parts, every header
 * line (name, value, line bounds, kind) and the body. Nothing is decoded or copied. This is the
 * {@code HttpObjectDecoder} of sip-ha, minus the state machine: a datagram is always whole, and on a stream
 * the caller retries with more bytes after {@link SipParseResult#INCOMPLETE}.
 *
 * <pre>
 *  frameStart   messageStart                     startLineEnd = lineStart[0]
 *  | CRLF ...   | INVITE sip:b@h SIP/2.0 CRLF     | Via: SIP/2.0/UDP h;branch=z9 CRLF | ... | CRLF | body |
 *                 ^method  ^uri      ^version         ^nameEnd ^valueStart       ^valueEnd           ^bodyStart ^bodyEnd
 * </pre>
 *
 * Not thread-safe; owned by one {@link SipMessageView}. Arrays are allocated once, sized by the limits.
 */
final class SipFramer {
    private static final byte[] SIP_2_0 = Bytes.lowerBytes("SIP/2.0");
    private static final byte[] SIP_SLASH = Bytes.lowerBytes("SIP/");
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /**
     * {@code "sip/2.0"} as a little-endian word, and the bits that lower-case its three letters: OR-ing them in
     * makes a word compare exact and case-insensitive (only a letter's two cases OR to that letter; the other
     * bytes must be equal outright). The start line is checked with one compare instead of a byte loop.
     */
    private static final long SIP_2_0_WORD = 0x302e322f706973L;

    private static final long SIP_CASE_BITS = 0x202020L;
    private static final long SEVEN_BYTES = 0x00ff_ffff_ffff_ffffL;
    private static final long FOUR_BYTES = 0xffff_ffffL;
    private static final long COLONS = 0x3a3a_3a3a_3a3a_3a3aL;
    private static final long LFS = 0x0a0a_0a0a_0a0a_0a0aL;

    private static final int KINDS = SipHeaderName.count();
    private static final int OTHER = SipHeaderName.OTHER.ordinal();

    final SipParseLimits limits;

    byte[] buf;
    int frameStart;
    int messageStart;
    int frameEnd;

    boolean request;
    int methodEnd;
    int uriStart;
    int uriEnd;
    int versionStart;
    int versionEnd;
    int statusCode;
    int reasonStart;
    int reasonEnd;
    int startLineEnd;

    int headerCount;
    final int[] kind;
    final int[] lineStart;
    final int[] nameEnd;
    final int[] valueStart;
    final int[] valueEnd;
    final int[] lineEnd;
    final int[] nextOfKind;
    final int[] firstOfKind = new int[KINDS];
    private final int[] lastOfKind = new int[KINDS];

    int headersEnd;

    /** Where a stream frame that returned INCOMPLETE resumes: a line start, or the body; -1 if none. */
    private int resumeAt = -1;

    private boolean resumeInBody;
    private int resumeEnd;
    int bodyStart;
    int bodyEnd;
    int contentLength;

    SipFramer(SipParseLimits limits) {
        this.limits = limits;
        int n = limits.maxHeaders();
        kind = new int[n];
        lineStart = new int[n];
        nameEnd = new int[n];
        valueStart = new int[n];
        valueEnd = new int[n];
        lineEnd = new int[n];
        nextOfKind = new int[n];
        Arrays.fill(firstOfKind, -1);
        Arrays.fill(lastOfKind, -1);
    }

    /**
     * Frames the message at {@code off}. With {@code resume}, a stream frame that follows an
     * {@link SipParseResult#INCOMPLETE} on the same array and offset, with at least as many bytes, continues at
     * the incomplete line (or at the body) instead of rescanning: a message dripping in byte by byte costs
     * linear, not quadratic, work. The caller vouches that the bytes already seen have not changed (true of an
     * appending cumulation buffer); anything else starts afresh.
     */
    SipParseResult frame(byte[] b, int off, int len, boolean stream, boolean resume) {
        int end = off + len;
        int resumeFrom = resumeAt;
        resumeAt = -1;
        if (resume && stream && resumeFrom >= 0 && b == buf && off == frameStart && end >= resumeEnd) {
            return resume(b, resumeFrom, end);
        }
        reset(b, off);
        if (len > limits.maxMessageBytes() && !stream) {
            return SipParseResult.MESSAGE_TOO_LARGE;
        }
        int p = off;
        while (p < end && (b[p] == '\r' || b[p] == '\n')) {
            p++;
        }
        if (p == end) {
            if (len == 0) {
                return stream ? SipParseResult.INCOMPLETE : SipParseResult.EMPTY;
            }
            frameEnd = end;
            return SipParseResult.KEEPALIVE;
        }
        messageStart = p;
        int maxLine = limits.maxLineBytes();
        int lf = Bytes.lineEnd(b, p, lineScanEnd(p, end, maxLine));
        if (lf < -1) {
            return SipParseResult.CONTROL_CHARACTER;
        }
        if (lf < 0) {
            if (contentEnd(b, p, end) - p > maxLine) {
                return SipParseResult.LINE_TOO_LONG;
            }
            return stream ? SipParseResult.INCOMPLETE : SipParseResult.BAD_START_LINE;
        }
        int ce = contentEnd(b, p, lf);
        if (ce - p > maxLine) {
            return SipParseResult.LINE_TOO_LONG;
        }
        SipParseResult r = parseStartLine(b, p, ce);
        if (r != SipParseResult.OK) {
            return r;
        }
        startLineEnd = lf + 1;
        r = indexHeaders(b, startLineEnd, end, stream);
        if (r != SipParseResult.OK) {
            return r;
        }
        return frameBody(end, stream);
    }

    private SipParseResult resume(byte[] b, int from, int end) {
        contentLength = -1;
        if (!resumeInBody) {
            SipParseResult r = indexHeaders(b, from, end, true);
            if (r != SipParseResult.OK) {
                return r;
            }
        }
        return frameBody(end, true);
    }

    private SipParseResult incompleteAt(int resumeFrom, boolean inBody, int end) {
        resumeAt = resumeFrom;
        resumeInBody = inBody;
        resumeEnd = end;
        return SipParseResult.INCOMPLETE;
    }

    private void reset(byte[] b, int off) {
        buf = b;
        frameStart = off;
        messageStart = off;
        frameEnd = off;
        request = false;
        statusCode = -1;
        // One short fill, not a loop over the previous headers' kinds. lastOfKind needs no clearing: it is read
        // only for a kind whose firstOfKind this message has set.
        Arrays.fill(firstOfKind, -1);
        headerCount = 0;
        contentLength = -1;
    }

    /**
     * End of the range to search for the LF of the line at {@code p}: the line limit plus CRLF, or {@code end};
     * computed so that a limit near {@code Integer.MAX_VALUE} cannot overflow.
     */
    private static int lineScanEnd(int p, int end, int maxLine) {
        return end - p > maxLine + 2L ? p + maxLine + 2 : end;
    }

    /** End of a line's content: before its LF and the CR preceding it, if any. */
    private static int contentEnd(byte[] b, int lineStartPos, int lf) {
        return (lf > lineStartPos && b[lf - 1] == '\r') ? lf - 1 : lf;
    }

    private SipParseResult parseStartLine(byte[] b, int s, int e) {
        if (e - s >= 4 && startsWithSipSlash(b, s)) {
            return parseStatusLine(b, s, e);
        }
        request = true;
        int p = s;
        while (p < e && Bytes.isTokenChar(b[p])) {
            p++;
        }
        if (p == s || (p < e && b[p] != ' ' && b[p] != '\t')) {
            return SipParseResult.BAD_METHOD;
        }
        if (p == e) {
            return SipParseResult.BAD_START_LINE;
        }
        methodEnd = p;
        // RFC 3261 25.1: Method SP Request-URI SP SIP-Version, one SP each and nothing after the version
        // (RFC 4475 3.1.2.9, 3.1.2.10). Elements that split the line differently would route it differently.
        if (b[p] != ' ' || p + 1 == e || Bytes.isWsp(b[p + 1])) {
            return SipParseResult.BAD_START_LINE;
        }
        p++;
        uriStart = p;
        p = Bytes.skipVisible(b, p, e);
        if (p < e && b[p] != ' ') {
            return SipParseResult.BAD_REQUEST_URI;
        }
        uriEnd = p;
        if (!hasScheme(b, uriStart, uriEnd)) {
            return SipParseResult.BAD_REQUEST_URI;
        }
        if (p == e || p + 1 == e || Bytes.isWsp(b[p + 1]) || Bytes.isWsp(b[e - 1])) {
            return SipParseResult.BAD_START_LINE;
        }
        versionStart = p + 1;
        versionEnd = e;
        return checkVersion(b, versionStart, versionEnd);
    }

    /**
     * An absolute URI's {@code scheme ":"} at the start of [s, e): ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
     * Refuses a Request-URI in angle brackets (RFC 4475 3.1.2.7) or without a scheme.
     */
    private static boolean hasScheme(byte[] b, int s, int e) {
        if (s == e || !isAlpha(b[s])) {
            return false;
        }
        for (int p = s + 1; p < e; p++) {
            byte c = b[p];
            if (c == ':') {
                return true;
            }
            if (!isAlpha(c) && !Bytes.isDigit(c) && c != '+' && c != '-' && c != '.') {
                return false;
            }
        }
        return false;
    }

    private static boolean isAlpha(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private SipParseResult parseStatusLine(byte[] b, int s, int e) {
        int p = s;
        while (p < e && b[p] != ' ') {
            p++;
        }
        versionStart = s;
        versionEnd = p;
        SipParseResult r = checkVersion(b, s, p);
        if (r != SipParseResult.OK) {
            return r;
        }
        p = skipWsp(b, p, e);
        if (e - p < 3
                || !Bytes.isDigit(b[p])
                || !Bytes.isDigit(b[p + 1])
                || !Bytes.isDigit(b[p + 2])
                || (e - p > 3 && b[p + 3] != ' ' && b[p + 3] != '\t')) {
            return SipParseResult.BAD_STATUS_CODE;
        }
        statusCode = (b[p] - '0') * 100 + (b[p + 1] - '0') * 10 + (b[p + 2] - '0');
        if (statusCode < 100 || statusCode > 699) {
            return SipParseResult.BAD_STATUS_CODE;
        }
        reasonStart = skipWsp(b, p + 3, e);
        reasonEnd = Bytes.trimLwsEnd(b, reasonStart, e);
        return SipParseResult.OK;
    }

    /** Case-insensitive {@code "SIP/"} at {@code s}; the caller has checked that four bytes are there. */
    private static boolean startsWithSipSlash(byte[] b, int s) {
        if (s + 8 <= b.length) {
            return ((((long) LONGS.get(b, s)) | SIP_CASE_BITS) & FOUR_BYTES) == (SIP_2_0_WORD & FOUR_BYTES);
        }
        return Bytes.equalsLower(b, s, 4, SIP_SLASH);
    }

    private static SipParseResult checkVersion(byte[] b, int s, int e) {
        if (e - s == 7
                && s + 8 <= b.length
                && ((((long) LONGS.get(b, s)) | SIP_CASE_BITS) & SEVEN_BYTES) == SIP_2_0_WORD) {
            return SipParseResult.OK;
        }
        if (Bytes.equalsLower(b, s, e - s, SIP_2_0)) {
            return SipParseResult.OK;
        }
        if (e - s > 4 && Bytes.equalsLower(b, s, 4, SIP_SLASH)) {
            return SipParseResult.UNSUPPORTED_VERSION;
        }
        return SipParseResult.BAD_START_LINE;
    }

    private SipParseResult indexHeaders(byte[] b, int q, int end, boolean stream) {
        int maxLine = limits.maxLineBytes();
        int maxBytes = limits.maxMessageBytes();
        while (true) {
            if (q - frameStart > maxBytes) {
                return SipParseResult.MESSAGE_TOO_LARGE;
            }
            if (q >= end) {
                if (stream) {
                    return incompleteAt(q, false, end);
                }
                // A datagram that ends right after a header line: treat the missing empty line as present.
                headersEnd = end;
                bodyStart = end;
                return SipParseResult.OK;
            }
            // The line's first two words, loaded once: they give the name's colon (nearly every name is shorter than
            // fifteen bytes) and its classification below, and the LF search can then start after the colon.
            boolean words = q + 16 <= b.length;
            long w0 = 0;
            long w1 = 0;
            int colon16 = -1;
            int from = q;
            if (words) {
                w0 = (long) LONGS.get(b, q);
                w1 = (long) LONGS.get(b, q + 8);
                int cpos = firstIn(Bytes.hasByte(w0, COLONS), Bytes.hasByte(w1, COLONS));
                // No LF before it, and inside the range: the words may run past end into bytes not of this message.
                if (cpos < firstIn(Bytes.hasByte(w0, LFS), Bytes.hasByte(w1, LFS)) && q + cpos < end) {
                    colon16 = q + cpos;
                    from = colon16 + 1;
                }
            } else {
                // The same search byte by byte near the array's end, so the verdict does not depend on what follows.
                int c = Bytes.indexOf(b, q, Math.min(q + 16, end), (byte) ':');
                if (c >= 0 && Bytes.indexOf(b, q, c, (byte) '\n') < 0) {
                    colon16 = c;
                    from = c + 1;
                }
            }
            int lf = Bytes.lineEnd(b, from, lineScanEnd(q, end, maxLine));
            if (lf < -1) {
                return SipParseResult.CONTROL_CHARACTER;
            }
            int next;
            int ce;
            if (lf < 0) {
                if (contentEnd(b, q, end) - q > maxLine) {
                    return SipParseResult.LINE_TOO_LONG;
                }
                if (stream) {
                    return incompleteAt(q, false, end);
                }
                ce = Bytes.trimLwsEnd(b, q, end);
                next = end;
            } else {
                ce = contentEnd(b, q, lf);
                next = lf + 1;
                if (ce - q > maxLine) {
                    return SipParseResult.LINE_TOO_LONG;
                }
            }
            if (ce == q) {
                headersEnd = q;
                bodyStart = next;
                return SipParseResult.OK;
            }
            if (Bytes.isWsp(b[q])) {
                if (headerCount == 0) {
                    return SipParseResult.BAD_HEADER_LINE;
                }
                // A continuation has no name: the bytes before the colon the LF search started after are value bytes.
                if (from > q && Bytes.lineEnd(b, q, from) < -1) {
                    return SipParseResult.CONTROL_CHARACTER;
                }
                foldInto(b, q, ce, next);
                q = next;
                continue;
            }
            // The header line is indexed here, in the loop, not in a method of its own: such a method, once
            // compiled apart, is too big for the JIT to inline, and then every line pays for a call and for
            // spilling this loop's registers around it (the JIT keeps no register across a call).
            int c;
            int n;
            int k;
            if (words) {
                c = colon16 >= 0 ? colon16 : firstColon(b, q, ce, w0, w1);
                n = nameEnd(b, q, c);
                k = n > q ? HeaderNameIndex.classify(b, q, n - q, w0, w1) : OTHER;
            } else {
                c = Bytes.indexOf(b, q, ce, (byte) ':');
                n = nameEnd(b, q, c);
                k = n > q ? HeaderNameIndex.classify(b, q, n - q) : OTHER;
            }
            // A known name is all token characters; only another name has its bytes checked one by one.
            if (n == q || (k == OTHER && !Bytes.allTokenChars(b, q, n))) {
                return SipParseResult.BAD_HEADER_LINE;
            }
            if (headerCount == kind.length) {
                return SipParseResult.TOO_MANY_HEADERS;
            }
            record(b, q, n, c, ce, next, k);
            q = next;
        }
    }

    /** Appends the continuation line [q, ce) to the last header line (there is one). */
    private void foldInto(byte[] b, int q, int ce, int next) {
        int h = headerCount - 1;
        int firstNonWsp = Bytes.skipLws(b, q, ce);
        if (firstNonWsp < ce) {
            if (valueEnd[h] == valueStart[h]) {
                valueStart[h] = firstNonWsp;
            }
            valueEnd[h] = Bytes.trimLwsEnd(b, firstNonWsp, ce);
        }
        lineEnd[h] = next;
    }

    /**
     * The first colon in [q, ce), or -1; {@code w0} and {@code w1} are the words at {@code q} and {@code q + 8},
     * loaded once for this search and the name's classification (nearly every name is shorter than sixteen
     * bytes). Of each word's has-byte mask only the lowest flag is exact, and it is the one taken; the choice
     * between the words is a select, not a branch on the name's length. A colon at or past {@code ce} is not in
     * the line. The colon found ends the name exactly as a token scan from {@code q} would, as no token or
     * white-space byte is a colon.
     */
    private static int firstColon(byte[] b, int q, int ce, long w0, long w1) {
        long t0 = Bytes.hasByte(w0, COLONS);
        long t1 = Bytes.hasByte(w1, COLONS);
        // With no colon in w1 either, numberOfTrailingZeros is 64, and c lands 16 bytes on.
        int c = q + (t0 != 0 ? Long.numberOfTrailingZeros(t0) >>> 3 : 8 + (Long.numberOfTrailingZeros(t1) >>> 3));
        if (c - q == 16) {
            return q + 16 < ce ? Bytes.indexOf(b, q + 16, ce, (byte) ':') : -1;
        }
        return c < ce ? c : -1;
    }

    /**
     * The offset (0 to 15) of the first flagged byte in the words {@code t0} then {@code t1}, given their has-byte
     * masks, or 16 if neither has one. Only a mask's lowest flag is exact, and it is the one taken.
     */
    private static int firstIn(long t0, long t1) {
        return t0 != 0 ? Long.numberOfTrailingZeros(t0) >>> 3 : 8 + (Long.numberOfTrailingZeros(t1) >>> 3);
    }

    /** The end of the name before colon {@code c} (white space before the colon dropped); {@code q} if none. */
    private static int nameEnd(byte[] b, int q, int c) {
        int n = Math.max(c, q);
        while (n > q && Bytes.isWsp(b[n - 1])) {
            n--;
        }
        return n;
    }

    /** Records header line [q, next) of kind {@code k}: name [q, n), colon at {@code c}, content end {@code ce}. */
    private void record(byte[] b, int q, int n, int c, int ce, int next, int k) {
        int h = headerCount++;
        int vs = c + 1;
        if (vs < ce && b[vs] == ' ') { // the usual single space after the colon
            vs++;
        }
        if (vs < ce && Bytes.isLws(b[vs])) {
            vs = Bytes.skipLws(b, vs, ce);
        }
        kind[h] = k;
        lineStart[h] = q;
        nameEnd[h] = n;
        valueStart[h] = vs;
        valueEnd[h] = Bytes.trimLwsEnd(b, vs, ce);
        lineEnd[h] = next;
        nextOfKind[h] = -1;
        if (firstOfKind[k] < 0) {
            firstOfKind[k] = h;
        } else {
            nextOfKind[lastOfKind[k]] = h;
        }
        lastOfKind[k] = h;
    }

    private SipParseResult frameBody(int end, boolean stream) {
        int clHeader = firstOfKind[SipHeaderName.CONTENT_LENGTH.ordinal()];
        long maxBody = limits.maxMessageBytes();
        for (int h = clHeader; h >= 0; h = nextOfKind[h]) {
            long v = Bytes.parseDigits(buf, valueStart[h], valueEnd[h], Integer.MAX_VALUE);
            if (v < 0) {
                return Bytes.parseDigits(buf, valueStart[h], valueEnd[h], Long.MAX_VALUE / 10) > 0
                        ? SipParseResult.MESSAGE_TOO_LARGE
                        : SipParseResult.BAD_CONTENT_LENGTH;
            }
            if (contentLength >= 0 && contentLength != v) {
                return SipParseResult.BAD_CONTENT_LENGTH;
            }
            contentLength = (int) v;
        }
        if (contentLength > maxBody || (long) bodyStart - frameStart + Math.max(contentLength, 0) > maxBody) {
            return SipParseResult.MESSAGE_TOO_LARGE;
        }
        if (stream) {
            if (contentLength < 0) {
                return SipParseResult.MISSING_CONTENT_LENGTH;
            }
            if (contentLength > end - bodyStart) {
                return incompleteAt(bodyStart, true, end);
            }
            bodyEnd = bodyStart + contentLength;
        } else if (contentLength >= 0) {
            if (contentLength > end - bodyStart) {
                return SipParseResult.BODY_TRUNCATED;
            }
            bodyEnd = bodyStart + contentLength;
        } else {
            bodyEnd = end;
        }
        frameEnd = bodyEnd;
        return SipParseResult.OK;
    }

    private static int skipWsp(byte[] b, int p, int e) {
        while (p < e && Bytes.isWsp(b[p])) {
            p++;
        }
        return p;
    }
}
