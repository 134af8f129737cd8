package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.net.InetSocketAddress;
import java.util.List;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseLimits;
import org.sipha.core.message.SipParseResult;

/**
 * Cuts a TCP byte stream into SIP messages by Content-Length and hands each to the {@link LoopChannelHandler} as a
 * {@link DatagramPacket} (content, local, remote), so the worker treats both transports alike. CRLF keep-alives
 * before a message are skipped on their own, so the size limit counts the message alone however reads cut the stream. A framing error closes the connection (a stream cannot be resynchronised); a message over the size
 * limit is first answered 513 when its headers allow it ({@link TcpOversizeReply}).
 *
 * <h2>Linear work for a message that arrives in pieces</h2>
 * A message cut over several reads is framed with {@link SipMessageView#continueStream}, which resumes at the
 * incomplete line (or the body) while the bytes stay at the same array and offset: a heap cumulation is viewed in
 * place, a direct one is copied into {@code scratch} only from where the last copy ended. While the header block is
 * incomplete the view is asked again only when a line has ended (an LF among the new bytes) or the partial line
 * passes the line limit; nothing else could complete the message (a bad byte in the partial line is refused when
 * the line ends, or at the line limit or message timeout). So a peer sending a byte per packet costs a constant
 * amount of work per byte, not a rescan of what it sent before.
 *
 * <p>It also reports each read to the loop's {@link TcpTimeouts} (idle, incomplete message). One instance per
 * connection; runs on the connection's event loop.
 */
final class TcpSipFramer extends ByteToMessageDecoder {
    private static final byte[] NO_BYTES = new byte[0];
    private final SipMessageView view;
    private final int maxBytes;
    private final int maxLine;
    private final TcpTimeouts timeouts;
    private final TcpCounters counters;
    private TcpTimeouts.Entry entry;
    private byte[] scratch = NO_BYTES;
    /** Where the last frame attempt looked, to tell whether the next one continues it. */
    private byte[] lastArray;

    private int lastOffset;
    private boolean framedThisRead;
    private boolean closing;

    // A message begun but incomplete (offsets from the reader index): what has been looked at for line ends.
    private boolean pending;
    private int seen;
    private int copied;
    private int lineStart;
    private boolean startLineEnded;
    private boolean headersEnded;

    // Work done, for tests of the linear bound.
    private long frameAttempts;
    private long bytesCopied;
    private long bytesFramedAfresh;

