package org.sipha.examples.proxy;

import java.util.Locale;
import org.sipha.admin.StateChange;
import org.sipha.admin.StateChangeLog;
import org.sipha.core.model.DestinationState;
import org.sipha.health.HealthEvent;
import org.sipha.health.HealthListener;

/**
 * Health checking's events as state changes for the admin endpoint: a destination's state with its cause, and a
 * set entering or leaving panic. Called on the health thread; records with one atomic increment, never blocks.
 */
final class HealthChangeLog implements HealthListener {
    private final StateChangeLog log;

    HealthChangeLog(StateChangeLog log) {
        this.log = log;
    }

    @Override
    public void onHealthEvent(HealthEvent e) {
        log.record(new StateChange(
                System.currentTimeMillis(),
                e.destinationId(),
                e.previousState() == null ? "" : word(e.previousState().name()),
                word(e.state().name()) + (e.healthy() || e.state() != DestinationState.ACTIVE ? "" : " (failing open)"),
                word(e.cause().name())));
    }

    @Override
    public void onPanic(String setName, boolean entered, int outCount, int enabledCount, long timeNs) {
        log.record(new StateChange(
                System.currentTimeMillis(),
                "set " + setName,
                entered ? "normal" : "panic",
                entered ? "panic" : "normal",
                outCount + " of " + enabledCount + " enabled destinations failing"
                        + (entered ? ": failing open" : "")));
    }

    /** {@code PROBE_TIMEOUT} as {@code probe timeout}. */
    static String word(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
