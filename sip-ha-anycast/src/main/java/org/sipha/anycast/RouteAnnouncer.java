package org.sipha.anycast;

import java.util.List;
import java.util.Optional;

/**
 * Makes one routing daemon announce, drain or withdraw the anycast prefix, through the daemon's own interface.
 *
 * <p>Threading: an instance is owned by one thread (the {@link AnycastController}'s decision thread, or the
 * dead-man relay's main thread). It is not thread-safe and needs no locking because nothing else calls it.
 *
 * <p>Implementations must be idempotent: {@link #apply} with the state the daemon is already in succeeds and
 * changes nothing, because reconciliation re-applies the desired state whenever it cannot prove it is in place.
 */
public interface RouteAnnouncer extends AutoCloseable {

    /** Short name for logs, e.g. {@code bird:/run/bird/bird.ctl}. */
    String name();

    /**
     * Brings the daemon to {@code target}. Returns once the daemon has accepted the change (for BIRD, once its
     * reply says the protocol is enabled/disabled, i.e. the route left its table; the UPDATE follows within ~1 ms).
     *
     * @throws AnnouncerException if the daemon is unreachable or its reply is an error; the caller retries
     */
    void apply(RouteAnnouncement target) throws AnnouncerException;

    /**
     * What the daemon is doing now, read back from it, for reconciliation after the daemon restarts.
     *
     * @return empty if this announcer has no way to read the daemon's state (the caller then re-applies
     *         periodically instead)
     * @throws AnnouncerException if the daemon is unreachable or answers something unexpected
     */
    Optional<RouteAnnouncement> observe() throws AnnouncerException;

    /**
     * Arguments from which {@link AnnouncerSpec#parse} rebuilds an equivalent announcer in another process:
     * the dead-man relay uses them to withdraw when the deciding JVM dies or hangs.
     */
    List<String> spec();

    /**
     * Runs the code path of {@link #apply} without changing what the daemon announces, so that the first real
     * call in a freshly started process (the dead-man relay's one withdraw) does not pay for class loading.
     * Must only be called while nothing else changes the daemon's state. Default: nothing.
     */
    default void warmUp() throws AnnouncerException {}

    /**
     * Re-opens a connection the daemon may have dropped (e.g. it restarted), without changing what it announces,
     * so that the next {@link #apply} is a single exchange. Default: nothing (stateless announcers).
     */
    default void refreshConnection() throws AnnouncerException {}

    /** Releases connections; does not change what the daemon announces. */
    @Override
    void close();
}
