package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A poll task that dies (an Error ends a scheduled task for good, silently) must not leave the site quorate on
 * its last good answer. No database: the node's status source is in memory, the client's threads are real.
 */
class GaleraQuorumClientPollerDeathTest {
    private static final long WAIT_MS = 10_000;

    /** Thrown into the poll thread's work, as an OutOfMemoryError or a StackOverflowError would be. */
    static final class InjectedError extends Error {
        InjectedError() {
            super("injected into poll()");
        }
    }

    /** Answers Primary/Synced until {@link #fail} is set, then throws an Error on the poll thread. */
    static final class InMemoryNode implements NodeStatusSource {
        final GaleraNode node;
        volatile boolean fail;
        volatile boolean died;

        InMemoryNode(GaleraNode node) {
            this.node = node;
        }

        @Override
        public NodeStatus poll() {
            if (fail) {
                died = true;
                throw new InjectedError();
            }
            return new NodeStatus(
                    node,
                    true,
                    null,
                    "Primary",
                    true,
                    NodeStatus.STATE_SYNCED,
                    "Synced",
                    1,
                    SiteQuorumTrackerTest.UUID,
                    5,
                    0,
                    System.nanoTime());
        }

        @Override
        public void close() {}
    }

    @Test
    void siteCountsAsNotQuorateOnceItsPollThreadDies() throws Exception {
        GaleraClientConfig config = GaleraClientConfig.builder()
                .node("n1", "127.0.0.1", 13306)
                .voters(1)
                .user("u")
                .database("d")
                .pollIntervalMs(20)
                .pollTimeoutMs(50)
                .riseCount(2)
                .fallCount(2)
                .canaryIntervalMs(0)
                .build();
        InMemoryNode[] nodes = new InMemoryNode[1];
        try (GaleraQuorumClient client = GaleraQuorumClient.start(config, n -> nodes[0] = new InMemoryNode(n))) {
            await(client::isSiteQuorate, "quorate while polls answer");
            nodes[0].fail = true;
            await(() -> nodes[0].died, "the poll task died");
            await(() -> !client.isSiteQuorate(), "not quorate once no poll result arrives");
            assertFalse(client.view().node("n1").up());
            assertTrue(
                    client.view().node("n1").reason().contains("no poll result"),
                    client.view().node("n1").reason());
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": not within " + WAIT_MS + " ms");
            }
            Thread.sleep(10);
        }
    }
}
