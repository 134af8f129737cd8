package org.sipha.core.message;

import io.netty.buffer.ByteBuf;

/**
 * A reusable, zero-copy, lazily decoded view of one SIP message: the flyweight at the centre of sip-ha.
 *
 * <p>{@link #wrap} frames the message in one pass: it checks the start line, records where each header line,
 * name and value start and end, classifies header names (case-insensitive, compact forms included), and frames
 * the body by Content-Length. Nothing is copied and no value is decoded: {@link #callId()}, {@link #topVia()},
 * {@link #cseqNumber()} and the rest decode only the header they read, on first use, into views owned by this
 * object. With one view per thread, parsing and reading fields allocates nothing.
 *
 * <pre>{@code
 * SipMessageView msg = new SipMessageView();          // once per thread
 * if (msg.wrap(bytes, 0, length) != SipParseResult.OK) { ... answer 400 ... }
 * AsciiView callId = msg.callId();
 * AsciiView branch = msg.topVia().branch();
 * }</pre>
 *
 * <h2>Threading and lifetime</h2>
 * Not thread-safe: one thread uses a view at a time. Every {@link AsciiView}, {@link ViaView},
 * {@link NameAddrView} and {@link SipUriView} returned is owned by this object and stays valid until the next
 * {@code wrap}; the cursors returned by {@link #via(int)}, {@link #route(int)}, {@link #recordRoute(int)},
 * {@link #contact(int)} and {@link #header(CharSequence, int)} are repositioned by their next call. The bytes
 * must not change while the view is in use.
 *
 * <h2>Errors</h2>
 * Framing problems are returned by {@code wrap} as a typed {@link SipParseResult}; no unchecked exception
 * escapes it. A field accessor that finds its header malformed throws {@link SipSyntaxException} with the
 * matching result; {@link #validate()} checks the headers a proxy relies on without throwing.
 */
public final class SipMessageView {
    private final SipFramer f;
    private final ValueList vias;
    private final ValueList routes;
    private final ValueList recordRoutes;
    private final ValueList contacts;

    private final AsciiView method = new AsciiView();
    private final AsciiView requestUri = new AsciiView();
    private final AsciiView reason = new AsciiView();
    private final AsciiView body = new AsciiView();
    private final AsciiView callId = new AsciiView();
    private final AsciiView cseqMethod = new AsciiView();
    private final AsciiView headerCursor = new AsciiView();
    private final AsciiView headerNameCursor = new AsciiView();
    private final SipUriView parsedRequestUri = new SipUriView();
    private final ViaView topVia = new ViaView();
    private final ViaView viaCursor = new ViaView();
    private final NameAddrView from = new NameAddrView();
    private final NameAddrView to = new NameAddrView();
    private final NameAddrView routeCursor = new NameAddrView();
    private final NameAddrView recordRouteCursor = new NameAddrView();
    private final NameAddrView contactCursor = new NameAddrView();

    /**
     * Scratch copy of a direct buffer's message, sized for an ordinary datagram from the start so that a new view's
     * first message does not take the growth branch that compiled code has not seen.
     */
    private byte[] directCopy = new byte[4096];

    private SipParseResult state = SipParseResult.EMPTY;
    /** The request method's code, decoded on first use: a forwarding path that reads no method pays nothing. */
    private SipMethod methodCode;

    private long methodCodeGen = -1;
    private long generation;
    private long topViaGen = -1;
    private long fromGen = -1;
    private long toGen = -1;
    private long requestUriGen = -1;
    private long cseqGen = -1;
    private long cseqNumber;
    /** Decoded from {@link #cseqMethod} on first use, as {@link #methodCode} is. */
    private SipMethod cseqMethodCode;

    private long cseqMethodCodeGen = -1;

    /** A view with {@link SipParseLimits#defaults()}. */
    public SipMessageView() {
        this(SipParseLimits.defaults());
    }

    public SipMessageView(SipParseLimits limits) {
        f = new SipFramer(limits);
        int maxValues = limits.maxValuesPerHeader();
        vias = new ValueList(SipHeaderName.VIA, maxValues);
        routes = new ValueList(SipHeaderName.ROUTE, maxValues);
        recordRoutes = new ValueList(SipHeaderName.RECORD_ROUTE, maxValues);
        contacts = new ValueList(SipHeaderName.CONTACT, maxValues);
    }

