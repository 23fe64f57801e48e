package io.syncline.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The deployment's node graph ({@code topology:}). Every node of a deployment must have the
 * same topology section.
 *
 * <p>The loader guarantees: at least two distinct node ids; {@code hub} present exactly for
 * {@link TopologyKind#STAR} and one of {@code nodes}; {@code edges} non-empty exactly for
 * {@link TopologyKind#EDGES}, naming only {@code nodes}, and letting every node reach every
 * other. Immutable.
 *
 * @param kind the shape of the graph
 * @param nodes ids of all nodes, this one included; for a ring, in the direction changes travel
 * @param hub the hub of a star
 * @param edges the explicit edges of an {@code edges} topology; empty for the other kinds
 *     (see {@link #links()} for the links of every kind)
 * @param failureTimeout how long a peer may stay silent before it is treated as down; positive
 */
public record TopologyConfig(
        TopologyKind kind, List<String> nodes, Optional<String> hub, List<Edge> edges, Duration failureTimeout) {

    public TopologyConfig {
        Objects.requireNonNull(kind, "kind");
        nodes = List.copyOf(nodes);
        Objects.requireNonNull(hub, "hub");
        edges = List.copyOf(edges);
        Objects.requireNonNull(failureTimeout, "failureTimeout");
        if (kind.needsHub() && hub.isEmpty()) {
            throw new IllegalArgumentException("a " + kind + " topology needs a hub");
        }
    }

    /** Whether {@code nodeId} is one of {@link #nodes()}. */
    public boolean contains(String nodeId) {
        return nodes.contains(nodeId);
    }

    /**
     * Every directed link the topology implies, in a stable order: all ordered pairs for
     * all-to-all; {@code nodes[i] -> nodes[i+1]} and the last to the first for a ring; hub to
     * each spoke and back for a star; {@link #edges()} for explicit edges.
     */
    public List<Edge> links() {
        List<Edge> links = new ArrayList<>();
        switch (kind) {
            case ALL_TO_ALL:
                for (String from : nodes) {
                    for (String to : nodes) {
                        if (!from.equals(to)) {
                            links.add(new Edge(from, to));
                        }
                    }
                }
                break;
            case RING:
                for (int i = 0; i < nodes.size(); i++) {
                    links.add(new Edge(nodes.get(i), nodes.get((i + 1) % nodes.size())));
                }
                break;
            case STAR:
                String center = hub.orElseThrow();
                for (String spoke : nodes) {
                    if (!spoke.equals(center)) {
                        links.add(new Edge(center, spoke));
                        links.add(new Edge(spoke, center));
                    }
                }
                break;
            case EDGES:
                links.addAll(edges);
                break;
            default:
                throw new IllegalStateException("unhandled topology kind " + kind);
        }
        return List.copyOf(links);
    }

    /** The nodes {@code nodeId} reads changes from directly (its upstream peers), in {@link #links()} order. */
    public List<String> upstreamsOf(String nodeId) {
        return links().stream().filter(e -> e.to().equals(nodeId)).map(Edge::from).distinct().toList();
    }

    /** The nodes that read changes from {@code nodeId} directly, in {@link #links()} order. */
    public List<String> downstreamsOf(String nodeId) {
        return links().stream().filter(e -> e.from().equals(nodeId)).map(Edge::to).distinct().toList();
    }
}
