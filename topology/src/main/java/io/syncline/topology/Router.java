package io.syncline.topology;

import java.util.List;
import java.util.Set;

/**
 * Loop prevention and forwarding for one node (docs/protocol.md, "An outbox record"): a transaction
 * whose path already holds this node is dropped; otherwise it is applied, and forwarded when a
 * downstream node that is not yet on its path does not read the origin directly. Forwarding
 * does not depend on how the local conflict resolution went: every node must see every version
 * to converge. Immutable and thread-safe.
 *
 * <p>Give it the <em>configured</em> graph, also while peers are down: re-routing around a dead
 * node adds links ({@link RoutePlan}) but must not change what is forwarded, or the outboxes in
 * front of the dead node would miss what it needs when it returns.
 */
public final class Router {

    private final TopologyGraph graph;
    private final String localNode;

    public Router(TopologyGraph graph, String localNode) {
        if (!graph.nodes().contains(localNode)) {
            throw new IllegalArgumentException("node " + localNode + " is not in the topology " + graph.nodes());
        }
        this.graph = graph;
        this.localNode = localNode;
    }

    /** The upstream nodes whose outboxes this node reads. */
    public Set<String> upstreams() {
        return graph.predecessorsOf(localNode);
    }

    public RoutingDecision decide(String originNode, List<String> path) {
        if (originNode.equals(localNode)) {
            return new RoutingDecision(false, false, "own change came back");
        }
        if (path.contains(localNode)) {
            return new RoutingDecision(false, false, "already passed through " + localNode);
        }
        Set<String> direct = graph.nodes().contains(originNode) ? graph.successorsOf(originNode) : Set.of();
        for (String downstream : graph.successorsOf(localNode)) {
            if (!path.contains(downstream) && !downstream.equals(originNode) && !direct.contains(downstream)) {
                return new RoutingDecision(true, true, downstream + " gets " + originNode + "'s changes through " + localNode);
            }
        }
        return new RoutingDecision(true, false, "no downstream needs it from " + localNode);
    }

    public TopologyGraph graph() {
        return graph;
    }
}
