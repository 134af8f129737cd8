package org.sipha.galera;

/**
 * Where one node's poll results come from ({@link NodeStatusQuery} over JDBC in production). Confined to that
 * node's poll thread.
 */
interface NodeStatusSource extends AutoCloseable {
    /** Polls once; returns within the poll timeout, unreachable rather than throwing on a failure. */
    NodeStatus poll();

    @Override
    void close();
}
