package org.sipha.galera;

/**
 * What one poll of one node saw: its wsrep status variables, or why they could not be read. Immutable.
 *
 * @param node              the node polled
 * @param reachable         {@code false} when connecting or querying failed or timed out
 * @param error             the failure when not reachable, else {@code null}
 * @param clusterStatus     {@code wsrep_cluster_status}: Primary, non-Primary or Disconnected
 * @param ready             {@code wsrep_ready} = ON
 * @param localState        {@code wsrep_local_state}: 1 Joining, 2 Donor/Desynced, 3 Joined, 4 Synced
 * @param localStateComment {@code wsrep_local_state_comment}
 * @param clusterSize       {@code wsrep_cluster_size}
 * @param stateUuid         {@code wsrep_cluster_state_uuid}: the cluster's history; changes on a re-bootstrap
 * @param confId            {@code wsrep_cluster_conf_id}: increases with every membership change
 * @param flowControlPaused {@code wsrep_flow_control_paused}: fraction of time replication was paused
 * @param polledAtNanos     {@link System#nanoTime()} when the answer arrived
 */
public record NodeStatus(
        GaleraNode node,
        boolean reachable,
        String error,
        String clusterStatus,
        boolean ready,
        int localState,
        String localStateComment,
        int clusterSize,
        String stateUuid,
        long confId,
        double flowControlPaused,
        long polledAtNanos) {

    public static final int STATE_DONOR = 2;
    public static final int STATE_SYNCED = 4;

    static NodeStatus unreachable(GaleraNode node, String error, long nowNanos) {
        return new NodeStatus(node, false, error, "unknown", false, 0, "unknown", 0, "", -1, 0, nowNanos);
    }

    public boolean isPrimary() {
        return reachable && "Primary".equals(clusterStatus);
    }

    /** One line for logs and event reasons. */
    public String summary() {
        if (!reachable) {
            return node.name() + " unreachable (" + error + ")";
        }
        return node.name() + " " + clusterStatus + "/" + localStateComment + "/ready=" + (ready ? "ON" : "OFF")
                + "/size=" + clusterSize + "/conf=" + confId;
    }
}
