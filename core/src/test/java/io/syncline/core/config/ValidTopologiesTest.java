package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.load;
import static io.syncline.core.config.TestConfigs.ringWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A valid config of every topology kind, and the links each implies. */
class ValidTopologiesTest {

    @TempDir
    Path dir;

    @Test
    void ringReadsFromItsPredecessor() {
        NodeConfig config = load(dir, TestConfigs.RING);

        assertThat(config.topology().kind()).isEqualTo(TopologyKind.RING);
        assertThat(config.topology().links()).containsExactly(
                new Edge("dc-a", "dc-b"), new Edge("dc-b", "dc-c"), new Edge("dc-c", "dc-a"));
        assertThat(config.upstreamPeers()).extracting(PeerConfig::id).containsExactly("dc-c");
        assertThat(config.topology().downstreamsOf("dc-a")).containsExactly("dc-b");
    }

    @Test
    void allToAllReadsFromEveryOtherNode() {
        NodeConfig config = load(dir, ringWith("kind: ring", "kind: all-to-all"));

        assertThat(config.topology().links()).hasSize(6);
        assertThat(config.upstreamPeers()).extracting(PeerConfig::id).containsExactly("dc-b", "dc-c");
    }

    @Test
    void starSpokeReadsOnlyFromTheHub() {
        NodeConfig config = load(dir, ringWith("kind: ring", "kind: star\n  hub: dc-b"));

        assertThat(config.topology().hub()).contains("dc-b");
        assertThat(config.upstreamPeers()).extracting(PeerConfig::id).containsExactly("dc-b");
        assertThat(config.topology().upstreamsOf("dc-b")).containsExactly("dc-a", "dc-c");
    }

    @Test
    void starHubReadsFromEverySpoke() {
        NodeConfig config = load(dir, ringWith("kind: ring", "kind: star\n  hub: dc-a"));

        assertThat(config.upstreamPeers()).extracting(PeerConfig::id).containsExactly("dc-b", "dc-c");
    }

    @Test
    void explicitEdgesDecideWhoReadsWhom() {
        NodeConfig config = load(dir, ringWith("  kind: ring", """
                  kind: edges
                  edges:
                    - {from: dc-a, to: dc-b}
                    - {from: dc-b, to: dc-a}
                    - {from: dc-b, to: dc-c}
                    - {from: dc-c, to: dc-b}""".indent(2).stripTrailing()));

        assertThat(config.topology().edges()).hasSize(4);
        assertThat(config.topology().links()).isEqualTo(config.topology().edges());
        assertThat(config.upstreamPeers()).extracting(PeerConfig::id).containsExactly("dc-b");
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void topologyConfigDerivesLinksWithoutAFile() {
        TopologyConfig star = new TopologyConfig(TopologyKind.STAR, List.of("hub", "s1", "s2"), Optional.of("hub"),
                List.of(), java.time.Duration.ofSeconds(30));

        assertThat(star.links()).containsExactly(new Edge("hub", "s1"), new Edge("s1", "hub"),
                new Edge("hub", "s2"), new Edge("s2", "hub"));
        assertThat(star.downstreamsOf("s1")).containsExactly("hub");
    }
}
