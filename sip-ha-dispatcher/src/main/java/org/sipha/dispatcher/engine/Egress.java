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
import org.sipha.core.message.AsciiView;
import org.sipha.core.message.NameAddrView;
import org.sipha.core.message.SipHeaderName;
import org.sipha.core.message.SipMessageEditor;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.message.SipSyntaxException;

/**
 * Where messages leave one event loop: encodes an edited message, a reply, or an ACK or CANCEL the proxy writes
 * itself into a pooled buffer and writes it over UDP through this loop's socket, over TCP through the connection
 * it came in on or a pooled one ({@link TcpConnections}), or, in the {@link InMemoryPipeline}, to its output. UDP
 * writes are flushed in batches ({@link #flush}: end of a read batch, end of a tick); TCP writes at once.
 * Single-threaded: the owning loop, except {@link #unconnectedDrops} (any thread).
 */
final class Egress {
    /** The in-memory pipeline's output; null when writing to sockets. */
    private final InMemoryPipeline.Output memory;

    private final ByteBufAllocator alloc;
    private final TrafficCounters traffic;
    private final List<Channel> datagramChannels = new ArrayList<>(2);
    /** The configured UDP listen addresses, in the order this loop's sockets are registered. */
    private final List<InetSocketAddress> udpListen;

    private final StringBuilder tag = new StringBuilder(16);
    private TcpConnections tcp;
    private boolean flushNeeded;
    /** Messages dropped because no TCP connection to their address existed and none might be opened. Single writer. */
    private volatile long unconnectedDrops;

    Egress(LoopContext ctx, InMemoryPipeline.Output memory) {
        this.memory = memory;
        this.alloc = ctx.alloc;
        this.traffic = ctx.traffic;
        this.udpListen = List.copyOf(ctx.cfg.udpListen());
    }

    /** Once, before any channel is bound: how this loop opens TCP connections. */
    void attachTcp(Function<InetSocketAddress, ChannelFuture> connector) {
        this.tcp = new TcpConnections(connector);
    }

    /** A UDP socket of this loop (on registration, on this loop). */
    void addDatagramChannel(Channel ch) {
        datagramChannels.add(ch);
    }

    /**
     * The socket a request to {@code d} leaves from: this loop's UDP socket bound to {@code d}'s {@code socket=}
     * address, else {@code arrival} (the one the request came on).
     */
    Channel from(NextHop d, Channel arrival) {
        InetSocketAddress source = d.source();
        if (source == null) {
            return arrival;
        }
        // the loop's UDP sockets are registered in the order of the configured listen addresses (SipProxyServer),
        // which name them as the attribute does (a socket's own localAddress() may read 0.0.0.0 as ::)
        for (int i = 0; i < udpListen.size() && i < datagramChannels.size(); i++) {
            if (source.equals(udpListen.get(i))) {
                return datagramChannels.get(i);
            }
        }
        return arrival; // the start-up check refuses a socket= that is no listen address
    }

    /** Whether this loop has more than one UDP socket, so that a destination's {@code socket=} can choose. */
    boolean choosesSockets() {
        return datagramChannels.size() > 1;
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
        if (tcp != null) {
            tcp.closeAll();
        }
    }

    /** Any thread: messages dropped for want of a TCP connection we could not open (see {@link #send}). */
    long unconnectedDrops() {
        return unconnectedDrops;
    }

    /**
     * Answers {@code req} (received on {@code ch} from {@code to}); a final answer gets a To tag from the Call-ID
     * if its To parses and has none (a malformed To is copied as it came).
     */
    void reply(Channel ch, InetSocketAddress to, SipMessageView req, int code, String reason, int retryAfter) {
        reply(ch, to, req, code, reason, retryAfter, null);
    }