    /**
     * Frames one datagram's message (UDP): the body is Content-Length bytes (extra bytes ignored), or the rest
     * of the datagram when Content-Length is absent (RFC 3261 18.3). Returns {@link SipParseResult#OK},
     * {@link SipParseResult#KEEPALIVE}, or an error.
     */
    public SipParseResult wrap(byte[] buffer, int offset, int length) {
        return doWrap(buffer, offset, length, false, false);
    }

    /**
     * Frames the first message of a stream (TCP, TLS): Content-Length is mandatory. Returns
     * {@link SipParseResult#INCOMPLETE} when more bytes are needed, {@link SipParseResult#KEEPALIVE} for leading
     * CRLFs alone; in both OK and KEEPALIVE cases {@link #frameLength()} bytes were consumed.
     */
    public SipParseResult wrapStream(byte[] buffer, int offset, int length) {
        return doWrap(buffer, offset, length, true, false);
    }

    /**
     * As {@link #wrapStream}, but when the previous call on this view was a stream wrap of the same array and
     * offset that returned {@link SipParseResult#INCOMPLETE}, continues where it stopped instead of rescanning,
     * so a message arriving a few bytes at a time costs linear work. Call it only after bytes were appended:
     * the bytes already framed must be unchanged. Otherwise it is exactly {@link #wrapStream}. Keep one view
     * per connection to get the linear bound on every connection.
     */
    public SipParseResult continueStream(byte[] buffer, int offset, int length) {
        return doWrap(buffer, offset, length, true, true);
    }

    /**
     * Frames the readable bytes of {@code buffer} as a datagram. A heap buffer is viewed in place; a direct
     * buffer is first copied into a scratch array owned by this view (the one copy a direct buffer costs; it is
     * reused, so steady state does not allocate). The buffer's indexes are not changed.
     */
    public SipParseResult wrap(ByteBuf buffer) {
        int len = buffer.readableBytes();
        if (buffer.hasArray()) {
            return wrap(buffer.array(), buffer.arrayOffset() + buffer.readerIndex(), len);
        }
        if (len > f.limits.maxMessageBytes()) {
            state = SipParseResult.MESSAGE_TOO_LARGE;
            generation++;
            return state;
        }
        if (directCopy.length < len) {
            directCopy = new byte[Math.max(len, Math.min(f.limits.maxMessageBytes(), 2 * directCopy.length))];
        }
        buffer.getBytes(buffer.readerIndex(), directCopy, 0, len);
        return wrap(directCopy, 0, len);
    }

    private SipParseResult doWrap(byte[] buffer, int offset, int length, boolean stream, boolean resume) {
        generation++;
        if (buffer == null || offset < 0 || length < 0 || offset > buffer.length - length) {
            state = SipParseResult.EMPTY;
            return state;
        }
        state = f.frame(buffer, offset, length, stream, resume);
        if (state == SipParseResult.OK) {
            if (f.request) {
                method.wrap(buffer, f.messageStart, f.methodEnd - f.messageStart);
                requestUri.wrap(buffer, f.uriStart, f.uriEnd - f.uriStart);
            } else {
                reason.wrap(buffer, f.reasonStart, f.reasonEnd - f.reasonStart);
            }
            body.wrap(buffer, f.bodyStart, f.bodyEnd - f.bodyStart);
        }
        return state;
    }

    /** The result of the last wrap. */
    public SipParseResult parseResult() {
        return state;
    }

    /** The limits this view enforces. */
    public SipParseLimits limits() {
        return f.limits;
    }

    /** Bytes consumed from the wrapped range by the last OK or KEEPALIVE wrap (leading CRLFs and the body included). */
    public int frameLength() {
        return f.frameEnd - f.frameStart;
    }

    /** The wrapped buffer. */
    public byte[] buffer() {
        return f.buf;
    }

    /** Offset of the start line in {@link #buffer()} (after any leading CRLF). */
    public int messageOffset() {
        return f.messageStart;
    }

    /** Length of the message from its start line to the end of its body. */
    public int messageLength() {
        return f.frameEnd - f.messageStart;
    }

