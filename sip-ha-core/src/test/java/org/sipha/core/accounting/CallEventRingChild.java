package org.sipha.core.accounting;

import java.nio.file.Path;
import org.sipha.core.spi.CallAccountingSink;
import org.sipha.core.spi.CallEventKind;

/**
 * A separate JVM for {@link CallEventRingKillTest}. Arguments: file prefix, events, events to release. Records the
 * events into two file rings (loops 0 and 1 in turn), reads them all, releases the first ones as a writer would
 * once they are durable, prints {@code RECORDED}, and waits to be killed (at most 60 s).
 */
public final class CallEventRingChild {
    private CallEventRingChild() {}

    public static void main(String[] args) throws Exception {
        Path prefix = Path.of(args[0]);
        int events = Integer.parseInt(args[1]);
        int released = Integer.parseInt(args[2]);
        CallEventRings rings = CallEventRings.inFiles(prefix, 16_384, 256);
        CallAccountingSink[] sinks = {rings.sinkForLoop(0), rings.sinkForLoop(1)};
        for (int i = 0; i < events; i++) {
            CallEventRingTest.record(sinks[i % 2], CallEventKind.values()[i % 3], i, "call-" + i);
            if (i + 1 == released) {
                rings.read(e -> {}, Integer.MAX_VALUE);
                rings.release();
            }
        }
        rings.read(e -> {}, Integer.MAX_VALUE); // read, never released: the writer had not written them
        System.out.println("RECORDED " + (events - released) + " lost " + rings.lost());
        System.out.flush();
        Thread.sleep(60_000);
    }
}
