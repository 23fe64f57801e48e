package io.syncline.core.config.internal;

import io.syncline.core.config.ConflictRule;
import io.syncline.core.config.TopologyConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An origin-priority ranking must rank every node of the topology exactly once: a node left
 * out would have no rank, and every node must resolve the same conflict the same way.
 */
final class OriginPriorityCheck {

    private OriginPriorityCheck() {}

    /**
     * @param rulePath path of the mapping holding the rule, e.g. {@code tables[0].conflict}
     */
    static void check(ConflictRule rule, String rulePath, TopologyConfig topology, LoadContext ctx) {
        if (!rule.policy().needsOriginPriority()) {
            return;
        }
        String path = FieldPaths.child(rulePath, RuleFields.ORIGIN_PRIORITY.key());
        List<String> ranking = rule.originPriority();
        List<String> nodes = topology.nodes();
        String expected = "; expected every node of topology.nodes exactly once: " + String.join(", ", nodes);
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < ranking.size(); i++) {
            String node = ranking.get(i);
            String itemPath = FieldPaths.item(path, i);
            Integer earlier = first.putIfAbsent(node, i);
            if (earlier != null) {
                ctx.error(itemPath, "ranks '" + node + "' twice (also " + FieldPaths.item(path, earlier) + ")" + expected);
            } else if (!topology.contains(node)) {
                ctx.error(itemPath, "unknown node '" + node + "'" + Suggestions.didYouMean(node, nodes) + expected);
            }
        }
        List<String> unranked = nodes.stream().filter(n -> !ranking.contains(n)).toList();
        if (!unranked.isEmpty()) {
            ctx.error(path, "does not rank " + String.join(", ", unranked) + expected);
        }
    }
}
