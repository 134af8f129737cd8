package org.sipha.core.message;

import io.netty.buffer.ByteBuf;

/**
 * Builds an outgoing copy of a framed message with the edits a proxy makes, by splicing: unchanged byte
 * ranges are bulk-copied from the original, edited ranges are replaced by a few new bytes; the message is never
 * re-serialised. Reusable: {@link #reset} it for each message; steady state does not allocate.
 *
 * <p>Every edit is addressed to the message <em>as received</em>: "top Via" is the top Via of the original,
 * even after {@link #prependVia}. Two edits that would change the same bytes (for example
 * {@link #removeTopVia()} and {@link #setTopViaReceived}) are rejected with {@link IllegalStateException} when
 * the output is written. Inserted header lines use full names and CRLF. The body is never touched, nor is a
 * Content-Length the message has ({@link #frameForStream} adds one it lacks).
 *
 * <p>Not thread-safe. The {@link SipMessageView} must stay wrapped on the same bytes until the output is
 * written.
 */
public final class SipMessageEditor {
    private static final byte[] CRLF = {'\r', '\n'};

    private SipMessageView msg;
    private int editCount;
    private int[] start = new int[16];
    private int[] end = new int[16];
    private int[] repOff = new int[16];
    private int[] repLen = new int[16];
    private final int[] order = new int[64];
    private byte[] scratch = new byte[1024];
    private int scratchUsed;

    /** Starts a new set of edits on the message {@code view} has framed. */
    public SipMessageEditor reset(SipMessageView view) {
        if (view.parseResult() != SipParseResult.OK) {
            throw new IllegalStateException("cannot edit: last wrap returned " + view.parseResult());
        }
        msg = view;
        editCount = 0;
        scratchUsed = 0;
        return this;
    }

    /** Inserts {@code Via: value} above the top Via (or after the start line if there is none). */
    public SipMessageEditor prependVia(CharSequence value) {
        return insertLine(lineStartOfFirst(SipHeaderName.VIA), "Via: ", value);
    }

    /**
     * Removes the top Via value: its whole line, or just the value when the line holds several.
     *
     * @throws SipSyntaxException if the top value's line cannot be split (which of the two is unknown)
     */
    public SipMessageEditor removeTopVia() {
        return removeTopValue(msg.viaList(), "Via");
    }

    /**
     * Stamps the top Via with where the message really came from (RFC 3261 18.2.1, RFC 3581): sets or adds
     * {@code received=receivedHost} if {@code receivedHost} is not null, and gives {@code rport} the value
     * {@code sourcePort} if the Via carries {@code rport} and {@code sourcePort >= 0}.
     */
    public SipMessageEditor setTopViaReceived(CharSequence receivedHost, int sourcePort) {
        ViaView top = msg.topVia();
        if (top == null) {
            throw new IllegalStateException("message has no Via");
        }
        if (sourcePort >= 0 && top.hasRport()) {
            int o = scratchUsed;
            put("rport=");
            ensureScratch(11);
            scratchUsed = Bytes.putInt(sourcePort, scratch, scratchUsed);
            addEdit(top.rportParamStart() + 1, top.rportParamEnd(), o, scratchUsed - o);
        }
        if (receivedHost != null) {
            checkNoLineBreak(receivedHost);
            if (top.received() != null) {
                int o = put(receivedHost);
                addEdit(top.receivedValueStart(), top.receivedValueEnd(), o, scratchUsed - o);
            } else {
                int o = scratchUsed;
                put(";received=");
                put(receivedHost);
                addEdit(top.valueEnd(), top.valueEnd(), o, scratchUsed - o);
            }
        }
        return this;
    }

    /**
     * Like {@link #setTopViaReceived} but always records {@code sourcePort}: fills {@code rport} if the Via has it,
     * else appends {@code ;rport=sourcePort}. For stream transports, where the response must find the connection
     * the request came on (its ephemeral port), whether or not the client asked for rport (RFC 3581 section 4).
     */
    public SipMessageEditor setTopViaReceivedAndRport(CharSequence receivedHost, int sourcePort) {
        ViaView top = msg.topVia();
        if (top == null) {
            throw new IllegalStateException("message has no Via");
        }
        if (top.hasRport()) {
            return setTopViaReceived(receivedHost, sourcePort);
        }
        if (sourcePort < 0 || sourcePort > 65535) {
            throw new IllegalArgumentException("port out of range: " + sourcePort);
        }
        setTopViaReceived(receivedHost, -1);
        int o = put(";rport=");
        ensureScratch(11);
        scratchUsed = Bytes.putInt(sourcePort, scratch, scratchUsed);
        addEdit(top.valueEnd(), top.valueEnd(), o, scratchUsed - o);
        return this;
    }

