package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.MethodSource;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseLimits;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.message.SipSyntaxException;
import org.sipha.core.model.Destination;

/**
 * Coverage-guided fuzzing of the whole engine path, bytes in to bytes out, on the {@link InMemoryPipeline}: the
 * fuzzer's bytes become datagrams from a few sources (two callers inside the access list, a scanner outside it, the
 * two destinations), scripted answers and in-dialog requests of the peers ({@link ScriptedPeers}), CANCELs,
 * retransmissions and timer ticks on the hand-moved clock. After each input, with the pipeline closed: not one
 * pooled buffer is still allocated, and every message the proxy sent went to a configured destination or to the
 * address of a source that sent something (a reply goes to the sender's address; the callee's in-dialog requests
 * reach the caller); every message sent over TCP frames as exactly one stream message (its Content-Length delimits
 * its body). A finding is also any exception other than the typed {@link SipSyntaxException} (which the event loop
 * counts and drops), a hang or running out of memory.
 *
 * <p>Input layout: byte 0 picks the configuration (bit 0 an access list, bit 1 503 for a rate, bit 2 four calls per
 * loop, bit 3 five requests a second per source, bits 4 and 5 the first and second destination over TCP); then up to {@link #MAX_STEPS} steps, each an op byte (low 3 bits
 * the kind, the rest its argument) and the kind's own bytes, see {@link #step}. Seeds: each message of
 * {@code corpus/*.sip} sent by a caller, then a call's worth of answers, in-dialog requests and ticks. How fuzz
 * targets run: see {@code SipMessageViewFuzzTest} in sip-ha-core and docs/testing.md.
 */
class ProxyEngineFuzzTest {
    static {
        // Each input's pipeline would print its refusal summary line: one per input, thousands a second.
        System.setProperty("org.slf4j.simpleLogger.log.org.sipha.dispatcher.engine.LoopChannelHandler", "warn");
    }

    private static final int MAX_STEPS = 64;
    private static final int MAX_DATAGRAM = 4096;
    static final InetSocketAddress[] CALLERS = {
        new InetSocketAddress("192.0.2.10", 5060), new InetSocketAddress("192.0.2.11", 5070)
    };
    static final InetSocketAddress SCANNER = new InetSocketAddress("203.0.113.9", 5060);
    static final InetSocketAddress[] PBXS = {
        new InetSocketAddress("10.0.0.1", 5081), new InetSocketAddress("10.0.0.2", 5082)
    };
    private static final InetSocketAddress[] SOURCES = {CALLERS[0], CALLERS[1], SCANNER, PBXS[0], PBXS[1]};

    private static final int DATAGRAM = 0;
    private static final int ANSWER = 1;
    private static final int CALLER_REQUEST = 2;
    private static final int CALLEE_REQUEST = 3;
    private static final int TICK = 4;
    private static final int RETRANSMIT = 5;
    private static final int CANCEL = 6;
    private static final int TICKS = 7;

    static Stream<Named<byte[]>> seeds() {
        return SeedMessages.corpus()
                .flatMap(m -> Stream.of(
                        Named.of(m.getName(), callScript(1, m.getPayload())),
                        Named.of(
                                m.getName() + " without Content-Length, to TCP destinations",
                                callScript(1 | 16 | 32, withoutContentLength(m.getPayload())))));
    }

    /** {@code message} without its Content-Length lines: as a datagram may come, its body ending with it. */
    static byte[] withoutContentLength(byte[] message) {
        String m = new String(message, StandardCharsets.ISO_8859_1);
        return m.replaceAll("(?im)^(content-length|l)[ \\t]*:[^\\n]*\\n", "").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The configuration byte, {@code message} from the first caller, then 183 and 200, ACK, a tick, BYE both ways and
     * a long tick.
     */
    static byte[] callScript(int config, byte[] message) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(config);
        b.write(DATAGRAM);
        b.write(message.length >> 8);
        b.write(message.length);
        b.writeBytes(message);
        b.write(ANSWER | 2 << 3); // 183
        b.write(0);
        b.write(ANSWER | 3 << 3); // 200
        b.write(0);
        b.write(CALLER_REQUEST); // ACK
        b.write(0);
        b.write(TICK | 3 << 3);
        b.write(CALLER_REQUEST | 1 << 4); // BYE
        b.write(0);
        b.write(ANSWER | 3 << 3);
        b.write(0);
        b.write(CALLEE_REQUEST | 1 << 3); // BYE
        b.write(0);
        b.write(TICK | 31 << 3);
        return b.toByteArray();
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "30s")
    void everyBufferReleasedAndNothingSentButToDestinationsAndSources(byte[] input) {
        FuzzInput in = new FuzzInput(input);
        long before = PooledMemory.now().activeAllocations();
        Run run = new Run(in.u8());
        try {
            for (int i = 0; i < MAX_STEPS && in.hasMore(); i++) {
                run.step(in);
            }
        } finally {
            run.pipeline.close();
        }
        assertEquals(List.of(), run.misdirected, "messages sent where neither our routing nor a sender is");
        assertEquals(List.of(), run.misframed, "messages sent over TCP that do not frame as one stream message");
        assertEquals(before, PooledMemory.now().activeAllocations(), "pooled buffers still allocated");
    }

