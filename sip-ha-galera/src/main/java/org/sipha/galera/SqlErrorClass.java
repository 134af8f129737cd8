package org.sipha.galera;

/** What the routing layer does about a {@link java.sql.SQLException}; see {@link SqlErrorClassifier}. */
public enum SqlErrorClass {
    /** The node cannot serve (1047 not prepared, 1180 not in Primary, connection lost): demote it, try another. */
    DEMOTE_AND_RETRY_ELSEWHERE,
    /** Certification failure or deadlock (1213, SQLState 40001) or lock wait timeout (1205): the transaction was
     *  rolled back; run the whole unit of work again after a jittered backoff. */
    RETRY_WITH_BACKOFF,
    /** Anything else (syntax, constraint, ...): the caller's problem; rethrown as is. */
    FATAL
}
