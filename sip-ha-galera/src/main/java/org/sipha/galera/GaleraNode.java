package org.sipha.galera;

import java.util.Objects;

/**
 * One Galera database node the client may use: a stable name (used in events and logs) and its SQL endpoint.
 *
 * @param name  unique name, e.g. the node's {@code wsrep_node_name}
 * @param host  host or IP of the SQL endpoint
 * @param port  SQL port
 */
public record GaleraNode(String name, String host, int port) {
    public GaleraNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (name.isBlank() || host.isBlank()) {
            throw new IllegalArgumentException("blank node name or host");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** JDBC URL for this node and database, without credentials or options. */
    public String jdbcUrl(String database) {
        return "jdbc:mariadb://" + host + ":" + port + "/" + database;
    }
}
