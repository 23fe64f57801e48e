package io.syncline.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutePlanTest {

    private static final List<String> ABC = List.of("dc-a", "dc-b", "dc-c");
    private static final List<String> ABCD = List.of("dc-a", "dc-b", "dc-c", "dc-d");

    @Test
    void withEveryoneAliveANodeReadsExactlyItsConfiguredUpstreams() {
        RoutePlan plan = RoutePlan.compute(TopologyGraph.ring(ABC), ReroutePolicy.BYPASS_DEAD_NODES, "dc-c", Set.of());
        assertThat(plan.links()).isEqualTo(Map.of("dc-b", Set.of()));
        assertThat(plan.bypassLinks()).isEmpty();
        assertThat(plan.describe()).isEqualTo("reading dc-b");
    }

    @Test
    void aRingNodeReadsTheUpstreamOfItsDeadUpstreamAndKeepsWaitingForTheDeadOne() {
        RoutePlan plan = RoutePlan.compute(TopologyGraph.ring(ABC), ReroutePolicy.BYPASS_DEAD_NODES, "dc-c", Set.of("dc-b"));
        assertThat(plan.upstreams()).containsExactly("dc-b", "dc-a");
        assertThat(plan.bypassLinks()).isEqualTo(Map.of("dc-a", Set.of("dc-b")));
        assertThat(plan.describe()).isEqualTo("reading dc-b (down, waiting), dc-a (instead of dc-b, down)");
    }

    @Test
    void nodesElsewhereInTheRingKeepTheirLinks() {
        TopologyGraph ring = TopologyGraph.ring(ABCD);
        assertThat(RoutePlan.compute(ring, ReroutePolicy.BYPASS_DEAD_NODES, "dc-a", Set.of("dc-b")).upstreams())
                .containsExactly("dc-d");
        assertThat(RoutePlan.compute(ring, ReroutePolicy.BYPASS_DEAD_NODES, "dc-d", Set.of("dc-b")).upstreams())
                .containsExactly("dc-c");
    }

    @Test
    void twoNeighboursDownAreBypassedTogether() {
        RoutePlan plan = RoutePlan.compute(TopologyGraph.ring(ABCD), ReroutePolicy.BYPASS_DEAD_NODES, "dc-d",
                Set.of("dc-b", "dc-c"));
        assertThat(plan.bypassLinks()).isEqualTo(Map.of("dc-a", Set.of("dc-b", "dc-c")));
    }

    @Test
    void aStarLeafWhoseHubIsDownChangesNothing() {
        RoutePlan plan = RoutePlan.compute(TopologyGraph.star("dc-a", ABC), ReroutePolicy.WAIT, "dc-b", Set.of("dc-a"));
        assertThat(plan.upstreams()).containsExactly("dc-a");
        assertThat(plan.bypassLinks()).isEmpty();
        assertThat(plan.describe()).isEqualTo("reading dc-a (down, waiting)");
    }

    @Test
    void allToAllJustWaits() {
        RoutePlan plan = RoutePlan.compute(TopologyGraph.allToAll(ABC), ReroutePolicy.WAIT, "dc-a", Set.of("dc-b"));
        assertThat(plan.upstreams()).containsExactly("dc-b", "dc-c");
        assertThat(plan.bypassLinks()).isEmpty();
    }

    @Test
    void explicitEdgesAreBypassedLikeARing() {
        TopologyGraph edges = TopologyGraph.of(ABCD, Map.of("dc-a", List.of("dc-b"), "dc-b", List.of("dc-c", "dc-d"),
                "dc-c", List.of("dc-a"), "dc-d", List.of("dc-a")));
        RoutePlan plan = RoutePlan.compute(edges, ReroutePolicy.BYPASS_DEAD_NODES, "dc-c", Set.of("dc-b"));
        assertThat(plan.bypassLinks()).isEqualTo(Map.of("dc-a", Set.of("dc-b")));
    }

    @Test
    void thisNodeAndUnknownIdsAreNeverDead() {
        RoutePlan plan = RoutePlan.compute(TopologyGraph.ring(ABC), ReroutePolicy.BYPASS_DEAD_NODES, "dc-c",
                Set.of("dc-c", "dc-x"));
        assertThat(plan.dead()).isEmpty();
        assertThat(plan.upstreams()).containsExactly("dc-b");
    }
}
