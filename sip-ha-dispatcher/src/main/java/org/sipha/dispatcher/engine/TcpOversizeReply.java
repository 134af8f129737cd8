package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipMethod;
import org.sipha.core.message.SipParseResult;

/**
 * The 513 Message Too Large for a request on a TCP connection that is over the size limit: possible when its
 * header block is complete (a Content-Length too large), not when the header block itself is over the limit.
 * The header block is copied without its Content-Length lines and read as a datagram, so the ordinary reply
 * writer answers it. Runs once per connection closed for size, off the message path; any thread.
 */
final class TcpOversizeReply {
    private TcpOversizeReply() {}

    /**
     * The 513 for the message at {@code b[off, off + len)}, or null if it cannot be answered (headers incomplete or
     * malformed, a response, an ACK). The caller owns the buffer returned.
     */
    static ByteBuf build(byte[] b, int off, int len, ByteBufAllocator alloc) {
        int end = off + len;
        int headersEnd = headerBlockEnd(b, off, end);
        if (headersEnd < 0) {
            return null;
        }
        byte[] copy = new byte[headersEnd - off];
        int n = 0;
        boolean skipping = false;
        for (int p = off; p < headersEnd; ) {
            int lf = indexOfLf(b, p, headersEnd);
            int next = lf < 0 ? headersEnd : lf + 1;
            boolean continuation = b[p] == ' ' || b[p] == '\t';
            skipping = continuation ? skipping : isContentLength(b, p, next);
            if (!skipping) {
                System.arraycopy(b, p, copy, n, next - p);
                n += next - p;
            }
            p = next;
        }
        SipMessageView req = new SipMessageView();
        if (req.wrap(copy, 0, n) != SipParseResult.OK
                || !req.isRequest()
                || req.methodCode() == SipMethod.ACK
                || req.validate() != SipParseResult.OK) {
            return null;
        }
        StringBuilder tag = new StringBuilder("sh");
        ViaCodec.appendHex(tag, req.callId().contentHash());
        ByteBuf out = alloc.ioBuffer(512);
        SipWriter.response(out, req, 513, "Message Too Large", tag, 0);
        return out;
    }

    /** The index after the LF of the empty line that ends the header block, or -1 if there is none. */
    private static int headerBlockEnd(byte[] b, int p, int end) {
        boolean startLineSeen = false;
        while (p < end) {
            int lf = indexOfLf(b, p, end);
            if (lf < 0) {
                return -1;
            }
            boolean empty = lf == p || (lf == p + 1 && b[p] == '\r');
            if (empty && startLineSeen) {
                return lf + 1;
            }
            startLineSeen |= !empty;
            p = lf + 1;
        }
        return -1;
    }

    private static int indexOfLf(byte[] b, int p, int end) {
        for (int i = p; i < end; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Whether the header line at {@code p} is Content-Length (or its compact form {@code l}). */
    private static boolean isContentLength(byte[] b, int p, int next) {
        int colon = p;
        while (colon < next && b[colon] != ':') {
            colon++;
        }
        int nameEnd = colon;
        while (nameEnd > p && (b[nameEnd - 1] == ' ' || b[nameEnd - 1] == '\t')) {
            nameEnd--;
        }
        int len = nameEnd - p;
        if (colon == next) {
            return false;
        }
        if (len == 1) {
            return (b[p] | 0x20) == 'l';
        }
        String name = "content-length";
        if (len != name.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (Character.toLowerCase((char) b[p + i]) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
