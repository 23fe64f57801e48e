package io.syncline.topology;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The upstream outboxes one node reads, given which peers are down: always every configured
 * upstream (a link to a dead node just waits and resumes when it returns), and, under
 * {@link ReroutePolicy#BYPASS_DEAD_NODES}, also the upstreams of each dead node the node used to
 * receive through. Immutable.
 *
 * <p>Only the set of links changes with liveness, never the forwarding decisions: those always
 * follow the configured graph ({@link Router}). So every outbox keeps a complete, ordered stream
 * of each origin it carries, and the outboxes in front of a dead node keep collecting what it
 * will need when it returns. Routing the forwards by the bypassed graph instead would lose
 * writes: in a ring a -> b -> c with b down, a would stop forwarding c's changes, and b, back
 * again, would find them in no outbox it reads; and an origin's stream in an outbox with holes in
 * it would let a reader apply a later transaction before an earlier one arrived by another path,
 * after which the applied position skips the earlier one.
 *
 * @param localNode the node the plan is for
 * @param dead      the peers considered down
 * @param links     upstream node -> the dead nodes this link stands in for (empty for a configured link), in
 *                  upstream order
 */
public record RoutePlan(String localNode, Set<String> dead, Map<String, Set<String>> links) {

    public RoutePlan {
        dead = Collections.unmodifiableSet(new TreeSet<>(dead));
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        links.forEach((upstream, bypassed) -> copy.put(upstream, Collections.unmodifiableSet(new TreeSet<>(bypassed))));
        links = Collections.unmodifiableMap(copy);
    }

    /**
     * The plan for {@code localNode} in {@code configured} when {@code dead} are down.
     *
     * @param dead peers considered down; this node and unknown ids are ignored
     */
    public static RoutePlan compute(TopologyGraph configured, ReroutePolicy policy, String localNode, Set<String> dead) {
        Set<String> down = new TreeSet<>(dead);
        down.remove(localNode);
        down.retainAll(configured.nodes());
        Map<String, Set<String>> links = new LinkedHashMap<>();
        for (String upstream : configured.predecessorsOf(localNode)) {
            links.put(upstream, Set.of());
        }
        if (policy == ReroutePolicy.BYPASS_DEAD_NODES) {
            TopologyGraph effective = configured;
            for (String node : down) {
                effective = effective.bypassing(node);
            }
            for (String upstream : effective.predecessorsOf(localNode)) {
                if (!links.containsKey(upstream)) {
                    links.put(upstream, standsInFor(configured, down, upstream, localNode));
                }
            }
        }
        return new RoutePlan(localNode, down, links);
    }

    /** The dead nodes on the configured paths from {@code upstream} to {@code localNode} that run through dead nodes only. */
    private static Set<String> standsInFor(TopologyGraph configured, Set<String> down, String upstream, String localNode) {
        Set<String> result = new TreeSet<>();
        Deque<List<String>> queue = new ArrayDeque<>();
        queue.add(List.of(upstream));
        while (!queue.isEmpty()) {
            List<String> path = queue.poll();
            for (String next : configured.successorsOf(path.get(path.size() - 1))) {
                if (next.equals(localNode) && path.size() > 1) {
                    result.addAll(path.subList(1, path.size()));
                } else if (down.contains(next) && !path.contains(next)) {
                    List<String> longer = new ArrayList<>(path);
                    longer.add(next);
                    queue.add(longer);
                }
            }
        }
        return result;
    }

    /** Every upstream this node reads. */
    public Set<String> upstreams() {
        return links.keySet();
    }

    /** The links that exist only because nodes are down. */
    public Map<String, Set<String>> bypassLinks() {
        Map<String, Set<String>> result = new LinkedHashMap<>();
        links.forEach((upstream, bypassed) -> {
            if (!bypassed.isEmpty()) {
                result.put(upstream, bypassed);
            }
        });
        return Collections.unmodifiableMap(result);
    }

    /** One line for logs and status, e.g. {@code reading dc-b; dc-a instead of dc-b (down)}. */
    public String describe() {
        StringBuilder text = new StringBuilder("reading ");
        String separator = "";
        for (Map.Entry<String, Set<String>> link : links.entrySet()) {
            text.append(separator).append(link.getKey());
            if (!link.getValue().isEmpty()) {
                text.append(" (instead of ").append(String.join(", ", link.getValue())).append(", down)");
            } else if (dead.contains(link.getKey())) {
                text.append(" (down, waiting)");
            }
            separator = ", ";
        }
        return text.toString();
    }
}
