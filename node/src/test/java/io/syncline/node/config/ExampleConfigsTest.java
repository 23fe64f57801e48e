package io.syncline.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.NodeConfig;
import io.syncline.core.config.NodeConfigLoader;
import io.syncline.core.config.TopologyKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shipped examples in deploy/examples stay valid. */
class ExampleConfigsTest {

    private static final Path EXAMPLES = Path.of("../deploy/examples");

    static List<Path> exampleFiles() throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("exampleFiles")
    void exampleIsValidAndNamedAfterItsNode(Path file) {
        NodeConfig config = NodeConfigLoader.load(file);

        assertThat(file.getFileName().toString()).isEqualTo(config.nodeId() + ".yaml");
        assertThat(config.warnings()).isEmpty();
        assertThat(config.topology().kind().configName()).isEqualTo(file.getParent().getFileName().toString());
    }

    @Test
    void everyTopologyKindHasAThreeNodeExample() throws IOException {
        for (TopologyKind kind : TopologyKind.values()) {
            List<NodeConfig> nodes = exampleFiles().stream()
                    .filter(f -> f.getParent().getFileName().toString().equals(kind.configName()))
                    .map(NodeConfigLoader::load)
                    .toList();
            assertThat(nodes).as(kind.configName()).extracting(NodeConfig::nodeId)
                    .containsExactly("dc-a", "dc-b", "dc-c");
            // One deployment: every node has the same topology.
            assertThat(nodes).extracting(NodeConfig::topology).containsOnly(nodes.get(0).topology());
        }
    }
}
