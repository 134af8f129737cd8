package org.sipha.dispatcher.engine;

import java.util.Objects;

/**
 * Where the event loops find the Record-Route keys they sign and verify with, so a deployment rotates its key
 * while it runs: {@link #publish} replaces the {@link RecordRouteKeys} snapshot whole; each loop's signers load it
 * once per message (one volatile read) and rebuild their MAC state on the loop's own thread when it changed, so
 * no message ever sees half a rotation and the message path takes no lock.
 *
 * <p>A rotation that drops no dialog: publish (new as previous, old as current) on every proxy, then (new as
 * current, old as previous) once all of them accept the new key; a token signed with either then verifies
 * everywhere. Any thread may call any method.
 */
public final class RecordRouteKeyRing {
    private volatile RecordRouteKeys keys;

    /** A ring holding {@code initial}. */
    public RecordRouteKeyRing(RecordRouteKeys initial) {
        this.keys = Objects.requireNonNull(initial, "initial");
    }

    /** The keys in force. */
    public RecordRouteKeys keys() {
        return keys;
    }

    /** Makes {@code next} the keys in force; every loop uses them from its next message on. */
    public void publish(RecordRouteKeys next) {
        keys = Objects.requireNonNull(next, "next");
    }
}
