package org.sipha.dispatcher;

import java.util.function.BiConsumer;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.sipha.core.model.DestinationHealthSink;
import org.sipha.core.model.DestinationState;

/**
 * The health side's entry into the dispatcher. State changes become commands on a multi-producer,
 * single-consumer queue that the {@link RoutingTableOwner} drains in its duty cycle; latency samples need no
 * new table (EWMA is runtime data), so they go straight to the destination's {@link DestinationRuntime}.
 *
 * <p>{@link #onStateChange} and {@link #onLatencySample}: any thread, non-blocking. A state change allocates
 * one small command: state changes are rare, latency samples (frequent) allocate nothing.
 * {@link #drain}: owner thread only.
 */
final class HealthSignalProxy implements DestinationHealthSink {
    private record StateCommand(String destinationId, DestinationState state) {}

    private final MpscUnboundedArrayQueue<StateCommand> commands = new MpscUnboundedArrayQueue<>(64);
    private final RoutingTableOwner owner;

    HealthSignalProxy(final RoutingTableOwner owner) {
        this.owner = owner;
    }

    @Override
    public void onStateChange(final String destinationId, final DestinationState state) {
        commands.offer(new StateCommand(destinationId, state));
    }

    @Override
    public void onLatencySample(final String destinationId, final long rttNs) {
        final DestinationEntry e = owner.table().entry(destinationId);
        if (e != null) {
            e.runtime().recordLatency(rttNs);
        }
    }

    int drain(final BiConsumer<String, DestinationState> handler) {
        int n = 0;
        StateCommand c;
        while ((c = commands.relaxedPoll()) != null) {
            handler.accept(c.destinationId(), c.state());
            n++;
        }
        return n;
    }
}
