package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;

/**
 * Where messages leave one event loop: encodes an edited message, a reply, or an ACK or CANCEL the proxy writes
 * itself into a pooled buffer and writes it over UDP through this loop's socket, over TCP through the connection
 * it came in on or a pooled one ({@link TcpConnections}), or, in the {@link InMemoryPipeline}, to its output. UDP
 * writes are flushed in batches ({@link #flush}: end of a read batch, end of a tick); TCP writes at once.
 * Single-threaded: the owning loop.
 */
final class Egress {
    /** The in-memory pipeline's output; null when writing to sockets. */
    private final InMemoryPipeline.Output memory;
    private final ByteBufAllocator alloc;
    private final List<Channel> datagramChannels = new ArrayList<>(2);
    private final StringBuilder tag = new StringBuilder(16);
    private TcpConnections tcp;
    private boolean flushNeeded;

    Egress(LoopContext ctx, InMemoryPipeline.Output memory) {
        this.memory = memory;
        this.alloc = ctx.alloc;
    }

    /** Once, before any channel is bound: how this loop opens TCP connections. */
    void attachTcp(Function<InetSocketAddress, ChannelFuture> connector) {
        this.tcp = new TcpConnections(connector);
    }

    /** A UDP socket of this loop (on registration, on this loop). */
    void addDatagramChannel(Channel ch) {
        datagramChannels.add(ch);
    }

    /** This loop's first UDP socket, or null if it has none. */
    Channel firstDatagramChannel() {
        return datagramChannels.isEmpty() ? null : datagramChannels.get(0);
    }

    void tcpActive(Channel ch) {
        tcp.active(ch);
    }

    void tcpInactive(Channel ch) {
        tcp.inactive(ch);
    }

    /** Closes this loop's TCP connections (on shutdown). */
    void closeConnections() {
        tcp.closeAll();
    }

    /** Answers {@code req} (received on {@code ch} from {@code to}); a final answer gets a To tag from the Call-ID. */
    void reply(Channel ch, InetSocketAddress to, SipMessageView req, int code, String reason, int retryAfter) {
        tag.setLength(0);
        if (code > 100) {
            tag.append("sh");
            ViaCodec.appendHex(tag, req.callId().contentHash());
        }
        ByteBuf out = alloc.ioBuffer(512);
        SipWriter.response(out, req, code, reason, code > 100 ? tag : null, retryAfter);
        write(ch, out, to, LoopContext.isStream(ch));
    }

    /** Sends an ACK or CANCEL for {@code invite} (see {@link SipWriter#ackOrCancel}). */
    void ackOrCancel(Channel ch, String method, SipMessageView invite, CharSequence via, SipMessageView toSource,
                     InetSocketAddress to, boolean overTcp) {
        ByteBuf out = alloc.ioBuffer(512);
        SipWriter.ackOrCancel(out, method, invite, via, toSource);
        write(ch, out, to, overTcp);
    }

    /** Encodes the message {@code e} holds and sends it. */
    void send(Channel ch, SipMessageEditor e, InetSocketAddress to, boolean overTcp) {
        ByteBuf out = alloc.ioBuffer(e.outputLength());
        ByteBufMessages.writeTo(e, out);
        write(ch, out, to, overTcp);
    }

    /**
     * Sends {@code out} to {@code to}: over UDP through {@code ch} if it is a datagram channel (else this loop's
     * first UDP socket), over TCP through {@code ch} if it is the connection to {@code to}, else through a pooled
     * connection. Takes over {@code out}.
     */
    private void write(Channel ch, ByteBuf out, InetSocketAddress to, boolean overTcp) {
        if (memory != null) {
            memory.send(out, to, overTcp);
            return;
        }
        boolean stream = LoopContext.isStream(ch);
        if (overTcp) {
            if (stream && to.equals(ch.remoteAddress())) {
                ch.writeAndFlush(out, ch.voidPromise());
            } else {
                tcp.send(out, to);
            }
            return;
        }
        Channel udp = stream ? firstDatagramChannel() : ch;
        if (udp == null) {
            out.release(); // no UDP socket on this proxy
            return;
        }
        udp.write(new DatagramPacket(out, to), udp.voidPromise());
        flushNeeded = true;
    }

    /** Flushes the UDP sockets if anything was written since the last flush. */
    void flush() {
        if (flushNeeded) {
            flushNeeded = false;
            for (int i = 0; i < datagramChannels.size(); i++) {
                datagramChannels.get(i).flush();
            }
        }
    }
}
