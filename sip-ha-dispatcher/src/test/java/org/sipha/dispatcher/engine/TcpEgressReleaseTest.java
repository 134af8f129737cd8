package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.model.Destination;
import org.sipha.testsupport.NettyLeaks;

/**
 * A message written over TCP goes back to the pool when its connection has closed or cannot be opened. Real NIO
 * sockets on 127.0.0.1 with ports the kernel picks; the egress runs on the connections' event loop, as it does in
 * the proxy.
 */
class TcpEgressReleaseTest {
    private static final String REQUEST = "OPTIONS sip:service@127.0.0.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-tcp\r\n"
            + "From: <sip:a@127.0.0.1:5070>;tag=caller\r\n"
            + "To: <sip:service@127.0.0.1:5060>\r\n"
            + "Call-ID: tcp@127.0.0.1\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Content-Length: 0\r\n\r\n";

    private EventLoopGroup group;
    private EventLoop loop;
    private Channel server;
    private LoopContext ctx;
    private Egress egress;
    private final AtomicReference<ChannelFuture> lastConnect = new AtomicReference<>();

    @BeforeEach
    void sockets() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter()) // the pipeline's tail releases what it reads
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
        ProxyConfig cfg = ProxyConfig.builder()
                .listenTcp(new InetSocketAddress("127.0.0.1", 5060))
                .destinations(List.of(Destination.of("pbx5081", "sip:127.0.0.1:5081;transport=tcp")))
                .recordRouteSecret("tcp egress release test secret")
                .build();
        ctx = new LoopContext(0, cfg, null);
        egress = new Egress(ctx, null);
        egress.attachTcp(to -> {
            ChannelFuture f = new Bootstrap()
                    .group(loop)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(to);
            lastConnect.set(f);
            return f;
        });
    }

    @AfterEach
    void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        NettyLeaks.assertNoLeaks();
    }

    /** Runs {@code r} on the loop and waits for it and for what it queued there. */
    private void onLoop(Runnable r) throws InterruptedException {
        assertTrue(loop.submit(r).await(10, TimeUnit.SECONDS));
        assertTrue(loop.submit(() -> {}).await(10, TimeUnit.SECONDS));
    }

    private static SipMessageView request() {
        SipMessageView v = new SipMessageView();
        v.wrap(Unpooled.wrappedBuffer(REQUEST.getBytes(StandardCharsets.US_ASCII)));
        return v;
    }

    @Test
    void aReplyOnAConnectionThatHasClosedIsReleased() throws InterruptedException {
        Channel client = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress())
                .sync()
                .channel();
        InetSocketAddress peer = (InetSocketAddress) client.remoteAddress(); // read while open: the channel keeps it
        client.close().sync();
        assertFalse(client.isActive());
        SipMessageView req = request();
        onLoop(() -> egress.reply(client, peer, req, 400, "Bad Request", 0));
    }

    @Test
    void aMessageForAConnectionThatCannotBeOpenedIsReleased() throws InterruptedException {
        Channel closedServer = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
        InetSocketAddress refused = (InetSocketAddress) closedServer.localAddress();
        closedServer.close().sync(); // nothing listens there any more: the connect is refused
        SipMessageView req = request();
        onLoop(() -> egress.send(null, ctx.editor.reset(req).setMaxForwards(69), refused, true));
        ChannelFuture f = lastConnect.get();
        assertNotNull(f, "a connection was being opened");
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertFalse(f.isSuccess());
        onLoop(() -> {}); // the release runs in the connect listener, on the loop
    }
}