    // ---------------------------------------------------------------- start line

    public boolean isRequest() {
        ensureOk();
        return f.request;
    }

    public boolean isResponse() {
        return !isRequest();
    }

    /** The request method (case-sensitive as sent); null for a response. */
    public AsciiView method() {
        return isRequest() ? method : null;
    }

    /** The request method's code; null for a response. */
    public SipMethod methodCode() {
        ensureOk();
        if (!f.request) {
            return null;
        }
        if (methodCodeGen != generation) {
            methodCode = SipMethod.lookup(f.buf, f.messageStart, f.methodEnd - f.messageStart);
            methodCodeGen = generation;
        }
        return methodCode;
    }

    /** The Request-URI text; null for a response. */
    public AsciiView requestUri() {
        return isRequest() ? requestUri : null;
    }

    /**
     * The parsed Request-URI; null for a response.
     *
     * @throws SipSyntaxException if the URI is malformed
     */
    public SipUriView parsedRequestUri() {
        if (!isRequest()) {
            return null;
        }
        if (requestUriGen != generation) {
            if (parsedRequestUri.parse(f.buf, f.uriStart, f.uriEnd) != SipParseResult.OK) {
                throw new SipSyntaxException(SipParseResult.BAD_REQUEST_URI, requestUri.toString());
            }
            requestUriGen = generation;
        }
        return parsedRequestUri;
    }

    /** The response status code; -1 for a request. */
    public int statusCode() {
        ensureOk();
        return f.request ? -1 : f.statusCode;
    }

    /** The reason phrase; null for a request. */
    public AsciiView reasonPhrase() {
        return isRequest() ? null : reason;
    }

    // ---------------------------------------------------------------- typed headers

    /** The Call-ID value, or null if absent. */
    public AsciiView callId() {
        int h = first(SipHeaderName.CALL_ID);
        return h < 0 ? null : callId.wrap(f.buf, f.valueStart[h], f.valueEnd[h] - f.valueStart[h]);
    }

    /**
     * The CSeq sequence number, or -1 if CSeq is absent.
     *
     * @throws SipSyntaxException if CSeq is malformed
     */
    public long cseqNumber() {
        return decodeCseq() ? cseqNumber : -1;
    }

    /**
     * The CSeq method, or null if CSeq is absent.
     *
     * @throws SipSyntaxException if CSeq is malformed
     */
    public AsciiView cseqMethod() {
        return decodeCseq() ? cseqMethod : null;
    }

    /** The CSeq method's code, or null if CSeq is absent. */
    public SipMethod cseqMethodCode() {
        if (!decodeCseq()) {
            return null;
        }
        if (cseqMethodCodeGen != generation) {
            cseqMethodCode = SipMethod.lookup(f.buf, cseqMethod.offset(), cseqMethod.length());
            cseqMethodCodeGen = generation;
        }
        return cseqMethodCode;
    }

    private boolean decodeCseq() {
        int h = first(SipHeaderName.CSEQ);
        if (h < 0) {
            return false;
        }
        if (cseqGen != generation) {
            if (parseCseq(h) != SipParseResult.OK) {
                throw new SipSyntaxException(SipParseResult.BAD_CSEQ, headerText(h));
            }
            cseqGen = generation;
        }
        return true;
    }

    private SipParseResult parseCseq(int h) {
        byte[] b = f.buf;
        int s = f.valueStart[h];
        int e = f.valueEnd[h];
        int p = s;
        long n = 0;
        while (p < e && Bytes.isDigit(b[p])) {
            n = n * 10 + (b[p++] - '0');
            if (n > 0xFFFF_FFFFL) {
                return SipParseResult.BAD_CSEQ;
            }
        }
        if (p == s || p >= e || !Bytes.isLws(b[p])) {
            return SipParseResult.BAD_CSEQ;
        }
        int ms = Bytes.skipLws(b, p, e);
        int me = ms;
        while (me < e && Bytes.isTokenChar(b[me])) {
            me++;
        }
        if (me == ms || me != e) {
            return SipParseResult.BAD_CSEQ;
        }
        cseqNumber = n;
        cseqMethod.wrap(b, ms, me - ms);
        return SipParseResult.OK;
    }

