package org.sipha.health;

/**
 * Receives health events. All methods are called on the health owner thread; implementations must not block
 * (hand work to their own thread) and must not call back into the monitor's owner-thread methods.
 */
public interface HealthListener {
    /** A destination's reported state or own health changed. */
    void onHealthEvent(HealthEvent event);

    /**
     * The set entered ({@code entered}) or left panic mode. While in panic every enabled destination is reported
     * ACTIVE although {@code outCount} of {@code enabledCount} are failing.
     */
    default void onPanic(
            final String setName,
            final boolean entered,
            final int outCount,
            final int enabledCount,
            final long timeNs) {}

    /**
     * Slow start progressed: the destination should get {@code factor} (0..1] of its configured weight. Emitted
     * when the factor crosses each tenth and once with 1.0 when the ramp ends.
     */
    default void onRampFactor(final String destinationId, final double factor, final long timeNs) {}
}
