package org.sipha.core.accounting;

/** Takes the events a {@link CallEventRing} drains; called on the draining thread. */
@FunctionalInterface
public interface CallEventHandler {
    /** {@code event} is valid only during this call: copy what you keep. */
    void onEvent(CallEvent event);
}