    /** Inserts {@code Record-Route: value} above the first Record-Route (or after the start line). */
    public SipMessageEditor prependRecordRoute(CharSequence value) {
        return insertLine(lineStartOfFirst(SipHeaderName.RECORD_ROUTE), "Record-Route: ", value);
    }

    /**
     * Removes the top Route value: its whole line, or just the value when the line holds several.
     *
     * @throws SipSyntaxException if the top value's line cannot be split (which of the two is unknown)
     */
    public SipMessageEditor removeTopRoute() {
        return removeTopValue(msg.routeList(), "Route");
    }

    /** Sets Max-Forwards, replacing the first Max-Forwards value or adding the header after the start line. */
    public SipMessageEditor setMaxForwards(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("Max-Forwards must be >= 0, was " + value);
        }
        SipFramer f = msg.framer();
        int h = msg.firstHeader(SipHeaderName.MAX_FORWARDS);
        int o = scratchUsed;
        if (h >= 0) {
            ensureScratch(11);
            scratchUsed = Bytes.putInt(value, scratch, scratchUsed);
            addEdit(f.valueStart[h], f.valueEnd[h], o, scratchUsed - o);
        } else {
            put("Max-Forwards: ");
            ensureScratch(13);
            scratchUsed = Bytes.putInt(value, scratch, scratchUsed);
            put(CRLF);
            addEdit(f.startLineEnd, f.startLineEnd, o, scratchUsed - o);
        }
        return this;
    }

    /** Replaces the Request-URI. */
    public SipMessageEditor setRequestUri(CharSequence uri) {
        if (!msg.isRequest()) {
            throw new IllegalStateException("a response has no Request-URI");
        }
        checkNoLineBreak(uri);
        SipFramer f = msg.framer();
        int o = put(uri);
        addEdit(f.uriStart, f.uriEnd, o, scratchUsed - o);
        return this;
    }

    /**
     * Makes the output frame on a stream transport, where only Content-Length delimits the body (RFC 3261 18.3):
     * adds {@code Content-Length: <body length>} after the last header if the message has none (a datagram's body
     * ends with the datagram), and ends the header block with a whole empty line if the datagram stopped short of
     * one (its last line unterminated, no empty line, or a bare CR or blanks for one).
     */
    public SipMessageEditor frameForStream() {
        if (msg == null) {
            throw new IllegalStateException("reset(view) first");
        }
        SipFramer f = msg.framer();
        byte[] b = f.buf;
        int blank = f.bodyStart - f.headersEnd;
        boolean wholeEmptyLine = (blank == 1 && b[f.headersEnd] == '\n')
                || (blank == 2 && b[f.headersEnd] == '\r' && b[f.headersEnd + 1] == '\n');
        boolean hasLength = msg.contentLength() >= 0;
        if (hasLength && wholeEmptyLine) {
            return this;
        }
        int o = scratchUsed;
        int from = f.headersEnd;
        if (b[from - 1] != '\n') { // the datagram ended inside the last header line: end it, without its blanks
            while (b[from - 1] == ' ' || b[from - 1] == '\t' || b[from - 1] == '\r') {
                from--;
            }
            put(CRLF);
        }
        if (!hasLength) {
            put("Content-Length: ");
            ensureScratch(11);
            scratchUsed = Bytes.putInt(f.bodyEnd - f.bodyStart, scratch, scratchUsed);
            put(CRLF);
        }
        if (!wholeEmptyLine) {
            put(CRLF);
        }
        addEdit(from, wholeEmptyLine ? f.headersEnd : f.bodyStart, o, scratchUsed - o);
        return this;
    }

    /** Length of the output the edits produce. */
    public int outputLength() {
        SipFramer f = msg.framer();
        int n = f.frameEnd - f.messageStart;
        for (int i = 0; i < editCount; i++) {
            n += repLen[i] - (end[i] - start[i]);
        }
        return n;
    }

    /**
     * Writes the edited message into {@code dst} at {@code offset}; returns the number of bytes written.
     *
     * @throws IllegalStateException if two edits overlap
     * @throws IndexOutOfBoundsException if {@code dst} is too small for {@link #outputLength()}
     */
    public int writeTo(byte[] dst, int offset) {
        int total = outputLength();
        if (offset < 0 || offset > dst.length - total) {
            throw new IndexOutOfBoundsException("need " + total + " bytes at " + offset + ", have " + dst.length);
        }
        sortAndCheck();
        SipFramer f = msg.framer();
        byte[] src = f.buf;
        int pos = f.messageStart;
        int out = offset;
        for (int k = 0; k < editCount; k++) {
            int i = order[k];
            System.arraycopy(src, pos, dst, out, start[i] - pos);
            out += start[i] - pos;
            System.arraycopy(scratch, repOff[i], dst, out, repLen[i]);
            out += repLen[i];
            pos = end[i];
        }
        System.arraycopy(src, pos, dst, out, f.frameEnd - pos);
        return out + f.frameEnd - pos - offset;
    }

    /** Appends the edited message to {@code dst} (which grows as Netty buffers do); returns bytes written. */
    public int writeTo(ByteBuf dst) {
        int total = outputLength();
        sortAndCheck();
        dst.ensureWritable(total);
        SipFramer f = msg.framer();
        byte[] src = f.buf;
        int pos = f.messageStart;
        for (int k = 0; k < editCount; k++) {
            int i = order[k];
            dst.writeBytes(src, pos, start[i] - pos);
            dst.writeBytes(scratch, repOff[i], repLen[i]);
            pos = end[i];
        }
        dst.writeBytes(src, pos, f.frameEnd - pos);
        return total;
    }

    private SipMessageEditor removeTopValue(ValueList l, String name) {
        if (l.count == 0) {
            throw new IllegalStateException("message has no " + name);
        }
        SipFramer f = msg.framer();
        int h = l.header[0];
        // The list holds every value of the top value's line (or threw), even if later lines are not split.
        if (l.count > 1 && l.header[1] == h) {
            addEdit(l.starts[0], l.starts[1], 0, 0);
        } else {
            addEdit(f.lineStart[h], f.lineEnd[h], 0, 0);
        }
        return this;
    }

    private int lineStartOfFirst(SipHeaderName kind) {
        int h = msg.firstHeader(kind);
        return h >= 0 ? msg.framer().lineStart[h] : msg.framer().startLineEnd;
    }

    private SipMessageEditor insertLine(int at, String name, CharSequence value) {
        checkNoLineBreak(value);
        int o = put(name);
        put(value);
        put(CRLF);
        addEdit(at, at, o, scratchUsed - o);
        return this;
    }

    private void addEdit(int s, int e, int o, int len) {
        if (msg == null) {
            throw new IllegalStateException("reset(view) first");
        }
        if (editCount == start.length) {
            if (editCount == order.length) {
                throw new IllegalStateException("more than " + order.length + " edits on one message");
            }
            start = java.util.Arrays.copyOf(start, editCount * 2);
            end = java.util.Arrays.copyOf(end, editCount * 2);
            repOff = java.util.Arrays.copyOf(repOff, editCount * 2);
            repLen = java.util.Arrays.copyOf(repLen, editCount * 2);
        }
        start[editCount] = s;
        end[editCount] = e;
        repOff[editCount] = o;
        repLen[editCount] = len;
        editCount++;
    }

    /** Insertion sort by position; at equal positions insertions come first, in call order. */
    private void sortAndCheck() {
        for (int i = 0; i < editCount; i++) {
            int j = i;
            while (j > 0 && before(i, order[j - 1])) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        for (int k = 1; k < editCount; k++) {
            int a = order[k - 1];
            int b = order[k];
            if (end[a] > start[b]) {
                throw new IllegalStateException("edits overlap at bytes [" + start[a] + ", " + end[a] + ") and ["
                        + start[b] + ", " + end[b] + ")");
            }
        }
    }

    private boolean before(int a, int b) {
        if (start[a] != start[b]) {
            return start[a] < start[b];
        }
        boolean aInsert = start[a] == end[a];
        boolean bInsert = start[b] == end[b];
        return aInsert && !bInsert;
    }

    private int put(CharSequence s) {
        int o = scratchUsed;
        ensureScratch(s.length());
        scratchUsed = Bytes.putAscii(s, scratch, scratchUsed);
        return o;
    }

    private void put(byte[] bytes) {
        ensureScratch(bytes.length);
        System.arraycopy(bytes, 0, scratch, scratchUsed, bytes.length);
        scratchUsed += bytes.length;
    }

    private void ensureScratch(int n) {
        if (scratchUsed + n > scratch.length) {
            int max = msg.limits().maxMessageBytes();
            if (scratchUsed + n > max) {
                throw new IllegalArgumentException("edits add more than " + max + " bytes");
            }
            scratch = java.util.Arrays.copyOf(scratch, Math.min(max, Math.max(scratch.length * 2, scratchUsed + n)));
        }
    }

    private static void checkNoLineBreak(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c > 0xff) {
                throw new IllegalArgumentException("header text must be one line of Latin-1/ASCII: " + s);
            }
        }
    }
}
