package io.syncline.topology;

import io.syncline.core.config.Edge;
import io.syncline.core.config.TopologyConfig;
import io.syncline.core.config.TopologyKind;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The replication graph: a directed edge {@code a -> b} means changes flow from {@code a} to
 * {@code b}, i.e. {@code b} reads {@code a}'s outbox. All-to-all, ring and star are special
 * cases built by the factory methods. Immutable and thread-safe.
 */
public final class TopologyGraph {

    private final List<String> nodes;
    private final Map<String, Set<String>> successors;

    private TopologyGraph(List<String> nodes, Map<String, Set<String>> successors) {
        this.nodes = List.copyOf(nodes);
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        for (String node : nodes) {
            copy.put(node, Collections.unmodifiableSet(new TreeSet<>(successors.getOrDefault(node, Set.of()))));
        }
        this.successors = Collections.unmodifiableMap(copy);
    }

    /** The graph a node's configuration describes (see {@link TopologyConfig#links()}). */
    public static TopologyGraph of(TopologyConfig topology) {
        Map<String, List<String>> edges = new LinkedHashMap<>();
        for (Edge edge : topology.links()) {
            edges.computeIfAbsent(edge.from(), k -> new ArrayList<>()).add(edge.to());
        }
        return of(topology.nodes(), edges);
    }

    /** Every node sends its own changes to every other node. */
    public static TopologyGraph allToAll(List<String> nodes) {
        return of(shape(TopologyKind.ALL_TO_ALL, nodes, Optional.empty()));
    }

    /** Each node sends to the next in list order, the last to the first. */
    public static TopologyGraph ring(List<String> nodes) {
        return of(shape(TopologyKind.RING, nodes, Optional.empty()));
    }

    /** Leaves exchange changes only with the hub, which forwards them to the other leaves. */
    public static TopologyGraph star(String hub, List<String> nodes) {
        if (!nodes.contains(hub)) {
            throw new IllegalArgumentException("hub " + hub + " is not one of the nodes " + nodes);
        }
        return of(shape(TopologyKind.STAR, nodes, Optional.of(hub)));
    }

    /** A topology of one kind, only for its links (the failure timeout does not shape the graph). */
    private static TopologyConfig shape(TopologyKind kind, List<String> nodes, Optional<String> hub) {
        return new TopologyConfig(kind, distinct(nodes), hub, List.of(), Duration.ofSeconds(1));
    }

    /** An explicit directed graph; {@code edges} maps a node to the nodes it sends to. */
    public static TopologyGraph of(List<String> nodes, Map<String, ? extends Collection<String>> edges) {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        edges.forEach((from, to) -> {
            requireKnown(nodes, from);
            to.forEach(t -> requireKnown(nodes, t));
            copy.put(from, new LinkedHashSet<>(to));
        });
        return new TopologyGraph(distinct(nodes), copy);
    }

    public List<String> nodes() {
        return nodes;
    }

    /** The nodes that read {@code node}'s outbox. */
    public Set<String> successorsOf(String node) {
        requireKnown(nodes, node);
        return successors.get(node);
    }

    /** The nodes whose outboxes {@code node} reads. */
    public Set<String> predecessorsOf(String node) {
        requireKnown(nodes, node);
        Set<String> result = new TreeSet<>();
        successors.forEach((from, to) -> {
            if (to.contains(node)) {
                result.add(from);
            }
        });
        return Collections.unmodifiableSet(result);
    }

    /** Pairs (from, to) such that a change made at {@code from} can never reach {@code to}. */
    public List<List<String>> unreachablePairs() {
        List<List<String>> missing = new ArrayList<>();
        for (String from : nodes) {
            Set<String> reached = reachableFrom(from);
            for (String to : nodes) {
                if (!reached.contains(to)) {
                    missing.add(List.of(from, to));
                }
            }
        }
        return missing;
    }

    /**
     * The graph with {@code node} taken out and its predecessors connected to its successors,
     * so that changes flow around it (a ring closes around a dead member).
     */
    public TopologyGraph bypassing(String node) {
        requireKnown(nodes, node);
        Set<String> predecessors = predecessorsOf(node);
        Set<String> successorsOfDead = successors.get(node);
        Map<String, Set<String>> edges = new LinkedHashMap<>();
        for (String from : nodes) {
            if (from.equals(node)) {
                continue;
            }
            Set<String> to = new LinkedHashSet<>(successors.get(from));
            to.remove(node);
            if (predecessors.contains(from)) {
                to.addAll(successorsOfDead);
                to.remove(from);
                to.remove(node);
            }
            edges.put(from, to);
        }
        List<String> remaining = new ArrayList<>(nodes);
        remaining.remove(node);
        return new TopologyGraph(remaining, edges);
    }

    private Set<String> reachableFrom(String start) {
        Set<String> seen = new LinkedHashSet<>(List.of(start));
        Deque<String> queue = new ArrayDeque<>(seen);
        while (!queue.isEmpty()) {
            for (String next : successors.get(queue.poll())) {
                if (seen.add(next)) {
                    queue.add(next);
                }
            }
        }
        return seen;
    }

    private static List<String> distinct(List<String> nodes) {
        Set<String> unique = new LinkedHashSet<>(nodes);
        if (unique.size() != nodes.size()) {
            throw new IllegalArgumentException("duplicate node ids in " + nodes);
        }
        return new ArrayList<>(unique);
    }

    private static void requireKnown(List<String> nodes, String node) {
        if (!nodes.contains(node)) {
            throw new IllegalArgumentException("unknown node " + node + "; the topology has " + nodes);
        }
    }

    @Override
    public String toString() {
        return successors.toString();
    }
}