    /**
     * Max-Forwards, or -1 if absent.
     *
     * @throws SipSyntaxException if Max-Forwards is not a number from 0 to 2^31-1
     */
    public int maxForwards() {
        int h = first(SipHeaderName.MAX_FORWARDS);
        if (h < 0) {
            return -1;
        }
        long v = Bytes.parseDigits(f.buf, f.valueStart[h], f.valueEnd[h], Integer.MAX_VALUE);
        if (v < 0) {
            throw new SipSyntaxException(SipParseResult.BAD_MAX_FORWARDS, headerText(h));
        }
        return (int) v;
    }

    /** The declared Content-Length, or -1 if the header is absent. */
    public int contentLength() {
        ensureOk();
        return f.contentLength;
    }

    /** The body (empty if none). */
    public AsciiView body() {
        ensureOk();
        return body;
    }

    /** Number of Via values over all Via lines. @throws SipSyntaxException if a Via line cannot be split */
    public int viaCount() {
        return list(vias, SipParseResult.BAD_VIA).count;
    }

    /**
     * The first Via value, or null if there is none.
     *
     * @throws SipSyntaxException if it is malformed
     */
    public ViaView topVia() {
        if (topViaGen != generation) {
            // Most Via lines hold one value of the common shape: parse it in place, without splitting the line.
            int h = first(SipHeaderName.VIA);
            if (h < 0 || !topVia.parseCommon(f.buf, f.valueStart[h], f.valueEnd[h])) {
                ValueList l = list(vias, SipParseResult.BAD_VIA, 0);
                if (l.count == 0) {
                    return null;
                }
                parseVia(topVia, l, 0);
            }
            topViaGen = generation;
        }
        return topVia;
    }

    /**
     * Via value {@code index} (0 is the top). Returns a cursor repositioned by the next call.
     *
     * @throws SipSyntaxException if it is malformed
     * @throws IndexOutOfBoundsException if there is no such value
     */
    public ViaView via(int index) {
        ValueList l = list(vias, SipParseResult.BAD_VIA, Math.max(index, 0));
        checkIndex(index, l.count, "Via");
        parseVia(viaCursor, l, index);
        return viaCursor;
    }

    private void parseVia(ViaView v, ValueList l, int i) {
        if (v.parse(f.buf, l.starts[i], l.ends[i]) != SipParseResult.OK) {
            throw new SipSyntaxException(SipParseResult.BAD_VIA, text(l.starts[i], l.ends[i]));
        }
    }

    /** The From value, or null if absent. @throws SipSyntaxException if malformed */
    public NameAddrView from() {
        int h = first(SipHeaderName.FROM);
        if (h < 0) {
            return null;
        }
        if (fromGen != generation) {
            parseNameAddr(from, f.valueStart[h], f.valueEnd[h], false);
            fromGen = generation;
        }
        return from;
    }

    /** The To value, or null if absent. @throws SipSyntaxException if malformed */
    public NameAddrView to() {
        int h = first(SipHeaderName.TO);
        if (h < 0) {
            return null;
        }
        if (toGen != generation) {
            parseNameAddr(to, f.valueStart[h], f.valueEnd[h], false);
            toGen = generation;
        }
        return to;
    }

    /** Number of Route values over all Route lines. */
    public int routeCount() {
        return list(routes, SipParseResult.BAD_NAME_ADDR).count;
    }

    /** Route value {@code index} (0 is the top); a cursor. @throws SipSyntaxException if malformed */
    public NameAddrView route(int index) {
        return element(routes, index, routeCursor, "Route", false);
    }

    /** Number of Record-Route values over all Record-Route lines. */
    public int recordRouteCount() {
        return list(recordRoutes, SipParseResult.BAD_NAME_ADDR).count;
    }

    /** Record-Route value {@code index} (0 is the top); a cursor. @throws SipSyntaxException if malformed */
    public NameAddrView recordRoute(int index) {
        return element(recordRoutes, index, recordRouteCursor, "Record-Route", false);
    }

    /** Number of Contact values over all Contact lines. */
    public int contactCount() {
        return list(contacts, SipParseResult.BAD_NAME_ADDR).count;
    }

