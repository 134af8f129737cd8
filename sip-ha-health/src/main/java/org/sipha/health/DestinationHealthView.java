package org.sipha.health;

import org.sipha.core.model.DestinationState;

/**
 * Immutable view of one destination's health, part of a {@link HealthSnapshot}.
 *
 * @param id             destination id.
 * @param setName        its set.
 * @param state          state reported to the dispatcher.
 * @param healthy        what the checks say (false during fail-open for a failing destination).
 * @param admin          operator state.
 * @param rampStartNs    owner-clock start of the slow start ramp, {@code Long.MIN_VALUE} if none.
 * @param slowStartNs    ramp length (config), 0 when slow start is off.
 * @param minRampFactor  first factor of a ramp.
 * @param ejections      passive ejections so far.
 * @param probeLatency   OPTIONS round-trip figures.
 * @param trafficLatency real-traffic response latency figures.
 */
public record DestinationHealthView(
        String id,
        String setName,
        DestinationState state,
        boolean healthy,
        AdminState admin,
        long rampStartNs,
        long slowStartNs,
        double minRampFactor,
        long ejections,
        LatencySummary probeLatency,
        LatencySummary trafficLatency) {

    /**
     * Share (0..1] of its configured weight the destination should get at {@code nowNs} (same clock as the
     * monitor): ramps linearly from {@code minRampFactor} to 1 over {@code slowStartNs} after recovery. Any thread.
     */
    public double rampFactor(final long nowNs) {
        if (rampStartNs == Long.MIN_VALUE || slowStartNs == 0 || nowNs - rampStartNs >= slowStartNs) {
            return 1.0;
        }
        return Math.max(minRampFactor, (double) Math.max(0, nowNs - rampStartNs) / slowStartNs);
    }
}
