package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.load;
import static io.syncline.core.config.TestConfigs.onlyProblem;
import static io.syncline.core.config.TestConfigs.ringWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerValidationTest {

    private static final String PEER_B = "  - id: dc-b\n    kafka: {bootstrap-servers: localhost:9093}\n";
    private static final String PEER_C = "  - id: dc-c\n    kafka: {bootstrap-servers: localhost:9094}\n";

    @TempDir
    Path dir;

    @Test
    void missingPeerThatThisNodeReadsFromIsRejected() {
        // In the ring dc-a -> dc-b -> dc-c -> dc-a, dc-a reads from dc-c.
        ConfigProblem p = onlyProblem(dir, ringWith(PEER_C, ""));

        assertThat(p.line()).isEqualTo(14);
        assertThat(p.column()).isEqualTo(1);
        assertThat(p.fieldPath()).isEqualTo("peers");
        assertThat(p.message()).isEqualTo("no entry for dc-c, which this node reads from in the ring; "
                + "expected a peer {id: dc-c, kafka: {bootstrap-servers: ...}}");
    }

    @Test
    void missingPeerThatThisNodeDoesNotReadFromIsOnlyAWarning() {
        NodeConfig config = load(dir, ringWith(PEER_B, ""));

        assertThat(config.upstreamPeers()).extracting(PeerConfig::id).containsExactly("dc-c");
        assertThat(config.warnings()).singleElement().satisfies(w -> {
            assertThat(w.line()).isEqualTo(15);
            assertThat(w.fieldPath()).isEqualTo("peers");
            assertThat(w.message()).startsWith("no entry for dc-b (not read directly in this ring)");
        });
    }

    @Test
    void peerOutsideTheTopologyIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  - id: dc-b", "  - id: dc-x"));

        assertThat(p.line()).isEqualTo(15);
        assertThat(p.column()).isEqualTo(9);
        assertThat(p.fieldPath()).isEqualTo("peers[0].id");
        assertThat(p.message()).startsWith("'dc-x' is not in topology.nodes").endsWith("; expected one of dc-b, dc-c");
    }

    @Test
    void thisNodeAsItsOwnPeerIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  - id: dc-b", "  - id: dc-a"));

        assertThat(p.line()).isEqualTo(15);
        assertThat(p.fieldPath()).isEqualTo("peers[0].id");
        assertThat(p.message()).isEqualTo("'dc-a' is this node itself (node.id); expected only the other nodes: dc-b, dc-c");
    }

    @Test
    void duplicatePeerIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith(PEER_B, PEER_C));

        assertThat(p.line()).isEqualTo(17);
        assertThat(p.column()).isEqualTo(9);
        assertThat(p.fieldPath()).isEqualTo("peers[1].id");
        assertThat(p.message()).isEqualTo("duplicate peer 'dc-c' (also peers[0]); expected each peer once");
    }

    @Test
    void peerWithoutKafkaIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("    kafka: {bootstrap-servers: localhost:9093}\n", ""));

        assertThat(p.line()).isEqualTo(15);
        assertThat(p.column()).isEqualTo(5);
        assertThat(p.fieldPath()).isEqualTo("peers[0].kafka");
        assertThat(p.message()).startsWith("missing (the peer's own Kafka cluster, which this node reads)");
    }
}
