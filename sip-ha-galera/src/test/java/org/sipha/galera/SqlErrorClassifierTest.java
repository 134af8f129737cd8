package org.sipha.galera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlErrorClassifierTest {
    @Test
    void wsrepNotPreparedAndLinkLossDemote() {
        assertEquals(
                SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE,
                SqlErrorClassifier.classify(
                        new SQLException("WSREP has not yet prepared node for application use", "08S01", 1047)));
        assertEquals(
                SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE,
                SqlErrorClassifier.classify(new SQLNonTransientConnectionException("Socket timeout", "08000")));
        assertEquals(
                SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE,
                SqlErrorClassifier.classify(
                        new SQLException("Error while appending streaming replication fragment", "HY000", 1180)));
    }

    @Test
    void certificationFailureAndDeadlockRetryWithBackoff() {
        assertEquals(
                SqlErrorClass.RETRY_WITH_BACKOFF,
                SqlErrorClassifier.classify(new SQLException("Deadlock found", "40001", 1213)));
        assertEquals(
                SqlErrorClass.RETRY_WITH_BACKOFF,
                SqlErrorClassifier.classify(
                        new SQLException("wrapped", "HY000", 0, new SQLException("Deadlock found", "40001", 1213))));
    }

    @Test
    void applicationErrorsAreFatal() {
        assertEquals(
                SqlErrorClass.FATAL, SqlErrorClassifier.classify(new SQLException("Duplicate entry", "23000", 1062)));
        assertEquals(SqlErrorClass.FATAL, SqlErrorClassifier.classify(new SQLException("syntax", "42000", 1064)));
    }

    @Test
    void onlyDataAndConstraintErrorsAreDataRejections() {
        assertTrue(SqlErrorClassifier.isDataRejection(new BatchUpdateException(
                "CONSTRAINT `c` failed",
                "23000",
                4025,
                new int[0],
                new SQLIntegrityConstraintViolationException("CONSTRAINT `c` failed", "23000", 4025))));
        assertTrue(SqlErrorClassifier.isDataRejection(new SQLException("Data too long for column", "22001", 1406)));
        assertFalse(SqlErrorClassifier.isDataRejection(new SQLException("Table doesn't exist", "42S02", 1146)));
        assertFalse(SqlErrorClassifier.isDataRejection(new SQLException("read-only", "HY000", 1290)));
        assertFalse(SqlErrorClassifier.isDataRejection(new SQLException("no trusted node", "08001")));
        assertFalse(SqlErrorClassifier.isDataRejection(
                new SQLException("link lost", "08S01", 2013, new SQLException("Data too long", "22001", 1406))));
    }
}
