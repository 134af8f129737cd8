package org.sipha.admin;

import java.util.Objects;

/**
 * One destination as {@code /status} and {@code /destinations} show it. Immutable.
 *
 * @param id            its id
 * @param uri           where it is
 * @param weight        configured weight
 * @param priority      configured priority
 * @param state         its state in the routing table: {@code active}, {@code inactive}, {@code probing},
 *                      {@code disabled}
 * @param admin         the operator's say: {@code enabled}, {@code disabled}, {@code draining}
 * @param healthy       what the health checks find (true without health checking)
 * @param callsInFlight calls counted against it now (its leases: an answered call counts for the call-hold time)
 * @param forwarded     requests forwarded to it so far
 * @param probeP50Ms    median OPTIONS round-trip time in ms, NaN before any
 * @param probeP99Ms    99th percentile of the same
 * @param trafficP50Ms  median time to its first response to forwarded INVITEs, NaN before any
 * @param trafficP99Ms  99th percentile of the same
 * @param lastChange    its last state change, or null if none since start
 */
public record DestinationStatus(
        String id,
        String uri,
        int weight,
        int priority,
        String state,
        String admin,
        boolean healthy,
        long callsInFlight,
        long forwarded,
        double probeP50Ms,
        double probeP99Ms,
        double trafficP50Ms,
        double trafficP99Ms,
        StateChange lastChange) {
    public DestinationStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(admin, "admin");
    }

    /**
     * One word for people and the status page: {@code draining} or {@code disabled} (the operator's), else
     * {@code down} (out by health checking), {@code probing} (coming back), {@code up}, or {@code failing} (in the
     * table only because its set fails open).
     */
    public String status() {
        if (admin.equals("draining")) {
            return "draining";
        }
        if (admin.equals("disabled") || state.equals("disabled")) {
            return "disabled";
        }
        return switch (state) {
            case "inactive" -> "down";
            case "probing" -> "probing";
            default -> healthy ? "up" : "failing";
        };
    }
}
