package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;

/**
 * Cuts a TCP byte stream into SIP messages by Content-Length ({@link SipMessageView#wrapStream}) and hands each
 * to the {@link LoopChannelHandler} as a {@link DatagramPacket} (content, local, remote), so the worker treats both
 * transports alike. CRLF keep-alives are skipped; a framing error closes the connection (a stream cannot be
 * resynchronised). One instance per connection; runs on the connection's event loop.
 */
final class TcpSipFramer extends ByteToMessageDecoder {
    private final SipMessageView view = new SipMessageView();
    private byte[] scratch = new byte[4096];

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int max = view.limits().maxMessageBytes();
        while (in.isReadable()) {
            int len = Math.min(in.readableBytes(), max + 4);
            byte[] a;
            int off;
            if (in.hasArray()) {
                a = in.array();
                off = in.arrayOffset() + in.readerIndex();
            } else {
                if (scratch.length < len) {
                    scratch = new byte[Math.min(max + 4, Math.max(len, scratch.length * 2))];
                }
                in.getBytes(in.readerIndex(), scratch, 0, len);
                a = scratch;
                off = 0;
            }
            SipParseResult r = view.wrapStream(a, off, len);
            if (r == SipParseResult.INCOMPLETE) {
                return;
            }
            if (r == SipParseResult.KEEPALIVE) {
                in.skipBytes(view.frameLength());
                continue;
            }
            if (r != SipParseResult.OK) {
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            out.add(new DatagramPacket(in.readRetainedSlice(view.frameLength()),
                (InetSocketAddress) ctx.channel().localAddress(), (InetSocketAddress) ctx.channel().remoteAddress()));
        }
    }
}
