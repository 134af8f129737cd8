package org.sipha.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.sipha.core.accounting.CallEvent;
import org.sipha.core.accounting.CallEventHandler;
import org.sipha.core.accounting.CallEventRings;
import org.sipha.core.message.AsciiView;
import org.sipha.core.spi.CallAccountingSink;
import org.sipha.core.spi.CallEventKind;

/**
 * One call accounting event recorded by a loop's sink, then read and released by the consumer, for a ring in memory
 * and a ring in a file ({@link CallEventRings#inFiles}). {@code record} is what the event loop pays; run with
 * {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CallEventRingBenchmark {
    @Param({"memory", "file"})
    public String storage;

    private Path dir;
    private CallEventRings rings;
    private CallAccountingSink sink;
    private long seen;
    private final CallEventHandler handler = this::seen;
    private final AsciiView callId = view("a84b4c76e66710-314159265358979@pc33.atlanta.example.com");
    private final AsciiView fromTag = view("1928301774");
    private final AsciiView toTag = view("a6c85cf");
    private final AsciiView fromUri = view("sip:+493012345678@carrier.example.com");
    private final AsciiView toUri = view("sip:+494067890123@pbx.example.com");
    private final InetSocketAddress destination = new InetSocketAddress("127.0.0.1", 5081);
    private final InetSocketAddress source = new InetSocketAddress("192.0.2.7", 5060);
    private long cseq;

    private static AsciiView view(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return new AsciiView().wrap(b, 0, b.length);
    }

    private void seen(CallEvent e) {
        seen += e.cseq();
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (storage.equals("file")) {
            dir = Files.createTempDirectory("ring-bench");
            rings = CallEventRings.inFiles(
                    dir.resolve("acc.spool"), CallEventRings.DEFAULT_CAPACITY, CallEventRings.DEFAULT_TEXT_BYTES);
        } else {
            rings = new CallEventRings();
        }
        sink = rings.sinkForLoop(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One event recorded, read and released: the loop's cost and the writer's per-event ring cost. */
    @Benchmark
    public long recordReadRelease() {
        sink.record(
                CallEventKind.START,
                1_764_000_000_000L,
                200,
                ++cseq,
                callId,
                fromTag,
                toTag,
                fromUri,
                toUri,
                destination,
                source);
        rings.read(handler, 1);
        rings.release();
        return seen;
    }
}