    /** Contact value {@code index}; a cursor; {@code *} is a wildcard. @throws SipSyntaxException if malformed */
    public NameAddrView contact(int index) {
        return element(contacts, index, contactCursor, "Contact", true);
    }

    private NameAddrView element(ValueList l, int index, NameAddrView cursor, String name, boolean wildcard) {
        list(l, SipParseResult.BAD_NAME_ADDR, Math.max(index, 0));
        checkIndex(index, l.count, name);
        parseNameAddr(cursor, l.starts[index], l.ends[index], wildcard);
        return cursor;
    }

    private void parseNameAddr(NameAddrView v, int s, int e, boolean wildcard) {
        if (v.parse(f.buf, s, e, wildcard) != SipParseResult.OK) {
            throw new SipSyntaxException(SipParseResult.BAD_NAME_ADDR, text(s, e));
        }
    }

    // ---------------------------------------------------------------- any header

    /** Number of header lines (a folded header counts once). */
    public int headerCount() {
        ensureOk();
        return f.headerCount;
    }

    /** The kind of header line {@code i}. */
    public SipHeaderName headerKind(int i) {
        checkIndex(i, headerCount(), "header");
        return SipHeaderName.ofOrdinal(f.kind[i]);
    }

    /** The name of header line {@code i} as sent (a cursor shared with other name reads). */
    public AsciiView headerName(int i) {
        checkIndex(i, headerCount(), "header");
        return headerNameCursor.wrap(f.buf, f.lineStart[i], f.nameEnd[i] - f.lineStart[i]);
    }

    /** The value of header line {@code i}, trimmed; folded lines keep their inner CRLF (a cursor). */
    public AsciiView headerValue(int i) {
        checkIndex(i, headerCount(), "header");
        return headerCursor.wrap(f.buf, f.valueStart[i], f.valueEnd[i] - f.valueStart[i]);
    }

    /** The first line's value of a known header kind, or null (a cursor). */
    public AsciiView header(SipHeaderName kind) {
        if (kind == SipHeaderName.OTHER) {
            throw new IllegalArgumentException("OTHER is not a header name; use header(CharSequence)");
        }
        int h = first(kind);
        return h < 0 ? null : headerCursor.wrap(f.buf, f.valueStart[h], f.valueEnd[h] - f.valueStart[h]);
    }

    /** The first line's value of header {@code name} (case-insensitive, compact forms match), or null. */
    public AsciiView header(CharSequence name) {
        return header(name, 0);
    }

    /** Number of lines of header {@code name} (case-insensitive, compact forms match). */
    public int headerCount(CharSequence name) {
        ensureOk();
        int n = 0;
        for (int h = 0; h < f.headerCount; h++) {
            if (matches(h, name)) {
                n++;
            }
        }
        return n;
    }

    /** The value of the {@code n}-th line of header {@code name}, or null if there are fewer lines (a cursor). */
    public AsciiView header(CharSequence name, int n) {
        ensureOk();
        SipHeaderName k = SipHeaderName.lookup(name);
        if (k != SipHeaderName.OTHER) {
            int h = f.firstOfKind[k.ordinal()];
            for (int i = 0; i < n && h >= 0; i++) {
                h = f.nextOfKind[h];
            }
            return h < 0 ? null : headerCursor.wrap(f.buf, f.valueStart[h], f.valueEnd[h] - f.valueStart[h]);
        }
        for (int h = 0; h < f.headerCount; h++) {
            if (matches(h, name) && n-- == 0) {
                return headerCursor.wrap(f.buf, f.valueStart[h], f.valueEnd[h] - f.valueStart[h]);
            }
        }
        return null;
    }

    private boolean matches(int h, CharSequence name) {
        int k = f.kind[h];
        if (k != SipHeaderName.OTHER.ordinal()) {
            return SipHeaderName.lookup(name).ordinal() == k;
        }
        return Bytes.equalsIgnoreCase(f.buf, f.lineStart[h], f.nameEnd[h] - f.lineStart[h], name);
    }

    // ---------------------------------------------------------------- validation

