package org.sipha.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sipha.core.model.Destination;
import org.sipha.core.model.DestinationState;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.DestinationEntry;
import org.sipha.dispatcher.DestinationSet;
import org.sipha.dispatcher.DestinationSetConfig;
import org.sipha.dispatcher.DispatcherConfig;
import org.sipha.dispatcher.FailoverIterator;
import org.sipha.dispatcher.KeyHash;
import org.sipha.dispatcher.RoutingTable;
import org.sipha.dispatcher.RoutingTableOwner;

/**
 * One selection per operation, for every algorithm, against a shared routing table of 6 destinations per set
 * (weights 1..3, priorities 0..1, one INACTIVE, uneven live leases and latencies), loaded once per operation as
 * a request would. {@code lockedBaseline} is the same round-robin behind {@code synchronized}, the way a
 * per-set lock does it: compare it with {@code roundRobin} in the same run, at 1 and 2 threads ({@code -t}),
 * with {@code -prof gc} for B/op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SelectBenchmark {
    private static final int KEYS = 1024;

    private RoutingTableOwner owner;
    private final LockedRoundRobin locked = new LockedRoundRobin();

    /** Per-thread request stream: precomputed Call-ID hashes and a reusable failover iterator. */
    @State(Scope.Thread)
    public static class Request {
        final long[] keyHashes = new long[KEYS];
        final FailoverIterator failover = new FailoverIterator();
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            final java.util.Random random =
                    new java.util.Random(Thread.currentThread().getId());
            for (int i = 0; i < KEYS; i++) {
                keyHashes[i] = KeyHash.of(Long.toHexString(random.nextLong()) + "@127.0.0.1");
            }
        }

        long key() {
            return keyHashes[next++ & (KEYS - 1)];
        }
    }

    /** The lock-based shape being replaced: one monitor per set guarding a plain cursor. */
    static final class LockedRoundRobin {
        private long cursor;

        synchronized DestinationEntry next(final DestinationSet set) {
            final int n = set.size();
            for (int k = 0; k < n; k++) {
                final DestinationEntry e = set.entry((int) (cursor++ % n));
                if (e.state().acceptsNewRequests()) {
                    return e;
                }
            }
            return null;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        final DispatcherConfig.Builder config = DispatcherConfig.builder();
        for (final Algorithm algorithm : Algorithm.values()) {
            final DestinationSetConfig.Builder set =
                    DestinationSetConfig.builder(setId(algorithm)).algorithm(algorithm);
            for (int i = 0; i < 6; i++) {
                set.add(Destination.builder("sip:10.0.0." + i + ":5060")
                        .id("d" + i)
                        .weight(1 + i % 3)
                        .priority(i % 2)
                        .build());
            }
            config.set(set.build());
        }
        owner = new RoutingTableOwner(config.build());
        owner.setHealthState("d5", DestinationState.INACTIVE);
        for (int i = 0; i < 6; i++) {
            owner.healthSink().onLatencySample("d" + i, 1_000_000L + 50_000L * i);
            for (int c = 0; c < 10 * i; c++) {
                owner.table().entry("d" + i).tryAcquireLease(); // uneven live calls for least-calls and bounded load
            }
        }
    }

    private static int setId(final Algorithm algorithm) {
        return algorithm.ordinal() + 1;
    }

    private DestinationEntry select(final Algorithm algorithm, final Request request) {
        final RoutingTable table = owner.table(); // one volatile load per request
        return table.select(setId(algorithm), request.key());
    }

    @Benchmark
    public DestinationEntry lockedBaseline(final Request request) {
        final RoutingTable table = owner.table();
        request.key(); // same per-operation work as the others
        return locked.next(table.set(setId(Algorithm.ROUND_ROBIN)));
    }

    @Benchmark
    public DestinationEntry roundRobin(final Request request) {
        return select(Algorithm.ROUND_ROBIN, request);
    }

    @Benchmark
    public DestinationEntry smoothWeightedRoundRobin(final Request request) {
        return select(Algorithm.SMOOTH_WEIGHTED_ROUND_ROBIN, request);
    }

    @Benchmark
    public DestinationEntry weightedRandom(final Request request) {
        return select(Algorithm.WEIGHTED_RANDOM, request);
    }

    @Benchmark
    public DestinationEntry keyHash(final Request request) {
        return select(Algorithm.KEY_HASH, request);
    }

    @Benchmark
    public DestinationEntry consistentHash(final Request request) {
        return select(Algorithm.CONSISTENT_HASH, request);
    }

    @Benchmark
    public DestinationEntry leastCalls(final Request request) {
        return select(Algorithm.LEAST_CALLS, request);
    }

    @Benchmark
    public DestinationEntry lowestLatency(final Request request) {
        return select(Algorithm.LOWEST_LATENCY, request);
    }

    @Benchmark
    public DestinationEntry priorityGroups(final Request request) {
        return select(Algorithm.PRIORITY_GROUPS, request);
    }

    /** First and second choice of a consistent-hash request through the reusable failover iterator. */
    @Benchmark
    public DestinationEntry consistentHashFailover(final Request request) {
        final FailoverIterator it =
                request.failover.reset(owner.table(), setId(Algorithm.CONSISTENT_HASH), request.key());
        it.next();
        return it.next();
    }
}
