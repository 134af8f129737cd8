package org.sipha.galera;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A transaction body run by {@link GaleraRoutingDataSource#execute}. The connection is in manual-commit mode;
 * do not commit, roll back or close it: the data source does. The body may run more than once (on another node
 * or after a certification failure), so it must not have side effects outside the database.
 *
 * @param <T> result type
 */
@FunctionalInterface
public interface UnitOfWork<T> {
    T run(Connection connection) throws SQLException;
}
