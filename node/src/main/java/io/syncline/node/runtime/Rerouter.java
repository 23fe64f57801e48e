package io.syncline.node.runtime;

import io.syncline.topology.HeartbeatSource;
import io.syncline.topology.LivenessTracker;
import io.syncline.topology.ReroutePolicy;
import io.syncline.topology.RoutePlan;
import io.syncline.topology.TopologyGraph;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node's set of links in line with which peers are alive: on every change of the down
 * set it computes a new {@link RoutePlan}, starts the links the plan adds, stops the ones it no
 * longer has (configured links are never stopped) and says so in the log. The state lives here
 * (the current plan) and in the {@link LivenessTracker}; the links themselves are the caller's.
 *
 * <p>Thread-safe: one monitoring thread calls {@link #check}, others read {@link #plan}.
 */
final class Rerouter {

    /** Starts and stops the node's links. Called with the rerouter's lock held, from one thread at a time. */
    interface Links {
        /** Starts reading {@code upstream}'s outbox; {@code standsInFor} is empty for a configured link. */
        void start(String upstream, Set<String> standsInFor);

        /** Stops the link from {@code upstream} once it finished the batch in hand. */
        void stop(String upstream);
    }

    private static final Logger log = LoggerFactory.getLogger(Rerouter.class);

    private final String localNode;
    private final TopologyGraph configured;
    private final ReroutePolicy policy;
    private final Optional<String> hub;
    private final LivenessTracker tracker;
    private final HeartbeatSource heartbeats;
    private final Set<String> reachablePeers;
    private final Links links;
    private volatile RoutePlan plan;

    /**
     * @param reachablePeers the peers whose Kafka this node knows (a link can only be started to these)
     * @param hub            the hub of a star, for clearer log lines
     */
    Rerouter(String localNode, TopologyGraph configured, ReroutePolicy policy, Optional<String> hub, LivenessTracker tracker,
             HeartbeatSource heartbeats, Set<String> reachablePeers, Links links) {
        this.localNode = localNode;
        this.configured = configured;
        this.policy = policy;
        this.hub = hub;
        this.tracker = tracker;
        this.heartbeats = heartbeats;
        this.reachablePeers = Set.copyOf(reachablePeers);
        this.links = links;
    }

    /** Starts the configured links. */
    synchronized RoutePlan start() {
        plan = RoutePlan.compute(configured, policy, localNode, Set.of());
        plan.upstreams().forEach(upstream -> links.start(upstream, Set.of()));
        return plan;
    }

    /**
     * Reads the peers' heartbeats once and re-routes if the set of down peers changed.
     *
     * @return whether the down set changed
     */
    synchronized boolean check() {
        if (plan == null) {
            throw new IllegalStateException("start() first");
        }
        if (!tracker.check(heartbeats)) {
            return false;
        }
        reroute(tracker.dead());
        return true;
    }

    /** The links this node reads now, and why. */
    RoutePlan plan() {
        return plan;
    }

    private void reroute(Set<String> dead) {
        RoutePlan before = plan;
        RoutePlan after = RoutePlan.compute(configured, policy, localNode, dead);
        for (Map.Entry<String, Set<String>> link : after.links().entrySet()) {
            if (!before.links().containsKey(link.getKey())) {
                if (reachablePeers.contains(link.getKey())) {
                    links.start(link.getKey(), link.getValue());
                } else {
                    log.error("[{}] cannot read {} instead of {}: the config has no peer entry (Kafka) for {};"
                            + " add it to peers so the node can route around dead nodes", localNode, link.getKey(),
                            String.join(", ", link.getValue()), link.getKey());
                }
            }
        }
        for (String upstream : before.upstreams()) {
            if (!after.links().containsKey(upstream)) {
                links.stop(upstream);
            }
        }
        plan = after;
        Set<String> wentDown = new TreeSet<>(after.dead());
        wentDown.removeAll(before.dead());
        Set<String> cameBack = new TreeSet<>(before.dead());
        cameBack.removeAll(after.dead());
        for (String peer : wentDown) {
            log.warn("[{}] {} is down for {} s: {}", localNode, peer, tracker.silentFor(peer).toSeconds(),
                    consequence(peer, after));
        }
        for (String peer : cameBack) {
            Set<String> stopped = new TreeSet<>(before.upstreams());
            stopped.removeAll(after.upstreams());
            log.info("[{}] {} is back{}; {}", localNode, peer,
                    stopped.isEmpty() ? "" : ": stopped reading " + String.join(", ", stopped) + " directly", after.describe());
        }
    }

    private String consequence(String peer, RoutePlan after) {
        Map<String, Set<String>> bypass = after.bypassLinks();
        StringBuilder direct = new StringBuilder();
        bypass.forEach((upstream, standsInFor) -> {
            if (standsInFor.contains(peer)) {
                direct.append(direct.length() == 0 ? "" : ", ").append(upstream);
            }
        });
        if (direct.length() > 0) {
            return "reading " + direct + " directly (" + after.describe() + ")";
        }
        if (hub.isPresent() && hub.get().equals(peer)) {
            return "the hub is down; local writes stay queued in the outbox until it returns (" + after.describe() + ")";
        }
        if (after.upstreams().contains(peer)) {
            return "its changes wait in its outbox until it returns (" + after.describe() + ")";
        }
        return "no route of this node changes (" + after.describe() + ")";
    }
}
