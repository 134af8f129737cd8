package org.sipha.dispatcher.engine;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.channels.ClosedChannelException;

/**
 * Resets a TCP connection whose peer stopped reading: when the bytes queued for it pass the channel's write-buffer
 * high-water mark ({@link ProxyConfig#tcpMaxWriteBufferBytes()}), the channel turns unwritable and is closed,
 * dropping the queue, instead of buffering for it without limit. The writes so dropped fail with a closed-channel
 * error each; those are not passed on to be logged one by one. Only writability and exception events reach it
 * (Netty skips a handler for the events it does not override), so reads do not pass through it.
 *
 * <p>Sharable: one per server, on every TCP connection of every loop; each call runs on its channel's loop.
 */
@ChannelHandler.Sharable
final class TcpSlowReaderGuard extends ChannelInboundHandlerAdapter {
    private final TcpCounters counters;

    TcpSlowReaderGuard(TcpCounters counters) {
        this.counters = counters;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable() && ctx.channel().isActive()) {
            counters.closedSlowReader.incrementAndGet();
            TcpAdmission.reset(ctx.channel());
            return;
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ClosedChannelException && !ctx.channel().isActive()) {
            return; // a write queued for, or sent to, a connection already closed (by a bound or by its peer)
        }
        ctx.fireExceptionCaught(cause);
    }
}
