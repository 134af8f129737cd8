package org.sipha.admin;

import java.util.List;
import java.util.Objects;

/**
 * What an action did, answered as JSON. Immutable.
 *
 * @param httpStatus 200 when done, 202 when started, 400 for an invalid request or file (nothing changed), 404 for
 *                   an unknown destination, 409 when the action does not apply, 503 when the node cannot do it now
 * @param message    what happened, or why not
 * @param applied    whether anything was changed
 * @param changes    for a reload: what it changes (or would change), one line each, e.g.
 *                   {@code ADDED set 1 destination pbx3 (sip:10.0.0.13:5060)}; empty otherwise
 */
public record ActionResult(int httpStatus, String message, boolean applied, List<String> changes) {
    public ActionResult {
        Objects.requireNonNull(message, "message");
        changes = List.copyOf(changes);
    }

    /** Done: 200 with {@code message}. */
    public static ActionResult done(String message) {
        return new ActionResult(200, message, true, List.of());
    }

    /** Refused with {@code httpStatus}: nothing changed. */
    public static ActionResult refused(int httpStatus, String message) {
        return new ActionResult(httpStatus, message, false, List.of());
    }
}
