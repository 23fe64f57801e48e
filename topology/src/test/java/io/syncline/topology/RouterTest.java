package io.syncline.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final List<String> ABC = List.of("dc-a", "dc-b", "dc-c");

    @Test
    void allToAllNeverForwardsBecauseEveryNodeReadsEveryOrigin() {
        Router b = new Router(TopologyGraph.allToAll(ABC), "dc-b");
        assertThat(b.upstreams()).containsExactly("dc-a", "dc-c");
        assertThat(b.decide("dc-a", List.of("dc-a"))).isEqualTo(new RoutingDecision(true, false, "no downstream needs it from dc-b"));
    }

    @Test
    void ringForwardsToTheNextNodeUntilThePathIsComplete() {
        TopologyGraph ring = TopologyGraph.ring(List.of("dc-a", "dc-b", "dc-c", "dc-d"));
        assertThat(new Router(ring, "dc-b").upstreams()).containsExactly("dc-a");
        assertThat(new Router(ring, "dc-b").decide("dc-a", List.of("dc-a")).forward()).isTrue();
        assertThat(new Router(ring, "dc-c").decide("dc-a", List.of("dc-a", "dc-b")).forward()).isTrue();
        RoutingDecision last = new Router(ring, "dc-d").decide("dc-a", List.of("dc-a", "dc-b", "dc-c"));
        assertThat(last.apply()).isTrue();
        assertThat(last.forward()).isFalse();
    }

    @Test
    void aTransactionIsDroppedAtItsOriginAndWhereItAlreadyPassed() {
        Router a = new Router(TopologyGraph.ring(ABC), "dc-a");
        assertThat(a.decide("dc-a", List.of("dc-a", "dc-b", "dc-c")).apply()).isFalse();
        Router b = new Router(TopologyGraph.ring(ABC), "dc-b");
        assertThat(b.decide("dc-c", List.of("dc-c", "dc-b")).apply()).isFalse();
    }

    @Test
    void starHubForwardsLeafChangesAndLeavesDoNot() {
        TopologyGraph star = TopologyGraph.star("dc-a", ABC);
        Router hub = new Router(star, "dc-a");
        assertThat(hub.upstreams()).containsExactly("dc-b", "dc-c");
        assertThat(hub.decide("dc-b", List.of("dc-b")).forward()).isTrue();
        Router leaf = new Router(star, "dc-c");
        assertThat(leaf.upstreams()).containsExactly("dc-a");
        RoutingDecision atLeaf = leaf.decide("dc-b", List.of("dc-b", "dc-a"));
        assertThat(atLeaf.apply()).isTrue();
        assertThat(atLeaf.forward()).isFalse();
    }

    @Test
    void aRingClosesAroundADeadNode() {
        TopologyGraph closed = TopologyGraph.ring(List.of("dc-a", "dc-b", "dc-c", "dc-d")).bypassing("dc-b");
        assertThat(closed.successorsOf("dc-a")).containsExactly("dc-c");
        assertThat(closed.unreachablePairs()).isEmpty();
        assertThat(new Router(closed, "dc-c").upstreams()).containsExactly("dc-a");
    }

    @Test
    void explicitGraphsReportWhoCannotReachWhom() {
        TopologyGraph oneWay = TopologyGraph.of(ABC, Map.of("dc-a", List.of("dc-b"), "dc-b", List.of("dc-c")));
        assertThat(oneWay.unreachablePairs()).contains(List.of("dc-c", "dc-a"), List.of("dc-b", "dc-a"));
        assertThat(TopologyGraph.ring(ABC).unreachablePairs()).isEmpty();
        assertThat(TopologyGraph.star("dc-b", ABC).unreachablePairs()).isEmpty();
    }
}
