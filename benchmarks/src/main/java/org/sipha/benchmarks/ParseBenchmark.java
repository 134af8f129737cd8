package org.sipha.benchmarks;

import gov.nist.javax.sip.header.Route;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.sipha.core.message.NameAddrView;
import org.sipha.core.message.SipMessageView;
import org.sipha.core.message.SipParseResult;
import org.sipha.core.message.ViaView;

/**
 * Parse one call's worth of typical messages ({@link TypicalMessages}) and read the fields a proxy needs for
 * each: Call-ID, top Via branch, CSeq number and method, To tag, and the top Route's URI. One operation is one
 * message. {@code sipHa} reuses one {@link SipMessageView} per thread, as the forwarding engine does;
 * {@code jainSip} uses JAIN-SIP RI's {@link StringMsgParser}, reused too.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ParseBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ParseBenchmark {
    /** Must equal {@code TypicalMessages.all().length}; checked in setUp. */
    static final int MESSAGES = 7;

    private byte[][] messages;
    private SipMessageView view;
    private StringMsgParser jainParser;

    @Setup
    public void setUp() {
        messages = TypicalMessages.all();
        if (messages.length != MESSAGES) {
            throw new IllegalStateException("MESSAGES must be " + messages.length);
        }
        view = new SipMessageView();
        jainParser = new StringMsgParser();
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void sipHa(Blackhole bh) {
        SipMessageView v = view;
        for (byte[] m : messages) {
            if (v.wrap(m, 0, m.length) != SipParseResult.OK) {
                throw new IllegalStateException("benchmark message rejected: " + v.parseResult());
            }
            bh.consume(v.callId());
            ViaView top = v.topVia();
            bh.consume(top.branch());
            bh.consume(v.cseqNumber());
            bh.consume(v.cseqMethod());
            bh.consume(v.to().tag());
            if (v.routeCount() > 0) {
                NameAddrView route = v.route(0);
                bh.consume(route.uriText());
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public void jainSip(Blackhole bh) throws Exception {
        for (byte[] m : messages) {
            SIPMessage msg = jainParser.parseSIPMessage(m, true, false, null);
            bh.consume(msg.getCallId().getCallId());
            Via top = (Via) msg.getViaHeaders().getFirst();
            bh.consume(top.getBranch());
            bh.consume(msg.getCSeq().getSeqNumber());
            bh.consume(msg.getCSeq().getMethod());
            bh.consume(msg.getTo().getTag());
            // getHeader returns the first Route header of the list (JAIN-SIP's SIPHeaderList.getFirst).
            Route route = (Route) msg.getHeader("Route");
            if (route != null) {
                bh.consume(route.getAddress().getURI());
            }
        }
    }
}
