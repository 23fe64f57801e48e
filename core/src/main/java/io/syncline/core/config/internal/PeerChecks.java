package io.syncline.core.config.internal;

import io.syncline.core.config.PeerConfig;
import io.syncline.core.config.TopologyConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code peers} against the topology: only other nodes of it, each once, and every node this one reads from. */
final class PeerChecks {

    private PeerChecks() {}

    static void check(String self, TopologyConfig topology, List<PeerConfig> peers, LoadContext ctx) {
        List<String> others = topology.nodes().stream().filter(n -> !n.equals(self)).distinct().toList();
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < peers.size(); i++) {
            String id = peers.get(i).id();
            String idPath = FieldPaths.child(FieldPaths.item("peers", i), "id");
            Integer earlier = first.putIfAbsent(id, i);
            if (id.equals(self)) {
                ctx.error(idPath, "'" + id + "' is this node itself (node.id); expected only the other nodes: "
                        + String.join(", ", others));
            } else if (earlier != null) {
                ctx.error(idPath, "duplicate peer '" + id + "' (also peers[" + earlier + "]); expected each peer once");
            } else if (!topology.contains(id)) {
                ctx.error(idPath, "'" + id + "' is not in topology.nodes" + Suggestions.didYouMean(id, others)
                        + "; expected one of " + String.join(", ", others));
            }
        }
        List<String> upstreams = topology.upstreamsOf(self);
        for (String other : others) {
            if (first.containsKey(other)) {
                continue;
            }
            if (upstreams.contains(other)) {
                ctx.error(ctx.keyLocationOf("peers").orElseGet(() -> ctx.locationOf("topology")), "peers",
                        "no entry for " + other + ", which this node reads from in the " + topology.kind()
                                + "; expected a peer {id: " + other + ", kafka: {bootstrap-servers: ...}}");
            } else {
                ctx.warn("peers", "no entry for " + other + " (not read directly in this " + topology.kind()
                        + "); expected every other node, so that links can be re-routed around a failed node");
            }
        }
    }
}
