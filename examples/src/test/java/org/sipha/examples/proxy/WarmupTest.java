package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.sipha.dispatcher.Algorithm;
import org.sipha.dispatcher.engine.EngineLoops;
import org.sipha.dispatcher.engine.IoTransport;

/**
 * The reference proxy's warm-up, over real loopback sockets: every call it places through its throw-away engines is
 * answered (INVITE, 200, ACK and BYE through the proxy's Record-Route, so the demo backends' byte-written answers and
 * the warm-up's byte-written requests parse and route), and it leaves no thread of its own behind (its health
 * monitors, routing-table writers and demo backends).
 */
class WarmupTest {
    @Test
    void answersEveryCallAndLeavesNothingRunning() throws Exception {
        EngineLoops loops = EngineLoops.start(IoTransport.AUTO, 1);
        try {
            int answered = Warmup.run(600, 20_000, 0, Algorithm.ROUND_ROBIN, loops, true);
            assertEquals(600, answered, "calls answered through the warm-up engines");
        } finally {
            loops.close();
        }
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("sipha-warmup") || n.startsWith("demo-backend"))
                .collect(Collectors.toList());
        assertEquals(List.of(), left, "threads the warm-up left running");
    }

    @Test
    void withoutHealthCheckingAnswersEveryCallToo() throws Exception {
        EngineLoops loops = EngineLoops.start(IoTransport.AUTO, 1);
        try {
            assertEquals(200, Warmup.run(200, 20_000, 0, Algorithm.LEAST_CALLS, loops, false));
        } finally {
            loops.close();
        }
    }
}
