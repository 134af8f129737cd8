package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipha.core.model.Destination;

/**
 * Proxy-Require (RFC 3261 16.3 step 4): a request naming an option tag is answered 420 with the tags as Unsupported
 * and counted; an empty Proxy-Require is forwarded, and an ACK is never answered for it.
 */
class ProxyRequireTest {
    private static final InetSocketAddress CALLER = new InetSocketAddress("192.0.2.10", 5060);
    private static final InetSocketAddress PBX = new InetSocketAddress("10.0.0.1", 5081);

    private final List<String> toPbx = new ArrayList<>();
    private final List<String> toCaller = new ArrayList<>();

    private InMemoryPipeline pipeline() {
        return new InMemoryPipeline(
                ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("198.51.100.1", 5060))
                        .destinations(List.of(Destination.of("pbx", "sip:10.0.0.1:5081")))
                        .recordRouteSecret("proxy-require test secret of 32 bytes and more")
                        .clock(new ManualClock())
                        .build(),
                (out, to, tcp) -> {
                    String text = out.toString(StandardCharsets.ISO_8859_1);
                    out.release();
                    (to.equals(PBX) ? toPbx : toCaller).add(text);
                });
    }

    private static String request(String method, String extra) {
        return method + " sip:bob@198.51.100.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-pr-" + method + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@192.0.2.10>;tag=a1\r\n"
                + "To: <sip:bob@198.51.100.1>\r\n"
                + "Call-ID: pr-" + method + "@192.0.2.10\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + extra
                + "Content-Length: 0\r\n\r\n";
    }

    private void send(InMemoryPipeline p, String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        try {
            p.receive(b, CALLER);
        } finally {
            b.release();
        }
    }

    @Test
    void anOptionTagIsAnswered420WithItAsUnsupported() {
        try (InMemoryPipeline p = pipeline()) {
            send(p, request("MESSAGE", "Proxy-Require: foo\r\nProxy-Require: bar, baz\r\n"));
            assertEquals(List.of(), toPbx);
            assertEquals(1, toCaller.size());
            String answer = toCaller.get(0);
            assertTrue(answer.startsWith("SIP/2.0 420 Bad Extension\r\n"), answer);
            assertTrue(answer.contains("\r\nUnsupported: foo\r\nUnsupported: bar, baz\r\n"), answer);
            assertEquals(1, p.counters().refusals(Refusal.BAD_EXTENSION));
        }
    }

    @Test
    void anEmptyProxyRequireIsForwardedAndAnAckNeverAnswered() {
        try (InMemoryPipeline p = pipeline()) {
            send(p, request("MESSAGE", "Proxy-Require: \r\n"));
            assertEquals(1, toPbx.size(), toPbx.toString());
            send(p, request("ACK", "Proxy-Require: foo\r\n"));
            assertEquals(List.of(), toCaller);
            assertEquals(0, p.counters().refusals(Refusal.BAD_EXTENSION));
        }
    }
}
