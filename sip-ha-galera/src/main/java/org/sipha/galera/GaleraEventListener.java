package org.sipha.galera;

/**
 * Receives {@link GaleraEvent}s. Called on the client's single event thread, one event at a time and in order;
 * must not block (hand work to your own thread). An exception thrown by a listener is logged and ignored.
 */
@FunctionalInterface
public interface GaleraEventListener {
    void onGaleraEvent(GaleraEvent event);
}
