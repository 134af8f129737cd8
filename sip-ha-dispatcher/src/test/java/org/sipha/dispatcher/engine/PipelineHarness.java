package org.sipha.dispatcher.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipha.core.model.Destination;

/**
 * Test fixture: an {@link InMemoryPipeline} on a hand-moved clock with one PBX on 127.0.0.1:5081, what it sends
 * recorded by destination, and hand-written requests from any source.
 */
final class PipelineHarness implements AutoCloseable {
    static final InetSocketAddress PROXY = new InetSocketAddress("127.0.0.1", 5060);
    static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.1", 5081);

    record Sent(String text, InetSocketAddress to) {}

    final ManualClock clock = new ManualClock();
    final List<Sent> sent = new ArrayList<>();
    InMemoryPipeline pipeline;

    /** The configuration the tests start from: one PBX, timers far away, the test's clock. */
    ProxyConfig.Builder config() {
        return ProxyConfig.builder()
                .listenUdp(PROXY)
                .destinations(List.of(Destination.of("pbx", "sip:127.0.0.1:5081")))
                .recordRouteSecret("pipeline harness test secret")
                .retransmitT1Ms(0)
                .failoverTimeoutMs(60_000)
                .ringTimeoutMs(60_000)
                .lingerMs(0)
                .clock(clock);
    }

    PipelineHarness start(ProxyConfig.Builder b) {
        pipeline = new InMemoryPipeline(b.build(), (out, to, tcp) -> {
            sent.add(new Sent(out.toString(StandardCharsets.US_ASCII), to));
            out.release();
        });
        return this;
    }

    /** Closes the pipeline: its calls' stored INVITE copies go back to the pool. */
    @Override
    public void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    void receive(String message, InetSocketAddress from) {
        ByteBuf b = Unpooled.copiedBuffer(message, StandardCharsets.US_ASCII);
        try {
            pipeline.receive(b, from);
        } finally {
            b.release();
        }
    }

    List<String> sentTo(InetSocketAddress to) {
        return sent.stream().filter(s -> s.to().equals(to)).map(Sent::text).toList();
    }

    /** What was sent to {@code to} that starts with {@code prefix}. */
    long countTo(InetSocketAddress to, String prefix) {
        return sentTo(to).stream().filter(t -> t.startsWith(prefix)).count();
    }

    static InetSocketAddress source(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    /** An initial INVITE from {@code from} with Call-ID {@code callId}, {@code padding} bytes of extra header. */
    static String invite(String callId, InetSocketAddress from, int padding) {
        String host = from.getAddress().getHostAddress() + ":" + from.getPort();
        return "INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ";branch=z9hG4bK-" + callId + ";rport\r\n"
                + "From: <sip:a@" + host + ">;tag=caller\r\n"
                + "To: <sip:service@127.0.0.1:5060>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:a@" + host + ">\r\n"
                + "Max-Forwards: 70\r\n"
                + (padding > 0 ? "X-Padding: " + "p".repeat(padding) + "\r\n" : "")
                + "Content-Length: 0\r\n\r\n";
    }

    static String invite(String callId, InetSocketAddress from) {
        return invite(callId, from, 0);
    }

    /** An out-of-dialog OPTIONS from {@code from} to {@code requestUri}. */
    static String options(String requestUri, String callId, InetSocketAddress from) {
        String host = from.getAddress().getHostAddress() + ":" + from.getPort();
        return "OPTIONS " + requestUri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ";branch=z9hG4bK-" + callId + ";rport\r\n"
                + "From: <sip:probe@" + host + ">;tag=probe\r\n"
                + "To: <" + requestUri + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** The PBX's answer to {@code forwarded}: its Vias copied, a To tag added. */
    static String answer(String forwarded, String status) {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        for (String line : forwarded.split("\r\n")) {
            if (line.startsWith("Via:")
                    || line.startsWith("From:")
                    || line.startsWith("Call-ID:")
                    || line.startsWith("CSeq:")) {
                b.append(line).append("\r\n");
            } else if (line.startsWith("To:")) {
                b.append(line).append(";tag=pbx\r\n");
            }
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }
}
