package org.sipha.benchmarks;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's benchmark threads as Netty {@code FastThreadLocalThread}s, the kind of thread an event loop is. Netty 4.2
 * pools its buffer objects (its {@code Recycler}) only on such threads, so the engine's message path allocates
 * nothing on an event loop but would allocate a buffer object per message on JMH's plain threads. Selected with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=org.sipha.benchmarks.EventLoopThreadExecutor} (see
 * {@link PipelineBenchmark}); JMH calls the {@code (int, String)} constructor.
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {
    public EventLoopThreadExecutor(int maxThreads, String prefix) {
        super(
                maxThreads,
                maxThreads,
                1,
                TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
