package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipha.core.model.Destination;

/**
 * RFC 4475's 49 torture messages, each sent by a caller through the engine on the {@link InMemoryPipeline} (one
 * destination, the configuration's defaults): what the proxy does with each is what the RFC asks of a proxy, or one
 * of the answers it allows (docs/security.md has the table). Valid requests are forwarded (an INVITE also gets its
 * 100 Trying, an OPTIONS with Max-Forwards 0 its 483), except an in-dialog one without our token (403, the relay
 * policy); invalid ones get 400, or are dropped where they cannot be framed (as every datagram that cannot, the
 * proxy answers none) or name no one to answer; responses that answer nothing we sent are dropped. For every
 * message, nothing goes anywhere but to the destination or back to the sender, and no pooled buffer is left.
 */
class Rfc4475ThroughTheProxyTest {
    private static final InetSocketAddress CALLER = new InetSocketAddress("192.0.2.10", 5060);
    private static final InetSocketAddress PBX = new InetSocketAddress("10.0.0.1", 5081);
    private static final String FORWARDED = "forwarded";
    private static final String DROPPED = "dropped";
    private static final Map<String, String> OUTCOME = new TreeMap<>();

    static {
        // 3.1.1 valid messages
        OUTCOME.put("wsinv", "403"); // in-dialog (To tag) with a foreign Route and no token of ours: not relayed
        OUTCOME.put("intmeth", FORWARDED);
        OUTCOME.put("esc01", "100, " + FORWARDED);
        OUTCOME.put("escnull", FORWARDED);
        OUTCOME.put("esc02", FORWARDED);
        OUTCOME.put("lwsdisp", FORWARDED);
        OUTCOME.put("longreq", "100, " + FORWARDED);
        OUTCOME.put("dblreq", FORWARDED); // the REGISTER; the INVITE after its body is never seen
        OUTCOME.put("semiuri", FORWARDED);
        OUTCOME.put("transports", FORWARDED);
        OUTCOME.put("mpart01", FORWARDED);
        OUTCOME.put("unreason", DROPPED); // a response to no request of ours
        OUTCOME.put("noreason", DROPPED);
        // 3.1.2 invalid messages
        OUTCOME.put("badinv01", "400");
        OUTCOME.put("clerr", DROPPED); // cannot be framed: counted as unparseable, not answered
        OUTCOME.put("ncl", DROPPED); // cannot be framed
        OUTCOME.put("scalar02", "400");
        OUTCOME.put("scalarlg", DROPPED); // a response
        OUTCOME.put("quotbal", "400");
        OUTCOME.put("ltgtruri", DROPPED); // cannot be framed: a request line we would read differently
        OUTCOME.put("lwsruri", DROPPED); // likewise
        OUTCOME.put("lwsstart", DROPPED); // likewise
        OUTCOME.put("trws", DROPPED); // likewise
        OUTCOME.put("escruri", "100, " + FORWARDED); // either, per the RFC
        OUTCOME.put("baddate", "100, " + FORWARDED); // a proxy forwards it
        OUTCOME.put("regbadct", FORWARDED); // either
        OUTCOME.put("badaspec", FORWARDED); // either
        OUTCOME.put("baddn", FORWARDED); // either
        OUTCOME.put("badvers", DROPPED); // cannot be framed: an unknown version
        OUTCOME.put("mismatch01", "400");
        OUTCOME.put("mismatch02", "400");
        OUTCOME.put("bigcode", DROPPED); // a response
        // 3.2 transaction layer
        OUTCOME.put("badbranch", FORWARDED);
        // 3.3 application layer
        OUTCOME.put("insuf", DROPPED); // no Call-ID, From or To: nothing to answer by
        OUTCOME.put("unkscm", FORWARDED);
        OUTCOME.put("novelsc", FORWARDED);
        OUTCOME.put("unksm2", FORWARDED);
        OUTCOME.put("bext01", "420");
        OUTCOME.put("invut", "100, " + FORWARDED);
        OUTCOME.put("regaut01", FORWARDED);
        OUTCOME.put("multi01", "400");
        OUTCOME.put("mcl01", DROPPED); // cannot be framed: two Content-Length values
        OUTCOME.put("bcast", DROPPED); // a response, whose next Via is a broadcast address
        OUTCOME.put("zeromf", "483");
        OUTCOME.put("cparam01", FORWARDED);
        OUTCOME.put("cparam02", FORWARDED);
        OUTCOME.put("regescrt", FORWARDED);
        OUTCOME.put("sdp01", "100, " + FORWARDED);
        // 3.4 backward compatibility
        OUTCOME.put("inv2543", "100, " + FORWARDED);
    }

    static Stream<Arguments> messages() {
        return OUTCOME.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @Test
    void everyTortureMessageHasAnOutcome() {
        assertEquals(49, OUTCOME.size());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("messages")
    void theProxyDoesWithEachWhatTheRfcAsks(String name, String expected) throws IOException {
        List<String> elsewhere = new ArrayList<>();
        List<String> forwarded = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        TreeSet<String> outcome = new TreeSet<>();
        long before = PooledMemory.now().activeAllocations();
        ManualClock clock = new ManualClock();
        InMemoryPipeline p = new InMemoryPipeline(
                ProxyConfig.builder()
                        .listenUdp(new InetSocketAddress("198.51.100.1", 5060))
                        .destinations(List.of(Destination.of("pbx", "sip:10.0.0.1:5081")))
                        .recordRouteSecret("rfc 4475 through the proxy test secret")
                        .clock(clock)
                        .build(),
                (out, to, tcp) -> {
                    String text = out.toString(StandardCharsets.ISO_8859_1);
                    out.release();
                    if (to.equals(PBX)) {
                        outcome.add(FORWARDED);
                        forwarded.add(text);
                    } else if (to.getAddress().equals(CALLER.getAddress()) && text.startsWith("SIP/2.0 ")) {
                        outcome.add(text.substring(8, 11));
                        answers.add(text);
                    } else {
                        elsewhere.add(to + " <- " + text);
                    }
                });
        ByteBuf datagram = Unpooled.wrappedBuffer(load(name));
        try {
            p.receive(datagram, CALLER);
            for (int i = 0; i < 10; i++) {
                clock.advanceMs(100);
                p.tick();
            }
        } finally {
            datagram.release();
            p.close();
        }
        assertEquals(List.of(), elsewhere, name + ": sent where neither the destination nor the sender is");
        assertEquals(expected, outcome.isEmpty() ? DROPPED : String.join(", ", outcome), name);
        assertEquals(before, PooledMemory.now().activeAllocations(), name + ": pooled buffers still allocated");
        if (name.equals("bext01")) { // the tags it does not support, as Unsupported
            assertTrue(
                    answers.get(0).contains("\r\nUnsupported: noProxiesSupportThis, norDoAnyProxiesSupportThis\r\n"),
                    answers.get(0));
        }
        if (name.equals("dblreq")) { // the bytes after the REGISTER's body are no message of their own
            assertTrue(forwarded.stream().allMatch(m -> m.startsWith("REGISTER ")), forwarded.toString());
        }
    }

    private static byte[] load(String name) throws IOException {
        try (InputStream in = Rfc4475ThroughTheProxyTest.class.getResourceAsStream("/rfc4475/" + name + ".dat")) {
            assertTrue(in != null, "missing test resource rfc4475/" + name + ".dat");
            return in.readAllBytes();
        }
    }
}
