package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One event loop's TCP connections by remote address, accepted or opened, so requests and responses reuse a
 * connection in either direction. Opening is asynchronous; messages sent meanwhile are written when it
 * completes (or released if it fails). The caller says whether a send may open a connection: only towards an
 * address of our own routing, never one taken from a message. Single-threaded: the owning worker's loop only.
 */
final class TcpConnections {
    private final Map<InetSocketAddress, Channel> open = new HashMap<>();
    private final Map<InetSocketAddress, ChannelFuture> opening = new HashMap<>();
    private final Function<InetSocketAddress, ChannelFuture> connector;

    TcpConnections(Function<InetSocketAddress, ChannelFuture> connector) {
        this.connector = connector;
    }

    void active(Channel ch) {
        open.put((InetSocketAddress) ch.remoteAddress(), ch);
    }

    void inactive(Channel ch) {
        if (ch.remoteAddress() != null) {
            open.remove(ch.remoteAddress(), ch);
        }
    }

    /**
     * Writes {@code out} to {@code to} over an open (or opening) connection; if there is none, opens one only if
     * {@code mayConnect}, else releases {@code out} and returns false. Takes ownership of out.
     */
    boolean send(ByteBuf out, InetSocketAddress to, boolean mayConnect) {
        Channel c = open.get(to);
        if (c != null && c.isActive()) {
            c.writeAndFlush(out, c.voidPromise());
            return true;
        }
        ChannelFuture f = opening.get(to);
        if (f == null) {
            if (!mayConnect) {
                out.release();
                return false;
            }
            f = connector.apply(to);
            opening.put(to, f);
            ChannelFuture opened = f;
            f.addListener(x -> opening.remove(to, opened));
        }
        ChannelFuture pending = f;
        f.addListener(x -> {
            if (x.isSuccess()) {
                pending.channel().writeAndFlush(out, pending.channel().voidPromise());
            } else {
                out.release();
            }
        });
        return true;
    }

    void closeAll() {
        open.values().forEach(Channel::close);
    }
}
