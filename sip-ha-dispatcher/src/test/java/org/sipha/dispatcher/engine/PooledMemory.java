package org.sipha.dispatcher.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.util.ResourceLeakDetector;

/**
 * What the engine's allocator ({@link PooledByteBufAllocator#DEFAULT}) has handed out and not had back: bytes of
 * its chunks in use and active allocations over its heap and direct arenas. A flood that leaks one reply buffer
 * per datagram moves both by its size; one that leaks nothing moves them only by what the threads' caches hold.
 */
record PooledMemory(long usedBytes, long activeAllocations) {
    /** Active allocations a flood may leave behind without leaking: about what the threads' caches can hold. */
    static final long ALLOCATION_SLACK = 2048;

    static PooledMemory now() {
        PooledByteBufAllocatorMetric m = PooledByteBufAllocator.DEFAULT.metric();
        long active = 0;
        for (PoolArenaMetric a : m.directArenas()) {
            active += a.numActiveAllocations();
        }
        for (PoolArenaMetric a : m.heapArenas()) {
            active += a.numActiveAllocations();
        }
        return new PooledMemory(m.usedDirectMemory() + m.usedHeapMemory(), active);
    }

    /** Fails unless {@code after} is within one chunk and {@link #ALLOCATION_SLACK} allocations of this. */
    void assertFlat(PooledMemory after, String what) {
        long chunk = PooledByteBufAllocator.DEFAULT.metric().chunkSize();
        String msg = what + ": pooled memory before " + this + ", after " + after;
        assertTrue(after.usedBytes - usedBytes <= chunk, msg);
        assertTrue(after.activeAllocations - activeAllocations <= ALLOCATION_SLACK, msg);
    }

    /**
     * Runs {@code r} with Netty's leak detector off: a flood of this size under PARANOID tracking (a stack trace
     * per buffer access) would take minutes. The pool's own numbers are what a flood test compares.
     */
    static void untracked(ThrowingRunnable r) throws Exception {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        try {
            r.run();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
