package org.sipha.galera;

import java.sql.SQLException;

/** No node is trusted for writes (site not quorate), or every candidate failed, or the attempts ran out. */
public final class NoQuorateNodeException extends SQLException {
    private static final long serialVersionUID = 1L;

    public NoQuorateNodeException(String message) {
        super(message, "08001");
    }
}
