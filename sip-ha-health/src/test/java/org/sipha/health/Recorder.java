package org.sipha.health;

import java.util.ArrayList;
import java.util.List;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.model.DestinationState;
import org.sipha.core.spi.DestinationsUpListener;

/** Records everything the monitor emits (owner thread only, like the monitor). */
final class Recorder implements HealthListener, DestinationHealthSink, DestinationsUpListener {
    record SinkCall(String id, DestinationState state) {}

    record Panic(String set, boolean entered, int out, int enabled, long timeNs) {}

    record Ramp(String id, double factor, long timeNs) {}

    final List<HealthEvent> events = new ArrayList<>();
    final List<SinkCall> sinkCalls = new ArrayList<>();
    final List<long[]> latencies = new ArrayList<>();
    final List<Panic> panics = new ArrayList<>();
    final List<Ramp> ramps = new ArrayList<>();
    final List<int[]> ups = new ArrayList<>();

    @Override
    public void onHealthEvent(final HealthEvent event) {
        events.add(event);
    }

    @Override
    public void onPanic(
            final String setName,
            final boolean entered,
            final int outCount,
            final int enabledCount,
            final long timeNs) {
        panics.add(new Panic(setName, entered, outCount, enabledCount, timeNs));
    }

    @Override
    public void onRampFactor(final String destinationId, final double factor, final long timeNs) {
        ramps.add(new Ramp(destinationId, factor, timeNs));
    }

    @Override
    public void onStateChange(final String destinationId, final DestinationState state) {
        sinkCalls.add(new SinkCall(destinationId, state));
    }

    @Override
    public void onLatencySample(final String destinationId, final long rttNs) {
        latencies.add(new long[] {rttNs});
    }

    @Override
    public void onDestinationsUp(final int upCount, final int totalCount) {
        ups.add(new int[] {upCount, totalCount});
    }

    DestinationState lastSinkState(final String id) {
        for (int i = sinkCalls.size() - 1; i >= 0; i--) {
            if (sinkCalls.get(i).id().equals(id)) {
                return sinkCalls.get(i).state();
            }
        }
        return null;
    }

    HealthEvent lastEvent(final String id) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).destinationId().equals(id)) {
                return events.get(i);
            }
        }
        return null;
    }

    int[] lastUp() {
        return ups.isEmpty() ? null : ups.get(ups.size() - 1);
    }
}