    TcpSipFramer(SipParseLimits limits, TcpTimeouts timeouts, TcpCounters counters) {
        this.view = new SipMessageView(limits);
        this.maxBytes = limits.maxMessageBytes();
        this.maxLine = limits.maxLineBytes();
        this.timeouts = timeouts;
        this.counters = counters;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive()) {
            entry = timeouts.open(ctx.channel());
        }
        super.handlerAdded(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (entry == null) {
            entry = timeouts.open(ctx.channel());
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (entry != null) {
            timeouts.closed(entry);
        }
        super.channelInactive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (entry != null) {
            timeouts.closed(entry);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (entry != null) {
            timeouts.read(entry);
        }
        framedThisRead = false;
        super.channelRead(ctx, msg);
        if (entry != null && !closing) {
            timeouts.afterRead(entry, internalBuffer().isReadable(), framedThisRead);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (closing) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            if (!pending && skipKeepAlives(in)) {
                continue;
            }
            int len = Math.min(in.readableBytes(), maxBytes + 4);
            if (pending && !mayComplete(in, len)) {
                return;
            }
            SipParseResult r = frame(in, len);
            if (r == SipParseResult.INCOMPLETE && len > maxBytes) {
                r = SipParseResult.MESSAGE_TOO_LARGE; // a line straddles the limit: no message this long fits
            }
            if (r == SipParseResult.INCOMPLETE) {
                if (!pending) {
                    startPending(in, len);
                }
                return;
            }
            pending = false;
            copied = 0;
            framedThisRead = true;
            if (r == SipParseResult.KEEPALIVE) {
                in.skipBytes(view.frameLength());
            } else if (r == SipParseResult.OK) {
                out.add(new DatagramPacket(
                        in.readRetainedSlice(view.frameLength()),
                        (InetSocketAddress) ctx.channel().localAddress(),
                        (InetSocketAddress) ctx.channel().remoteAddress()));
            } else {
                refuse(ctx, in, r, len);
                return;
            }
        }
    }

    /**
     * Skips the CR and LF bytes before a message (keep-alives), so the size limit counts the message alone however
     * the reads cut the stream; true if any were skipped.
     */
    private boolean skipKeepAlives(ByteBuf in) {
        int first = in.forEachByte(ByteProcessor.FIND_NON_CRLF);
        int skipped = (first < 0 ? in.writerIndex() : first) - in.readerIndex();
        if (skipped == 0) {
            return false;
        }
        in.skipBytes(skipped);
        framedThisRead = true;
        return true;
    }

    /** One attempt at framing the first {@code len} readable bytes, continuing the last one where it can. */
    private SipParseResult frame(ByteBuf in, int len) {
        byte[] a;
        int off;
        if (in.hasArray()) {
            a = in.array();
            off = in.arrayOffset() + in.readerIndex();
        } else {
            int from = pending ? copied : 0;
            if (scratch.length < len) {
                byte[] grown = new byte[Math.min(maxBytes + 4, Math.max(len, Math.max(4096, scratch.length * 2)))];
                System.arraycopy(scratch, 0, grown, 0, from);
                scratch = grown;
            }
            in.getBytes(in.readerIndex() + from, scratch, from, len - from);
            bytesCopied += len - from;
            copied = len;
            a = scratch;
            off = 0;
        }
        frameAttempts++;
        if (!pending || a != lastArray || off != lastOffset) {
            bytesFramedAfresh += len; // the view starts this message over
        }
        lastArray = a;
        lastOffset = off;
        return view.continueStream(a, off, len);
    }

    /** A message stays incomplete after its first attempt: note where its lines end from now on. */
    private void startPending(ByteBuf in, int len) {
        pending = true;
        seen = 0;
        lineStart = 0;
        startLineEnded = false;
        headersEnded = false;
        mayComplete(in, len);
    }

    /**
     * Looks for line ends in the bytes not yet seen; true if the view's answer could change: a line ended, the
     * header block is complete (the body is counted in O(1)), or a line or the message is past its limit.
     */
    private boolean mayComplete(ByteBuf in, int len) {
        if (headersEnded) {
            seen = len;
            return true;
        }
        int base = in.readerIndex();
        boolean lineEnded = false;
        int p = seen;
        while (p < len && !headersEnded) {
            int lf = in.indexOf(base + p, base + len, (byte) '\n');
            if (lf < 0) {
                break;
            }
            lf -= base;
            boolean empty = lf == lineStart || (lf == lineStart + 1 && in.getByte(base + lineStart) == '\r');
            headersEnded = empty && startLineEnded;
            startLineEnded |= !empty;
            lineStart = lf + 1;
            lineEnded = true;
            p = lf + 1;
        }
        seen = len;
        return lineEnded || headersEnded || len - lineStart > maxLine || len > maxBytes;
    }

    /** A framing error or a message too large: answer 513 if it is one and can be answered, then close. */
    private void refuse(ChannelHandlerContext ctx, ByteBuf in, SipParseResult r, int len) {
        closing = true;
        ctx.channel().config().setAutoRead(false);
        if (entry != null) {
            timeouts.afterRead(entry, false, false);
        }
        ByteBuf reply = null;
        if (r == SipParseResult.MESSAGE_TOO_LARGE) {
            counters.closedTooLarge.incrementAndGet();
            reply = TcpOversizeReply.build(lastArray, lastOffset, len, ctx.alloc());
        } else {
            counters.closedMalformed.incrementAndGet();
        }
        in.skipBytes(in.readableBytes());
        if (reply != null) {
            ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /** Bytes received and not yet framed (the cumulation), for tests of the size bound. */
    int bufferedBytes() {
        ByteBuf b = internalBuffer();
        return b == null ? 0 : b.readableBytes();
    }

    /** Frame attempts made (calls into the message view). */
    long frameAttempts() {
        return frameAttempts;
    }

    /** Bytes copied out of direct buffers for framing. */
    long bytesCopied() {
        return bytesCopied;
    }

    /** Bytes handed to attempts that could not continue the previous one (the view scans them from the start). */
    long bytesFramedAfresh() {
        return bytesFramedAfresh;
    }
}