    /** As {@link #reply(Channel, InetSocketAddress, SipMessageView, int, String, int)}, with a Warning if not null. */
    void reply(
            Channel ch,
            InetSocketAddress to,
            SipMessageView req,
            int code,
            String reason,
            int retryAfter,
            CharSequence warning) {
        CharSequence toTag = null;
        AsciiView callId = req.callId();
        if (code > 100 && callId != null && toHasNoTag(req)) { // decided before the buffer is taken
            tag.setLength(0);
            tag.append("sh");
            ViaCodec.appendHex(tag, callId.contentHash());
            toTag = tag;
        }
        ByteBuf out = alloc.ioBuffer(512);
        try {
            SipWriter.response(out, req, code, reason, toTag, retryAfter, warning);
        } catch (Throwable t) {
            out.release();
            throw t;
        }
        write(ch, out, to, LoopContext.isStream(ch), false);
        traffic.responseSent(code);
    }

    /**
     * Sends an ACK or CANCEL for {@code invite} (see {@link SipWriter#ackOrCancel}).
     *
     * @throws SipSyntaxException if {@code toSource} has no To (checked before a buffer is taken)
     */
    void ackOrCancel(
            Channel ch,
            String method,
            SipMessageView invite,
            CharSequence via,
            SipMessageView toSource,
            InetSocketAddress to,
            boolean overTcp) {
        if (toSource.header(SipHeaderName.TO) == null) {
            throw new SipSyntaxException(SipParseResult.MISSING_HEADER, "To, for the " + method);
        }
        long cseq = invite.cseqNumber();
        ByteBuf out = alloc.ioBuffer(512);
        try {
            SipWriter.ackOrCancel(out, method, invite, via, toSource, cseq);
        } catch (Throwable t) {
            out.release();
            throw t;
        }
        write(ch, out, to, overTcp, true);
    }

    /**
     * Encodes the message {@code e} holds and sends it to {@code to}, one of our destinations (may connect); if the
     * editor cannot write it, throws what it threw.
     */
    void send(Channel ch, SipMessageEditor e, InetSocketAddress to, boolean overTcp) {
        send(ch, e, to, overTcp, true);
    }

    /**
     * Encodes the message {@code e} holds and sends it. Over TCP a connection to {@code to} is opened only if
     * {@code mayConnect}: never towards an address taken from a message that is not one of our destinations.
     */
    void send(Channel ch, SipMessageEditor e, InetSocketAddress to, boolean overTcp, boolean mayConnect) {
        if (overTcp) {
            e.frameForStream(); // only Content-Length delimits a body on a stream (RFC 3261 18.3)
        }
        ByteBuf out = alloc.ioBuffer(e.outputLength());
        try {
            e.writeTo(out); // throws on overlapping edits
        } catch (Throwable t) {
            out.release();
            throw t;
        }
        write(ch, out, to, overTcp, mayConnect);
    }

    /** Whether the To of {@code req} parses and has no tag; false if it has one, is missing or is malformed. */
    private static boolean toHasNoTag(SipMessageView req) {
        try {
            NameAddrView to = req.to();
            return to != null && to.tag() == null;
        } catch (SipSyntaxException e) {
            return false; // a 400 to a malformed To: copied without a tag
        }
    }

    /**
     * Sends {@code out} to {@code to}: over UDP through {@code ch} if it is a datagram channel (else this loop's
     * first UDP socket), over TCP through {@code ch} if it is the connection to {@code to}, else through a pooled
     * connection, opened if none exists only when {@code mayConnect} (else dropped and counted). Takes over
     * {@code out}: the output, the channel or {@link TcpConnections} releases it from here on.
     */
    private void write(Channel ch, ByteBuf out, InetSocketAddress to, boolean overTcp, boolean mayConnect) {
        if (memory != null) {
            memory.send(out, to, overTcp);
            return;
        }
        boolean stream = LoopContext.isStream(ch);
        if (overTcp) {
            if (stream && to.equals(ch.remoteAddress())) {
                ch.writeAndFlush(out, ch.voidPromise());
            } else if (!tcp.send(out, to, mayConnect)) {
                unconnectedDrops = unconnectedDrops + 1; // single writer
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
