package org.sipha.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Netty's buffer leak detector at PARANOID level (every buffer tracked), with every report recorded so a test can
 * fail on it instead of a WARN line nobody reads. {@link #install()} must run before Netty's buffer classes load;
 * {@link NettyLeakDetectionSession} does that for a module whose surefire sets {@code sipha.leakDetection=paranoid}.
 * Any thread may call any method.
 */
public final class NettyLeaks {
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    private NettyLeaks() {}

    /** Sets PARANOID and the recording detector factory; idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        installed = true;
    }

    /** Whether {@link #install()} ran, so a test can insist that leaks are being looked for. */
    public static boolean installed() {
        return installed;
    }

    /**
     * Collects the leaks of buffers that are no longer reachable: a few rounds of GC, each followed by a buffer
     * allocation (the detector reports what the GC found when it next tracks a buffer). Returns and clears them.
     */
    public static List<String> collect() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            LockSupport.parkNanos(20_000_000L); // lets the reference handler enqueue what the GC cleared
            ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(1);
            ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(1);
            ByteBuf c = Unpooled.directBuffer(1);
            a.release();
            b.release();
            c.release();
        }
        List<String> out = new ArrayList<>(REPORTS);
        REPORTS.removeAll(out);
        return out;
    }

    /** Fails with the first report if any buffer leaked (see {@link #collect()}). */
    public static void assertNoLeaks() {
        if (!installed) {
            fail("Netty leak detection is not installed: set sipha.leakDetection=paranoid for this module's tests");
        }
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " Netty buffer leak(s); the first:\n" + leaks.get(0));
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<?> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            REPORTS.add("LEAK: " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            REPORTS.add("LEAK: " + resourceType + " (no access records)");
            super.reportUntracedLeak(resourceType);
        }
    }
}
