package org.sipha.galera;

import java.util.ArrayList;
import java.util.List;

/**
 * Immutable snapshot of what the client believes about the cluster, replaced whole by the event thread after
 * every evaluation; any thread reads it with one volatile load ({@link GaleraQuorumClient#view()}).
 *
 * @param nodes        one entry per configured node, in configuration order
 * @param siteQuorate  {@code true} when at least one node is up
 * @param localNode    name of the preferred node
 */
public record ClusterView(List<NodeView> nodes, boolean siteQuorate, String localNode) {

    /**
     * One node's verdict.
     *
     * @param node     the node
     * @param up       trusted for writes now
     * @param reason   why (the last observation's verdict)
     * @param status   the last poll result, or {@code null} before the first poll
     */
    public record NodeView(GaleraNode node, boolean up, String reason, NodeStatus status) {}

    /** Nodes that are up, the local node first, then the others in configuration order. */
    public List<GaleraNode> usableNodesLocalFirst() {
        List<GaleraNode> out = new ArrayList<>(nodes.size());
        for (NodeView v : nodes) {
            if (v.up() && v.node().name().equals(localNode)) {
                out.add(v.node());
            }
        }
        for (NodeView v : nodes) {
            if (v.up() && !v.node().name().equals(localNode)) {
                out.add(v.node());
            }
        }
        return out;
    }

    /** The entry of the named node, or {@code null}. */
    public NodeView node(String name) {
        for (NodeView v : nodes) {
            if (v.node().name().equals(name)) {
                return v;
            }
        }
        return null;
    }
}
