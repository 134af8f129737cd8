package org.sipha.benchmarks.drill;

/**
 * What the drill does to a site's proxy and its announcement: the site node under test, or the anchor (Kamailio
 * announced by the standalone watchdog). The drill's thread.
 */
interface SiteProxy {
    /** Starts the proxy and whatever announces the site; returns at once (the drill waits for the route). */
    void start();

    /** SIGKILL to the proxy process. */
    void kill();

    /** SIGSTOP to the proxy process. */
    void hang();

    /** SIGCONT after {@link #hang()}. */
    void resume();

    /** SIGKILL to the site's BGP speaker. */
    void killSpeaker();

    /** The planned maintenance: drain, then stop (SIGTERM), waiting until it exited. */
    void plannedStop();

    String describe();
}
