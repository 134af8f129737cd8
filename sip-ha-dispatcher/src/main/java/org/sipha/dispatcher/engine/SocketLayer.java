package org.sipha.dispatcher.engine;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * The Netty classes of one {@link IoTransport}, resolved once at start: the I/O handler of the event loops and
 * the channel types that go with it. Immutable; any thread.
 */
enum SocketLayer {
    EPOLL(
            IoTransport.EPOLL,
            true,
            EpollDatagramChannel.class,
            EpollServerSocketChannel.class,
            EpollSocketChannel.class),
    NIO(IoTransport.NIO, false, NioDatagramChannel.class, NioServerSocketChannel.class, NioSocketChannel.class);

    final IoTransport transport;
    /** True if several sockets may bind one UDP port (SO_REUSEPORT), so that several loops can read it. */
    final boolean sharesPorts;

    final Class<? extends Channel> datagram;
    final Class<? extends ServerChannel> server;
    final Class<? extends Channel> stream;

    SocketLayer(
            IoTransport transport,
            boolean sharesPorts,
            Class<? extends Channel> datagram,
            Class<? extends ServerChannel> server,
            Class<? extends Channel> stream) {
        this.transport = transport;
        this.sharesPorts = sharesPorts;
        this.datagram = datagram;
        this.server = server;
        this.stream = stream;
    }

    /**
     * The loops' I/O handlers; with {@code coalesceNs > 0} each loop waits as {@link CoalescingSelectStrategy}
     * says, with that window.
     */
    IoHandlerFactory ioHandlers(long coalesceNs) {
        if (coalesceNs <= 0) {
            return switch (this) {
                case EPOLL -> EpollIoHandler.newFactory();
                case NIO -> NioIoHandler.newFactory();
            };
        }
        SelectStrategyFactory waits = CoalescingSelectStrategy.factory(coalesceNs);
        return switch (this) {
            case EPOLL -> EpollIoHandler.newFactory(0, waits); // 0: Netty's default event array, grown on demand
            case NIO -> NioIoHandler.newFactory(SelectorProvider.provider(), waits);
        };
    }

    /**
     * The layer for {@code wanted}: AUTO takes epoll if this machine offers it, else NIO.
     *
     * @throws IllegalStateException if a native transport was asked for by name and is not available (the
     *     message gives the reason Netty reports)
     */
    static SocketLayer resolve(IoTransport wanted) {
        return switch (wanted) {
            case AUTO -> Epoll.isAvailable() ? EPOLL : NIO;
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException(
                            "transport epoll is not available here: " + Epoll.unavailabilityCause());
                }
                yield EPOLL;
            }
            case NIO -> NIO;
        };
    }
}
