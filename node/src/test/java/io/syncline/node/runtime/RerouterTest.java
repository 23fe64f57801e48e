package io.syncline.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.topology.HeartbeatSource;
import io.syncline.topology.LivenessTracker;
import io.syncline.topology.ReroutePolicy;
import io.syncline.topology.TopologyGraph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RerouterTest {

    private static final List<String> ABC = List.of("dc-a", "dc-b", "dc-c");

    private final AtomicLong nanos = new AtomicLong();
    private final Map<String, Long> beats = new HashMap<>();
    private final Set<String> silent = new HashSet<>();
    private final HeartbeatSource heartbeats = peer -> silent.contains(peer) ? OptionalLong.empty()
            : OptionalLong.of(beats.merge(peer, 1L, Long::sum));
    private final List<String> events = new ArrayList<>();
    private final Rerouter.Links links = new Rerouter.Links() {
        @Override
        public void start(String upstream, Set<String> standsInFor) {
            events.add("start " + upstream + (standsInFor.isEmpty() ? "" : " for " + standsInFor));
        }

        @Override
        public void stop(String upstream) {
            events.add("stop " + upstream);
        }
    };

    private Rerouter rerouter(TopologyGraph graph, ReroutePolicy policy, String local, Optional<String> hub) {
        List<String> peers = graph.nodes().stream().filter(n -> !n.equals(local)).toList();
        LivenessTracker tracker = new LivenessTracker(peers, Duration.ofSeconds(5), nanos::get);
        return new Rerouter(local, graph, policy, hub, tracker, heartbeats, Set.copyOf(peers), links);
    }

    /** Checks once a second for {@code seconds}; returns how many checks changed the down set. */
    private int runFor(Rerouter rerouter, int seconds) {
        int changes = 0;
        for (int i = 0; i < seconds; i++) {
            nanos.addAndGet(Duration.ofSeconds(1).toNanos());
            changes += rerouter.check() ? 1 : 0;
        }
        return changes;
    }

    @Test
    void aRingNodeReadsAroundItsDeadUpstreamAndStopsWhenItReturns() {
        Rerouter rerouter = rerouter(TopologyGraph.ring(ABC), ReroutePolicy.BYPASS_DEAD_NODES, "dc-c", Optional.empty());
        rerouter.start();
        assertThat(runFor(rerouter, 10)).isZero();
        assertThat(events).containsExactly("start dc-b");

        silent.add("dc-b");
        assertThat(runFor(rerouter, 5)).isZero();
        assertThat(runFor(rerouter, 1)).isOne();
        assertThat(events).containsExactly("start dc-b", "start dc-a for [dc-b]");
        assertThat(rerouter.plan().describe()).isEqualTo("reading dc-b (down, waiting), dc-a (instead of dc-b, down)");

        assertThat(runFor(rerouter, 30)).isZero();
        silent.remove("dc-b");
        assertThat(runFor(rerouter, 1)).isOne();
        assertThat(events).containsExactly("start dc-b", "start dc-a for [dc-b]", "stop dc-a");
        assertThat(rerouter.plan().upstreams()).containsExactly("dc-b");
    }

    @Test
    void aStarLeafWhoseHubIsDownKeepsItsLinks() {
        Rerouter rerouter = rerouter(TopologyGraph.star("dc-a", ABC), ReroutePolicy.WAIT, "dc-b", Optional.of("dc-a"));
        rerouter.start();
        silent.add("dc-a");
        assertThat(runFor(rerouter, 10)).isOne();
        assertThat(rerouter.plan().dead()).containsExactly("dc-a");
        assertThat(events).containsExactly("start dc-a");
    }

    @Test
    void allToAllWaitsForADeadPeer() {
        Rerouter rerouter = rerouter(TopologyGraph.allToAll(ABC), ReroutePolicy.WAIT, "dc-a", Optional.empty());
        rerouter.start();
        silent.add("dc-c");
        assertThat(runFor(rerouter, 10)).isOne();
        silent.remove("dc-c");
        assertThat(runFor(rerouter, 1)).isOne();
        assertThat(events).containsExactly("start dc-b", "start dc-c");
    }

    @Test
    void aDeadNodeOutsideThisNodesRoutesChangesNoLink() {
        Rerouter rerouter = rerouter(TopologyGraph.ring(List.of("dc-a", "dc-b", "dc-c", "dc-d")),
                ReroutePolicy.BYPASS_DEAD_NODES, "dc-a", Optional.empty());
        rerouter.start();
        silent.add("dc-b");
        assertThat(runFor(rerouter, 10)).isOne();
        assertThat(events).containsExactly("start dc-d");
    }
}
