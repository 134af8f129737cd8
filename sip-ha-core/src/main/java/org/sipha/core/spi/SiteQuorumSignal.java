package org.sipha.core.spi;

import java.util.Objects;

/**
 * Whether this site's database cluster is quorate, published by the Galera client ({@code sip-ha-galera}) and
 * consumed by modules that must react to its loss: the SIP side (answer new calls with 503 + Retry-After) and
 * the anycast module (withdraw the route). Defined here so neither side depends on the other.
 *
 * <p>Threading: {@link #isSiteQuorate()} may be called from any thread (it reads one volatile snapshot).
 * Listeners are called on the publisher's single event thread, one change at a time and in order; they must
 * not block (hand the change to your own thread if you need to do I/O).
 */
public interface SiteQuorumSignal {

    /** @return {@code true} when at least one database node of this site is trusted for writes now. */
    boolean isSiteQuorate();

    /**
     * Registers a listener; it is immediately told the current state, then every change.
     *
     * @param listener called on the publisher's event thread; must not block
     */
    void addSiteQuorumListener(Listener listener);

    /** Receives site quorum changes. */
    @FunctionalInterface
    interface Listener {
        /** @param change the new state; never {@code null} */
        void onSiteQuorumChange(Change change);
    }

    /**
     * One change of site quorum.
     *
     * @param quorate          the new state
     * @param reason           short human-readable cause, e.g. {@code "n1: non-Primary"}
     * @param retryAfterSecs   a hint for a SIP 503 Retry-After when {@code quorate} is false (0 when quorate)
     * @param atEpochMs        wall-clock time of the decision
     */
    record Change(boolean quorate, String reason, int retryAfterSecs, long atEpochMs) {
        public Change {
            Objects.requireNonNull(reason, "reason");
            if (retryAfterSecs < 0) {
                throw new IllegalArgumentException("retryAfterSecs < 0: " + retryAfterSecs);
            }
        }
    }
}
