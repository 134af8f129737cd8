package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.SipHeaderName;
import org.sipha.core.message.SipMessageView;

/**
 * Writes the messages the proxy originates: responses to a request (100, 403, 483, 503 ...), and the ACK and
 * CANCEL it sends to a destination on its own. Header values are copied as bytes from the framed messages;
 * nothing is re-parsed or turned into Strings. Stateless; any thread (the views passed in belong to the caller).
 */
final class SipWriter {
    private static final byte[] CRLF = {'\r', '\n'};

    private SipWriter() {}

    /**
     * A response to {@code req}: its Vias, From, Call-ID and CSeq copied, To copied with {@code ;tag=toTag}
     * appended if {@code toTag} is not null (the caller has found that To has no tag), Retry-After if
     * {@code retryAfterSeconds > 0}; a 420 lists the request's Proxy-Require values as Unsupported. Copies bytes only, so a malformed header cannot make it throw.
     */
    static void response(
            ByteBuf out, SipMessageView req, int code, String reason, CharSequence toTag, int retryAfterSeconds) {
        response(out, req, code, reason, toTag, retryAfterSeconds, null);
    }

    /** As {@link #response(ByteBuf, SipMessageView, int, String, CharSequence, int)}, with a Warning if not null. */
    static void response(
            ByteBuf out,
            SipMessageView req,
            int code,
            String reason,
            CharSequence toTag,
            int retryAfterSeconds,
            CharSequence warning) {
        ByteBufUtil.writeAscii(out, "SIP/2.0 ");
        putInt(out, code);
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, reason);
        out.writeBytes(CRLF);
        int n = req.headerCount();
        for (int i = 0; i < n; i++) {
            SipHeaderName k = req.headerKind(i);
            if (k == SipHeaderName.VIA
                    || k == SipHeaderName.FROM
                    || k == SipHeaderName.CALL_ID
                    || k == SipHeaderName.CSEQ
                    || k == SipHeaderName.TO) {
                line(out, k.canonicalName(), req.headerValue(i));
                if (k == SipHeaderName.TO && toTag != null) {
                    out.writerIndex(out.writerIndex() - 2);
                    ByteBufUtil.writeAscii(out, ";tag=");
                    ByteBufUtil.writeAscii(out, toTag);
                    out.writeBytes(CRLF);
                }
            }
        }
        if (retryAfterSeconds > 0) {
            ByteBufUtil.writeAscii(out, "Retry-After: ");
            putInt(out, retryAfterSeconds);
            out.writeBytes(CRLF);
        }
        if (warning != null) {
            ByteBufUtil.writeAscii(out, "Warning: ");
            ByteBufUtil.writeAscii(out, warning);
            out.writeBytes(CRLF);
        }
        if (code == 420) { // the proxy supports no extension: every Proxy-Require option tag is unsupported
            for (int i = 0; i < n; i++) {
                if (req.headerKind(i) == SipHeaderName.PROXY_REQUIRE) {
                    line(out, "Unsupported", req.headerValue(i));
                }
            }
        }
        ByteBufUtil.writeAscii(out, "Content-Length: 0\r\n\r\n");
    }

    /**
     * An ACK or CANCEL for the INVITE {@code invite} as the proxy forwarded it: Request-URI, From, Call-ID and
     * Route as in the INVITE, the proxy's own Via {@code via} (the branch of the INVITE it answers), To from
     * {@code toSource} (the response, for an ACK, whose To carries the tag; the INVITE for a CANCEL), CSeq
     * {@code cseq}. The caller has checked that {@code toSource} has a To; the rest copies bytes only.
     */
    static void ackOrCancel(
            ByteBuf out, String method, SipMessageView invite, CharSequence via, SipMessageView toSource, long cseq) {
        ByteBufUtil.writeAscii(out, method);
        out.writeByte(' ');
        bytes(out, invite.requestUri());
        ByteBufUtil.writeAscii(out, " SIP/2.0\r\nVia: ");
        ByteBufUtil.writeAscii(out, via);
        out.writeBytes(CRLF);
        int n = invite.headerCount();
        for (int i = 0; i < n; i++) {
            SipHeaderName k = invite.headerKind(i);
            if (k == SipHeaderName.FROM || k == SipHeaderName.CALL_ID || k == SipHeaderName.ROUTE) {
                line(out, k.canonicalName(), invite.headerValue(i));
            }
        }
        line(out, "To", toSource.header(SipHeaderName.TO));
        ByteBufUtil.writeAscii(out, "CSeq: ");
        putLong(out, cseq);
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, method);
        ByteBufUtil.writeAscii(out, "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
    }

    private static void line(ByteBuf out, String name, AsciiView value) {
        ByteBufUtil.writeAscii(out, name);
        out.writeByte(':');
        out.writeByte(' ');
        bytes(out, value);
        out.writeBytes(CRLF);
    }

    private static void bytes(ByteBuf out, AsciiView v) {
        out.writeBytes(v.buffer(), v.offset(), v.length());
    }

    static void putInt(ByteBuf out, int v) {
        putLong(out, v);
    }

    static void putLong(ByteBuf out, long v) {
        if (v < 0) {
            out.writeByte('-');
            v = -v;
        }
        long div = 1;
        while (v / div >= 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            out.writeByte((int) ('0' + (v / div) % 10));
        }
    }
}