    /** One input's pipeline, clock and peers' memory of what the proxy sent them. */
    private static final class Run {
        private final ManualClock clock = new ManualClock();
        private final List<String> misdirected = new ArrayList<>();
        private final List<String> misframed = new ArrayList<>();
        private final List<InetSocketAddress> senders = new ArrayList<>();
        private final String[] lastRequestTo = new String[PBXS.length];
        private final String[] lastInviteTo = new String[PBXS.length];
        private final String[] lastResponseTo = new String[CALLERS.length];
        private final String[] lastInviteFrom = new String[CALLERS.length];
        private int lastReceiver;
        private int lastInviteReceiver;
        private byte[] lastDatagram;
        private int scripted;
        private final InMemoryPipeline pipeline;

        Run(int configBits) {
            pipeline = new InMemoryPipeline(config(configBits), this::sent);
        }

        private ProxyConfig config(int bits) {
            ProxyConfig.Builder b = ProxyConfig.builder()
                    .listenUdp(new InetSocketAddress("198.51.100.1", 5060))
                    .destinations(List.of(
                            Destination.of("pbx1", "sip:10.0.0.1:5081" + ((bits & 16) != 0 ? ";transport=tcp" : "")),
                            Destination.of("pbx2", "sip:10.0.0.2:5082" + ((bits & 32) != 0 ? ";transport=tcp" : ""))))
                    .recordRouteSecret("engine fuzz test secret, 32 bytes or more")
                    .retransmitT1Ms(500)
                    .failoverTimeoutMs(2_000)
                    .ringTimeoutMs(8_000)
                    .lingerMs(1_000)
                    .maxCallsPerLoop((bits & 4) != 0 ? 4 : 64)
                    .answerRateLimitedWith503((bits & 2) != 0);
            if ((bits & 1) != 0) {
                b.accessList(SourceAccessList.of(List.of("192.0.2.10/32", "192.0.2.11/32")));
            }
            if ((bits & 8) != 0) {
                b.requestsPerSecondPerSource(5).requestBurstPerSource(5);
            }
            return b.clock(clock).build();
        }

        /** One step: the op byte's low 3 bits are its kind, the other 5 its argument. */
        private void step(FuzzInput in) {
            int op = in.u8();
            int arg = op >>> 3;
            switch (op & 7) {
                case DATAGRAM -> send(in.bytes(in.u16() % (MAX_DATAGRAM + 1)), SOURCES[arg % SOURCES.length]);
                case ANSWER -> answer(arg, in);
                case CALLER_REQUEST -> {
                    int c = arg & 1;
                    String extra = extraHeader(in);
                    if (lastResponseTo[c] != null) {
                        String m = ScriptedPeers.METHODS[(arg >>> 1) & 7];
                        send(ScriptedPeers.fromCaller(lastResponseTo[c], m, CALLERS[c], ++scripted, extra), CALLERS[c]);
                    }
                }
                case CALLEE_REQUEST -> {
                    String extra = extraHeader(in);
                    int d = lastInviteReceiver;
                    if (lastInviteTo[d] != null) {
                        String m = ScriptedPeers.METHODS[arg & 7];
                        send(ScriptedPeers.fromCallee(lastInviteTo[d], m, PBXS[d], ++scripted, extra), PBXS[d]);
                    }
                }
                case TICK -> {
                    clock.advanceMs((long) (arg + 1) * (arg + 1) * 10);
                    pipeline.tick();
                }
                case RETRANSMIT -> {
                    if (lastDatagram != null) {
                        send(lastDatagram, SOURCES[arg % SOURCES.length]);
                    }
                }
                case CANCEL -> {
                    int c = arg & 1;
                    if (lastInviteFrom[c] != null) {
                        send(ScriptedPeers.cancel(lastInviteFrom[c]), CALLERS[c]);
                    }
                }
                default -> {
                    for (int i = 0; i <= arg; i++) {
                        clock.advanceMs(10);
                        pipeline.tick();
                    }
                }
            }
        }

