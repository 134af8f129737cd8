package org.sipha.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sipha.core.accounting.CallEventHandler;
import org.sipha.core.accounting.CallEventRings;
import org.sipha.core.model.Destination;
import org.sipha.dispatcher.engine.InMemoryPipeline;
import org.sipha.dispatcher.engine.ProxyConfig;

/**
 * One call setup through the forwarding engine's message path, in memory: a carrier's INVITE (with SDP) goes
 * in; the engine answers 100 Trying, picks a PBX (round robin over two, through the dispatcher's routing table as
 * the reference proxy does), opens call state and forwards the INVITE with its Via, received/rport, signed
 * Record-Route and Max-Forwards spliced in; the PBX's 200 OK (with SDP) comes back and is forwarded upstream
 * with the top Via removed; the call state is then freed. Each step is the production code
 * ({@link InMemoryPipeline} runs the same worker as every event loop): decode, validate, select, edit, encode into
 * pooled buffers. Left out: the socket system calls and Netty's per-datagram envelopes.
 *
 * <p>The operation includes the benchmark's own tiny UAS step, which builds the 200 by copying the forwarded
 * INVITE's top Via into a template (one ~500-byte copy). Run with {@code -prof gc}: B/op should be ~0. The
 * benchmark thread is a Netty {@code FastThreadLocalThread}, like the event loops the engine runs on in
 * production ({@link EventLoopThreadExecutor}); on a plain thread Netty 4.2 does not recycle its buffer objects.
 * Netty's leak detector is off, as in the reference proxy: it captures a stack trace for one buffer in 128.
 *
 * <p>{@code -p accounting=off,on} also runs it with call accounting on: each call then records an OUTCOME and a
 * START into the loop's ring, which the operation drains at its end (the writer thread's side, minus the database).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {
            "-Djmh.executor=CUSTOM",
            "-Djmh.executor.class=org.sipha.benchmarks.EventLoopThreadExecutor",
            "-Dio.netty.leakDetection.level=disabled"
        }) // as the reference proxy runs: sampled leak traces allocate
public class PipelineBenchmark {
    private static final InetSocketAddress CARRIER = new InetSocketAddress("127.0.0.1", 5070);
    private static final String SDP = "v=0\r\n"
            + "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
            + "s=-\r\n"
            + "c=IN IP4 127.0.0.1\r\n"
            + "t=0 0\r\n"
            + "m=audio 6000 RTP/AVP 0 8 101\r\n"
            + "a=rtpmap:0 PCMU/8000\r\n"
            + "a=rtpmap:8 PCMA/8000\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\n";
    private static final byte[] INVITE = ascii("INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2143-1-0;rport\r\n"
            + "From: sipp <sip:sipp@127.0.0.1:5070>;tag=2143SIPpTag001\r\n"
            + "To: service <sip:service@127.0.0.1:5060>\r\n"
            + "Call-ID: 1-2143@127.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: sip:sipp@127.0.0.1:5070\r\n"
            + "Max-Forwards: 70\r\n"
            + "Subject: Performance Test\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP);
    private static final byte[] STATUS_LINE = ascii("SIP/2.0 200 OK\r\n");
    /** The 200's headers after its first Via (the PBX copies the request's Vias; the first is the proxy's). */
    private static final byte[] REST_OF_200 =
            ascii("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2143-1-0;rport=5070;received=127.0.0.1\r\n"
                    + "Record-Route: <sip:127.0.0.1:5060;lr;shd=127.0.0.1~5081;shm=AAAAAAAAAAAAAAAAAAAAAA>\r\n"
                    + "From: sipp <sip:sipp@127.0.0.1:5070>;tag=2143SIPpTag001\r\n"
                    + "To: service <sip:service@127.0.0.1:5060>;tag=as6f5e4d3c\r\n"
                    + "Call-ID: 1-2143@127.0.0.1\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:service@127.0.0.1:5081>\r\n"
                    + "Content-Type: application/sdp\r\n"
                    + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP);

    /** "on": call accounting records into rings drained by the operation itself; "off" (default): none. */
    @Param({"off"})
    public String accounting;

    private CallEventRings rings;
    private long drained;
    private final CallEventHandler drain = e -> drained += e.sipCode();
    private InMemoryPipeline pipeline;
    private ByteBuf invite;
    private ByteBuf response;
    /** The INVITE the engine sent to a PBX during the current operation, and to which one. */
    private ByteBuf forwarded;

    private InetSocketAddress forwardedTo;
    private long bytesOut;

    @Setup(Level.Trial)
    public void setUp() {
        ProxyConfig cfg = ProxyConfig.builder()
                .listenUdp(new InetSocketAddress("127.0.0.1", 5060)) // never bound: only its address is used
                .destinations(List.of(
                        Destination.of("pbx1", "sip:127.0.0.1:5081"),
                        Destination.of("pbx2", "sip:127.0.0.1:5082"))) // a routing table of its own, round robin
                .recordRouteSecret("pipeline-benchmark-shared-secret")
                .lingerMs(0) // free each call at the next tick, so the operation can repeat forever
                // Per-source limits far above this one source's rate: every INVITE is checked, none is refused.
                .newCallsPerSecondPerSource(1_000_000)
                .requestsPerSecondPerSource(1_000_000)
                .callAccounting(accounting.equals("on") ? rings = new CallEventRings() : null)
                .build();
        pipeline = new InMemoryPipeline(cfg, this::onSend);
        invite = Unpooled.wrappedBuffer(INVITE);
        response = Unpooled.buffer(2048);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        response.release();
    }

    private void onSend(ByteBuf out, InetSocketAddress to, boolean overTcp) {
        bytesOut += out.readableBytes();
        if (!to.equals(CARRIER) && forwarded == null) {
            forwarded = out;
            forwardedTo = to;
        } else {
            out.release();
        }
    }

    /** Returns the bytes the engine sent (100 Trying, the forwarded INVITE, the 200 upstream). */
    @Benchmark
    public long inviteAnd200() {
        bytesOut = 0;
        pipeline.receive(invite, CARRIER);
        ByteBuf inv = forwarded;
        if (inv == null) {
            throw new IllegalStateException("the engine did not forward the INVITE");
        }
        forwarded = null;
        buildOk(inv);
        inv.release();
        pipeline.receive(response, forwardedTo);
        pipeline.tick();
        if (rings != null) {
            rings.drain(drain, 16);
        }
        return bytesOut + drained;
    }

    /** The PBX's 200: the status line, the forwarded INVITE's top Via line (the proxy's), then the fixed rest. */
    private void buildOk(ByteBuf inv) {
        int ri = inv.readerIndex();
        int lineEnd = inv.indexOf(ri, inv.writerIndex(), (byte) '\n');
        int viaEnd = inv.indexOf(lineEnd + 1, inv.writerIndex(), (byte) '\n');
        response.clear()
                .writeBytes(STATUS_LINE)
                .writeBytes(inv, lineEnd + 1, viaEnd - lineEnd)
                .writeBytes(REST_OF_200);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
