package org.sipha.admin;

/**
 * What an operator may change through the admin endpoint, implemented by whoever wires the node. Called on the
 * endpoint's threads (serialised by the endpoint: one action at a time); each returns once its change is applied,
 * or started for those that take time (a node drain), with what it did.
 */
public interface NodeActions {
    /** What to do with a destination. */
    enum DestinationCommand {
        /** Back to what health checking finds. */
        ENABLE,
        /** No new calls; calls in progress and dialogs go on. */
        DISABLE,
        /** No new calls while the calls in progress finish; shown as draining. */
        DRAIN
    }

    /** Applies {@code command} to destination {@code destinationId} (404 if there is none). */
    ActionResult destination(String destinationId, DestinationCommand command);

    /** Stops the node from taking new calls (and takes it out of anycast first, if it announces a prefix). */
    ActionResult drainNode();

    /**
     * Reads the destination list from its file again, validates it and, unless {@code dryRun}, applies it at once
     * (destinations that stay keep their state, calls and statistics). Returns the changes; an invalid file
     * changes nothing and says why (400).
     */
    ActionResult reload(boolean dryRun);
}
