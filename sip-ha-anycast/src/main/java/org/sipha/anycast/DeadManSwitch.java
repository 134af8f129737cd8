package org.sipha.anycast;

/**
 * Withdraws the prefix without our help when the deciding JVM dies or stops sending heartbeats.
 *
 * <p>Threading: {@link #start()} and {@link #close()} from the owner; {@link #heartbeat()} and
 * {@link #isAlive()} only from the decision thread (the heartbeat proves that very thread is making progress).
 */
public interface DeadManSwitch extends AutoCloseable {

    /** Arms the switch; returns once it is ready to withdraw. */
    void start() throws AnnouncerException;

    /** Proves the decision thread is alive. Must never block for long. */
    void heartbeat();

    /** False if the switch itself died and needs {@link #start()} again. */
    boolean isAlive();

    /** Disarms: for the relay this closes the pipe, so the relay withdraws and exits. */
    @Override
    void close();

    /** A switch that does nothing, for embedders who accept the risk (or tests of the decision alone). */
    DeadManSwitch NONE = new DeadManSwitch() {
        @Override
        public void start() {}

        @Override
        public void heartbeat() {}

        @Override
        public boolean isAlive() {
            return true;
        }

        @Override
        public void close() {}
    };
}
