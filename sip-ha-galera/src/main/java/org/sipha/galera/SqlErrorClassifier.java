package org.sipha.galera;

import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Classifies SQL errors seen on a Galera node. Stateless and thread-safe.
 *
 * <p>Note that MariaDB reports 1047 "WSREP has not yet prepared node for application use" with SQLState 08S01,
 * the same state as a broken link: both mean "this node, not this transaction, is the problem".
 */
public final class SqlErrorClassifier {
    public static final int ER_UNKNOWN_COM_ERROR = 1047;
    public static final int ER_ERROR_DURING_COMMIT = 1180;
    public static final int ER_LOCK_WAIT_TIMEOUT = 1205;
    public static final int ER_LOCK_DEADLOCK = 1213;
    public static final int CR_SERVER_GONE = 2006;
    public static final int CR_SERVER_LOST = 2013;

    private SqlErrorClassifier() {}

    /** Classifies the first SQLException in the cause/next chain that is not FATAL, else FATAL. */
    public static SqlErrorClass classify(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                SqlErrorClass c = classifyOne(s);
                if (c != SqlErrorClass.FATAL) {
                    return c;
                }
                SQLException next = s.getNextException();
                if (next != null && next != s) {
                    SqlErrorClass cn = classifyOne(next);
                    if (cn != SqlErrorClass.FATAL) {
                        return cn;
                    }
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return SqlErrorClass.FATAL;
    }

    /**
     * Whether the database refused the data itself: a FATAL error with SQLState class 22 (data exception) or 23
     * (integrity constraint violation). The same rows are refused on any node and on every retry. Other FATAL
     * errors (a missing table, a privilege, read-only) concern every row alike, so they do not count.
     */
    public static boolean isDataRejection(SQLException e) {
        if (classify(e) != SqlErrorClass.FATAL) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s && (isDataError(s) || isDataError(s.getNextException()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDataError(SQLException s) {
        if (s == null) {
            return false;
        }
        String state = s.getSQLState() == null ? "" : s.getSQLState();
        return s instanceof SQLDataException
                || s instanceof SQLIntegrityConstraintViolationException
                || state.startsWith("22")
                || state.startsWith("23");
    }

    private static SqlErrorClass classifyOne(SQLException s) {
        int code = s.getErrorCode();
        String state = s.getSQLState() == null ? "" : s.getSQLState();
        if (code == ER_LOCK_DEADLOCK || state.equals("40001") || code == ER_LOCK_WAIT_TIMEOUT) {
            return SqlErrorClass.RETRY_WITH_BACKOFF;
        }
        if (code == ER_UNKNOWN_COM_ERROR
                || code == ER_ERROR_DURING_COMMIT
                || code == CR_SERVER_GONE
                || code == CR_SERVER_LOST
                || state.startsWith("08")
                || s instanceof SQLNonTransientConnectionException
                || s instanceof SQLTransientConnectionException) {
            return SqlErrorClass.DEMOTE_AND_RETRY_ELSEWHERE;
        }
        return SqlErrorClass.FATAL;
    }
}
