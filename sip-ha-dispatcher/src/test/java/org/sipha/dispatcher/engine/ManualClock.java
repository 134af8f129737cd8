package org.sipha.dispatcher.engine;

/** Test clock: time moves only when the test moves it. Single-threaded, like the in-memory pipeline it drives. */
final class ManualClock implements NanoClock {
    private long nowNs = 1_000_000_000L;

    @Override
    public long nanoTime() {
        return nowNs;
    }

    void advanceMs(long ms) {
        nowNs += ms * 1_000_000L;
    }
}
