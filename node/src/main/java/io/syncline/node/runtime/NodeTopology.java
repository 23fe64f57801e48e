package io.syncline.node.runtime;

import io.syncline.core.config.Edge;
import io.syncline.core.config.TopologyConfig;
import io.syncline.topology.TopologyGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The replication graph a node's configuration describes. */
final class NodeTopology {

    private NodeTopology() {}

    static TopologyGraph graphOf(TopologyConfig topology) {
        Map<String, List<String>> edges = new LinkedHashMap<>();
        for (Edge edge : topology.links()) {
            edges.computeIfAbsent(edge.from(), k -> new ArrayList<>()).add(edge.to());
        }
        return TopologyGraph.of(topology.nodes(), edges);
    }
}
