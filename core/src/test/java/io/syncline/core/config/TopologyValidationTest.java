package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.onlyProblem;
import static io.syncline.core.config.TestConfigs.ringWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyValidationTest {

    private static final String EDGES_HEAD = "  kind: edges\n  edges:\n";

    @TempDir
    Path dir;

    @Test
    void starWithoutHubIsRejectedWithItsLine() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", "  kind: star"));

        assertThat(p.line()).isEqualTo(11);
        assertThat(p.column()).isEqualTo(9);
        assertThat(p.fieldPath()).isEqualTo("topology.hub");
        assertThat(p.message()).isEqualTo("missing; a star topology needs a hub; expected one of dc-a, dc-b, dc-c");
    }

    @Test
    void hubThatIsNotANodeIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", "  kind: star\n  hub: dc-x"));

        assertThat(p.line()).isEqualTo(12);
        assertThat(p.column()).isEqualTo(8);
        assertThat(p.fieldPath()).isEqualTo("topology.hub");
        assertThat(p.message()).isEqualTo("hub 'dc-x' is not one of the nodes; expected one of dc-a, dc-b, dc-c");
    }

    @Test
    void hubOfARingIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", "  kind: ring\n  hub: dc-a"));

        assertThat(p.line()).isEqualTo(12);
        assertThat(p.column()).isEqualTo(3);
        assertThat(p.fieldPath()).isEqualTo("topology.hub");
        assertThat(p.message()).isEqualTo("only a star topology has a hub; expected no hub with kind ring");
    }

    @Test
    void edgesKindWithoutEdgesIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", "  kind: edges"));

        assertThat(p.line()).isEqualTo(11);
        assertThat(p.fieldPath()).isEqualTo("topology.edges");
        assertThat(p.message()).startsWith("missing; an edges topology needs its edges");
    }

    @Test
    void edgesOfAnotherKindAreRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", "  kind: ring\n  edges: [{from: dc-a, to: dc-b}]"));

        assertThat(p.line()).isEqualTo(12);
        assertThat(p.fieldPath()).isEqualTo("topology.edges");
        assertThat(p.message()).startsWith("only kind edges takes explicit edges");
    }

    @Test
    void edgeNamingAnUnknownNodeIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", EDGES_HEAD
                + "    - {from: dc-a, to: dc-b}\n"
                + "    - {from: dc-b, to: dc-x}"));

        assertThat(p.line()).isEqualTo(14);
        assertThat(p.column()).isEqualTo(24);
        assertThat(p.fieldPath()).isEqualTo("topology.edges[1].to");
        assertThat(p.message()).startsWith("unknown node 'dc-x'").endsWith("; expected one of dc-a, dc-b, dc-c");
    }

    @Test
    void edgeFromANodeToItselfIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", EDGES_HEAD + "    - {from: dc-a, to: dc-a}"));

        assertThat(p.line()).isEqualTo(13);
        assertThat(p.column()).isEqualTo(24);
        assertThat(p.fieldPath()).isEqualTo("topology.edges[0].to");
        assertThat(p.message()).isEqualTo("is the same node as from; expected an edge between two different nodes");
    }

    @Test
    void edgesThatLeaveANodeCutOffAreRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", EDGES_HEAD
                + "    - {from: dc-a, to: dc-b}\n"
                + "    - {from: dc-b, to: dc-a}\n"
                + "    - {from: dc-b, to: dc-c}"));

        assertThat(p.line()).isEqualTo(13);
        assertThat(p.column()).isEqualTo(5);
        assertThat(p.fieldPath()).isEqualTo("topology.edges");
        assertThat(p.message()).isEqualTo("changes from dc-c never reach dc-a, dc-b; "
                + "expected edges that let every node reach every other, directly or through others");
    }

    @Test
    void duplicateEdgeIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", EDGES_HEAD
                + "    - {from: dc-a, to: dc-b}\n"
                + "    - {from: dc-b, to: dc-c}\n"
                + "    - {from: dc-c, to: dc-a}\n"
                + "    - {from: dc-a, to: dc-b}"));

        assertThat(p.line()).isEqualTo(16);
        assertThat(p.fieldPath()).isEqualTo("topology.edges[3]");
        assertThat(p.message()).isEqualTo("duplicate edge dc-a -> dc-b; expected each edge once");
    }

    @Test
    void duplicateNodeIdInTopologyIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("[dc-a, dc-b, dc-c]", "[dc-a, dc-b, dc-b]"));

        assertThat(p.line()).isEqualTo(12);
        assertThat(p.column()).isEqualTo(23);
        assertThat(p.fieldPath()).isEqualTo("topology.nodes[2]");
        assertThat(p.message()).isEqualTo(
                "duplicate node id 'dc-b' (also at topology.nodes[1]); expected each node once");
    }

    @Test
    void topologyWithoutThisNodeIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("[dc-a, dc-b, dc-c]", "[dc-b, dc-c, dc-d]"));

        assertThat(p.line()).isEqualTo(12);
        assertThat(p.column()).isEqualTo(10);
        assertThat(p.fieldPath()).isEqualTo("topology.nodes");
        assertThat(p.message()).isEqualTo(
                "does not contain this node's id 'dc-a' (node.id); expected dc-a among the nodes");
    }

    @Test
    void topologyOfOneNodeIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("[dc-a, dc-b, dc-c]", "[dc-a]"));

        assertThat(p.fieldPath()).isEqualTo("topology.nodes");
        assertThat(p.message()).startsWith("has 1 item(s); expected a list of at least 2 items, each a node id");
    }

    @Test
    void invalidNodeIdInTopologyIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("[dc-a, dc-b, dc-c]", "[dc-a, dc-b, DC-C]"));

        assertThat(p.column()).isEqualTo(23);
        assertThat(p.fieldPath()).isEqualTo("topology.nodes[2]");
    }

    @Test
    void unknownTopologyKindSuggestsTheClosestKind() {
        ConfigProblem p = onlyProblem(dir, ringWith("  kind: ring", "  kind: rnig"));

        assertThat(p.line()).isEqualTo(11);
        assertThat(p.column()).isEqualTo(9);
        assertThat(p.fieldPath()).isEqualTo("topology.kind");
        assertThat(p.message()).isEqualTo("unknown topology kind 'rnig' (did you mean 'ring'?); "
                + "expected one of all-to-all, ring, star, edges");
    }
}
