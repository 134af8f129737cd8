package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;

import org.junit.jupiter.api.Test;

class SqlErrorClassifierTest {
    @Test
    void wsrepNotPreparedAndLinkLossDemote() {
        assertEquals(SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE, SqlErrorClassifier.classify(
                new SQLException("WSREP has not yet prepared node for application use", "08S01", 1047)));
        assertEquals(SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE,
                SqlErrorClassifier.classify(new SQLNonTransientConnectionException("Socket timeout", "08000")));
        assertEquals(SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE, SqlErrorClassifier.classify(
                new SQLException("Error while appending streaming replication fragment", "HY000", 1180)));
    }

    @Test
    void certificationFailureAndDeadlockRetryWithBackoff() {
        assertEquals(SqlErrorClass.RETRY_WITH_BACKOFF,
                SqlErrorClassifier.classify(new SQLException("Deadlock found", "40001", 1213)));
        assertEquals(SqlErrorClass.RETRY_WITH_BACKOFF,
                SqlErrorClassifier.classify(new SQLException("wrapped", "HY000", 0,
                        new SQLException("Deadlock found", "40001", 1213))));
    }

    @Test
    void applicationErrorsAreFatal() {
        assertEquals(SqlErrorClass.FATAL,
                SqlErrorClassifier.classify(new SQLException("Duplicate entry", "23000", 1062)));
        assertEquals(SqlErrorClass.FATAL,
                SqlErrorClassifier.classify(new SQLException("syntax", "42000", 1064)));
    }
}