        /** A destination answers the last request it got: code from the argument, then up to 3 bytes overwritten. */
        private void answer(int arg, FuzzInput in) {
            int d = (arg >>> 4) == 0 ? lastReceiver : 1 - lastReceiver;
            int splices = in.u8() & 3;
            if (lastRequestTo[d] == null) {
                return;
            }
            byte[] b = ScriptedPeers.answer(lastRequestTo[d], ScriptedPeers.CODES[arg & 15], PBXS[d])
                    .getBytes(StandardCharsets.ISO_8859_1);
            for (int i = 0; i < splices; i++) {
                int at = in.u16();
                int value = in.u8();
                if (b.length > 0) {
                    b[at % b.length] = (byte) value;
                }
            }
            send(b, PBXS[d]);
        }

        /** A header line of the fuzzer's bytes (length byte, modulo 128; none if 0), to go into a scripted request. */
        private static String extraHeader(FuzzInput in) {
            int n = in.u8() % 128;
            return n == 0 ? "" : new String(in.bytes(n), StandardCharsets.ISO_8859_1) + "\r\n";
        }

        private void send(String text, InetSocketAddress from) {
            send(text.getBytes(StandardCharsets.ISO_8859_1), from);
        }

        private void send(byte[] datagram, InetSocketAddress from) {
            lastDatagram = datagram;
            if (!senders.contains(from)) {
                senders.add(from);
            }
            for (int c = 0; c < CALLERS.length; c++) {
                if (from.equals(CALLERS[c]) && startsWith(datagram, "INVITE ")) {
                    lastInviteFrom[c] = new String(datagram, StandardCharsets.ISO_8859_1);
                }
            }
            ByteBuf b = Unpooled.wrappedBuffer(datagram);
            try {
                pipeline.receive(b, from);
            } catch (SipSyntaxException typed) {
                // the event loop counts it (a handling error) and drops the message
            } finally {
                b.release();
            }
        }

        /** The output: checks the address, keeps the text for the peers' next moves, releases the buffer. */
        private void sent(ByteBuf out, InetSocketAddress to, boolean overTcp) {
            String text = out.toString(StandardCharsets.ISO_8859_1);
            out.release();
            if (!allowed(to)) {
                misdirected.add(to + " <- " + text);
            }
            if (overTcp && !framesAsOneStreamMessage(text)) {
                misframed.add(to + " <- " + text);
            }
            for (int d = 0; d < PBXS.length; d++) {
                if (to.equals(PBXS[d]) && !text.startsWith("SIP/2.0 ")) {
                    lastRequestTo[d] = text;
                    lastReceiver = d;
                    if (text.startsWith("INVITE ")) {
                        lastInviteTo[d] = text;
                        lastInviteReceiver = d;
                    }
                }
            }
            for (int c = 0; c < CALLERS.length; c++) {
                if (to.getAddress().equals(CALLERS[c].getAddress()) && text.startsWith("SIP/2.0 ")) {
                    lastResponseTo[c] = text;
                }
            }
        }

        /** A configured destination (address and port), or the address of a source that sent in this input. */
        private boolean allowed(InetSocketAddress to) {
            for (InetSocketAddress d : PBXS) {
                if (d.equals(to)) {
                    return true;
                }
            }
            for (InetSocketAddress s : senders) {
                if (s.getAddress().equals(to.getAddress())) {
                    return true;
                }
            }
            return false;
        }

        private static boolean framesAsOneStreamMessage(String text) {
            byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
            SipMessageView v = new SipMessageView(
                    SipParseLimits.builder().maxMessageBytes(1 << 20).build());
            return v.wrapStream(b, 0, b.length) == SipParseResult.OK && v.frameLength() == b.length;
        }

        private static boolean startsWith(byte[] b, String prefix) {
            if (b.length < prefix.length()) {
                return false;
            }
            for (int i = 0; i < prefix.length(); i++) {
                if (b[i] != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }
}
