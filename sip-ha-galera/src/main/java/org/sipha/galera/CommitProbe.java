package org.sipha.galera;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Decides a unit of work whose commit outcome is unknown (the link broke during COMMIT), typically by looking
 * up the caller's idempotency key. Runs on another node, in a session with {@code wsrep_sync_wait=1} so it sees
 * every transaction the cluster committed before it.
 *
 * @param <T> result type of the unit of work
 */
@FunctionalInterface
public interface CommitProbe<T> {
    /** @return the committed result if the unit of work is found committed; empty to run it again. */
    Optional<T> findCommitted(Connection connection) throws SQLException;

    /** For units of work that are idempotent by construction (e.g. INSERT IGNORE on a unique key): always rerun. */
    static <T> CommitProbe<T> idempotentWork() {
        return c -> Optional.empty();
    }
}
