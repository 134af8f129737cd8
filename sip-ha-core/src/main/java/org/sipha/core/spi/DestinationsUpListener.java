package org.sipha.core.spi;

/**
 * Receives the aggregate availability of a destination set: how many destinations are up right now.
 *
 * <p>Published by whatever health-checks the destinations (e.g. {@code sip-ha-health}); consumed by whoever
 * must react to "fewer than K destinations up" (e.g. {@code sip-ha-anycast}, which stops announcing the site).
 * The two modules never see each other: the application wires the publisher to this listener.
 *
 * <p>Threading: the publisher may call from any one thread at a time; implementations must not block
 * (hand the value to their own thread).
 */
@FunctionalInterface
public interface DestinationsUpListener {

    /**
     * @param upCount destinations currently considered up, {@code 0 <= upCount <= totalCount}
     * @param totalCount destinations configured
     */
    void onDestinationsUp(int upCount, int totalCount);
}
