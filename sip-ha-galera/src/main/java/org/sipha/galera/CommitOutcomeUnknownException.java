package org.sipha.galera;

import java.sql.SQLException;

/** The link broke during COMMIT and the caller gave no {@link CommitProbe}: it may or may not have committed. */
public final class CommitOutcomeUnknownException extends SQLException {
    private static final long serialVersionUID = 1L;

    public CommitOutcomeUnknownException(String node, SQLException cause) {
        super(
                "commit outcome unknown on " + node + "; pass a CommitProbe (idempotency key) to resolve it",
                "08007",
                cause);
    }
}
