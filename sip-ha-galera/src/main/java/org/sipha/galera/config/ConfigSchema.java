package org.sipha.galera.config;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The tables configuration versions live in (documented in docs/configuration.md). Every table has a primary key,
 * as Galera's row-based replication needs. {@code CREATE TABLE IF NOT EXISTS} runs as a total-order DDL on Galera,
 * so any number of proxies may ensure the schema at once. Stateless; any thread.
 */
public final class ConfigSchema {
    /** One row per version; a version is never changed once committed. */
    public static final String VERSION_TABLE = "CREATE TABLE IF NOT EXISTS sipha_config_version ("
            + " version BIGINT NOT NULL PRIMARY KEY,"
            + " publish_id CHAR(36) NOT NULL UNIQUE,"
            + " created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),"
            + " created_by VARCHAR(128) NOT NULL DEFAULT '',"
            + " comment VARCHAR(1024) NOT NULL DEFAULT '',"
            + " rolled_back_from BIGINT NOT NULL DEFAULT 0,"
            + " rr_secret VARBINARY(1024) NULL,"
            + " rr_previous_secret VARBINARY(1024) NULL"
            + ") ENGINE=InnoDB";

    /** The destination rows of each version: Kamailio's {@code dispatcher} table columns plus version and line. */
    public static final String DISPATCHER_TABLE = "CREATE TABLE IF NOT EXISTS sipha_config_dispatcher ("
            + " version BIGINT NOT NULL,"
            + " line INT NOT NULL,"
            + " setid INT NOT NULL,"
            + " destination VARCHAR(512) NOT NULL,"
            + " flags INT NOT NULL DEFAULT 0,"
            + " priority INT NOT NULL DEFAULT 0,"
            + " attrs VARCHAR(1024) NOT NULL DEFAULT '',"
            + " description VARCHAR(255) NOT NULL DEFAULT '',"
            + " PRIMARY KEY (version, line)"
            + ") ENGINE=InnoDB";

    /** One row (id 1): the version in force. Proxies poll it; a publish moves it in the same transaction. */
    public static final String ACTIVE_TABLE = "CREATE TABLE IF NOT EXISTS sipha_config_active ("
            + " id TINYINT NOT NULL PRIMARY KEY,"
            + " version BIGINT NOT NULL,"
            + " activated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
            + ") ENGINE=InnoDB";

    /** MariaDB's "table doesn't exist": nothing has been published yet. */
    static final int NO_SUCH_TABLE = 1146;

    private ConfigSchema() {}

    /** Every DDL statement, in order. */
    public static List<String> statements() {
        return List.of(VERSION_TABLE, DISPATCHER_TABLE, ACTIVE_TABLE);
    }

    /** Creates the tables that do not exist yet. Runs in autocommit mode (DDL commits by itself). */
    public static void ensure(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String ddl : statements()) {
                st.execute(ddl);
            }
        }
    }
}
