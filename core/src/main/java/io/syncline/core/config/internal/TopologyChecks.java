package io.syncline.core.config.internal;

import io.syncline.core.config.Edge;
import io.syncline.core.config.TopologyKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The rules that tie the keys of {@code topology:} together; run once each key is valid on its own. */
final class TopologyChecks {

    private final MapReader map;
    private final LoadContext ctx;
    private final TopologyKind kind;
    private final List<String> nodes;

    TopologyChecks(MapReader map, TopologyKind kind, List<String> nodes) {
        this.map = map;
        this.ctx = map.context();
        this.kind = kind;
        this.nodes = nodes;
    }

    void check(Optional<String> hub, List<Edge> edges) {
        checkUniqueNodes();
        checkHub(hub);
        checkEdges(edges);
    }

    private void checkUniqueNodes() {
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Integer earlier = first.putIfAbsent(nodes.get(i), i);
            if (earlier != null) {
                String path = FieldPaths.item(map.child("nodes"), i);
                ctx.error(path, "duplicate node id '" + nodes.get(i) + "' (also at "
                        + FieldPaths.item(map.child("nodes"), earlier) + "); expected each node once");
            }
        }
    }

    private void checkHub(Optional<String> hub) {
        String hubPath = map.child("hub");
        if (kind.needsHub() && hub.isEmpty()) {
            ctx.error(ctx.locationOf(map.child("kind")), hubPath,
                    "missing; a " + kind + " topology needs a hub; expected one of " + nodeList());
        } else if (!kind.needsHub() && hub.isPresent()) {
            ctx.error(ctx.keyLocationOf(hubPath).orElseThrow(), hubPath,
                    "only a star topology has a hub; expected no hub with kind " + kind);
        } else if (hub.isPresent() && !nodes.contains(hub.get())) {
            ctx.error(hubPath, "hub '" + hub.get() + "' is not one of the nodes; expected one of " + nodeList());
        }
    }

    private void checkEdges(List<Edge> edges) {
        String edgesPath = map.child("edges");
        if (kind.needsExplicitEdges() && edges.isEmpty()) {
            ctx.error(ctx.locationOf(map.child("kind")), edgesPath,
                    "missing; an edges topology needs its edges; expected a list of {from: a, to: b}");
            return;
        }
        if (!kind.needsExplicitEdges()) {
            if (!edges.isEmpty()) {
                ctx.error(ctx.keyLocationOf(edgesPath).orElseThrow(), edgesPath,
                        "only kind edges takes explicit edges; expected kind: edges, or no edges with kind " + kind);
            }
            return;
        }
        boolean allKnown = true;
        Set<Edge> seen = new HashSet<>();
        for (int i = 0; i < edges.size(); i++) {
            Edge edge = edges.get(i);
            String itemPath = FieldPaths.item(edgesPath, i);
            allKnown &= known(edge.from(), FieldPaths.child(itemPath, "from"));
            allKnown &= known(edge.to(), FieldPaths.child(itemPath, "to"));
            if (!seen.add(edge)) {
                ctx.error(itemPath, "duplicate edge " + edge + "; expected each edge once");
            }
        }
        if (allKnown) {
            checkEveryNodeReachesEveryOther(edges, edgesPath);
        }
    }

    private boolean known(String node, String path) {
        if (nodes.contains(node)) {
            return true;
        }
        ctx.error(path, "unknown node '" + node + "'" + Suggestions.didYouMean(node, nodes)
                + "; expected one of " + nodeList());
        return false;
    }

    /** A change written anywhere must reach every node, so the directed graph must be strongly connected. */
    private void checkEveryNodeReachesEveryOther(List<Edge> edges, String edgesPath) {
        Map<String, List<String>> out = new HashMap<>();
        edges.forEach(e -> out.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e.to()));
        List<String> gaps = new ArrayList<>();
        for (String source : new LinkedHashSet<>(nodes)) {
            Set<String> reached = new HashSet<>(List.of(source));
            Deque<String> queue = new ArrayDeque<>(reached);
            while (!queue.isEmpty()) {
                for (String next : out.getOrDefault(queue.poll(), List.of())) {
                    if (reached.add(next)) {
                        queue.add(next);
                    }
                }
            }
            List<String> missed = nodes.stream().distinct().filter(n -> !reached.contains(n)).toList();
            if (!missed.isEmpty()) {
                gaps.add("changes from " + source + " never reach " + String.join(", ", missed));
            }
        }
        if (!gaps.isEmpty()) {
            ctx.error(edgesPath, String.join("; ", gaps)
                    + "; expected edges that let every node reach every other, directly or through others");
        }
    }

    private String nodeList() {
        return String.join(", ", nodes.stream().distinct().toList());
    }
}
