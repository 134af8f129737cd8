package org.sipha.testsupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class NettyLeaksTest {
    static {
        NettyLeaks.install(); // before this JVM's first buffer
    }

    @Test
    void aBufferDroppedWithoutReleaseIsReportedAndFailsTheCheck() {
        NettyLeaks.collect();
        leakOne();
        assertFalse(NettyLeaks.collect().isEmpty(), "the dropped buffer must be reported");
        leakOne();
        assertThrows(AssertionError.class, NettyLeaks::assertNoLeaks);
    }

    @Test
    void releasedBuffersAreNotReported() {
        NettyLeaks.collect();
        for (int i = 0; i < 100; i++) {
            ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
            b.writeLong(i);
            b.release();
        }
        assertTrue(NettyLeaks.collect().isEmpty());
    }

    private static void leakOne() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(42);
        // dropped without release()
    }
}