    /**
     * Decodes what a proxy relies on and returns the first problem, without throwing: Call-ID, CSeq, From, To
     * and at least one Via present and well-formed, and each of Call-ID, From, To, CSeq, Max-Forwards and
     * Content-Length on one line at most; Max-Forwards well-formed if present; for requests, the CSeq
     * method equals the request method (except for ACK/CANCEL, which must too, by RFC 3261 8.1.1.7).
     */
    public SipParseResult validate() {
        if (state != SipParseResult.OK) {
            return state;
        }
        if (repeated(SipHeaderName.CALL_ID)
                || repeated(SipHeaderName.FROM)
                || repeated(SipHeaderName.TO)
                || repeated(SipHeaderName.CSEQ)
                || repeated(SipHeaderName.MAX_FORWARDS)
                || repeated(SipHeaderName.CONTENT_LENGTH)) {
            return SipParseResult.DUPLICATE_HEADER; // RFC 4475 3.3.8: which copy counts depends on who reads it
        }
        try {
            AsciiView cid = callId();
            if (cid == null || cseqMethod() == null || from() == null || to() == null || topVia() == null) {
                return SipParseResult.MISSING_HEADER;
            }
            if (cid.length() == 0 || Bytes.indexOf(f.buf, cid.offset(), cid.offset() + cid.length(), (byte) ' ') >= 0) {
                return SipParseResult.BAD_CALL_ID;
            }
            maxForwards();
            if (f.request && !cseqMethod.contentEquals(method)) {
                return SipParseResult.BAD_CSEQ;
            }
            return SipParseResult.OK;
        } catch (SipSyntaxException e) {
            return e.result();
        }
    }

    /** Whether a header field of {@code kind} appears on more than one line. */
    private boolean repeated(SipHeaderName kind) {
        int h = f.firstOfKind[kind.ordinal()];
        return h >= 0 && f.nextOfKind[h] >= 0;
    }

    // ---------------------------------------------------------------- internals for SipMessageEditor

    SipFramer framer() {
        return f;
    }

    /**
     * The Via list split at least through the top value's whole line: enough to remove the top value, and a
     * malformed later Via line does not stop it.
     *
     * @throws SipSyntaxException if the rest of the top value's line cannot be split
     */
    ValueList viaList() {
        return withTopLineWhole(list(vias, SipParseResult.BAD_VIA, 0));
    }

    /** As {@link #viaList()} for Route. */
    ValueList routeList() {
        return withTopLineWhole(list(routes, SipParseResult.BAD_NAME_ADDR, 0));
    }

    private static ValueList withTopLineWhole(ValueList l) {
        SipParseResult r = l.count == 0 ? SipParseResult.OK : l.errorIn(l.header[0]);
        if (r != SipParseResult.OK) {
            throw new SipSyntaxException(r, SipHeaderName.ofOrdinal(l.kind).canonicalName());
        }
        return l;
    }

    int firstHeader(SipHeaderName kind) {
        return first(kind);
    }

    private int first(SipHeaderName kind) {
        ensureOk();
        return f.firstOfKind[kind.ordinal()];
    }

    private ValueList list(ValueList l, SipParseResult malformed) {
        return list(l, malformed, ValueList.ALL);
    }

    /** Ensures {@code l} is split at least up to value {@code index}. */
    private ValueList list(ValueList l, SipParseResult malformed, int index) {
        ensureOk();
        SipParseResult r = l.ensure(f, generation, malformed, index);
        if (r != SipParseResult.OK) {
            throw new SipSyntaxException(r, SipHeaderName.ofOrdinal(l.kind).canonicalName());
        }
        return l;
    }

    private void ensureOk() {
        if (state != SipParseResult.OK) {
            throw new IllegalStateException("no message framed: last wrap returned " + state);
        }
    }

    private static void checkIndex(int i, int count, String what) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(what + " index " + i + " outside [0, " + count + ")");
        }
    }

    private String headerText(int h) {
        return text(f.lineStart[h], f.valueEnd[h]);
    }

    private String text(int s, int e) {
        return new String(f.buf, s, Math.min(e - s, 200), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The framed message as text (allocates; for logs and debugging). */
    @Override
    public String toString() {
        if (state != SipParseResult.OK) {
            return "SipMessageView{" + state + '}';
        }
        return new String(f.buf, f.messageStart, f.frameEnd - f.messageStart, java.nio.charset.StandardCharsets.UTF_8);
    }
}
