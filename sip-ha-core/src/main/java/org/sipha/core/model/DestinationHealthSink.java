package org.sipha.core.model;

/**
 * Where a health checker reports what it learns about destinations. The dispatcher implements it;
 * the health module calls it. This is the only contact point between the two modules.
 *
 * <p>Implementations must be safe to call from any thread and must not block: a health checker
 * calls it from its own I/O or timer thread.
 */
public interface DestinationHealthSink {
    /**
     * The health state of a destination changed. Reporting {@link DestinationState#DISABLED} is
     * reserved to operators; health checkers report ACTIVE, INACTIVE or PROBING.
     *
     * @param destinationId the {@link Destination#id()} of the destination.
     * @param state         its new state.
     */
    void onStateChange(String destinationId, DestinationState state);

    /**
     * A round-trip time was measured for a destination (e.g. OPTIONS to 200 OK).
     *
     * @param destinationId the {@link Destination#id()} of the destination.
     * @param rttNs         measured round-trip time in nanoseconds, at least 0.
     */
    void onLatencySample(String destinationId, long rttNs);
}
