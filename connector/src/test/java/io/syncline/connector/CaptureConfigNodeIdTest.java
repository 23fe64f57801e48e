package io.syncline.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.ConfigException;
import io.syncline.core.config.NodeConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A node id is accepted by the capture exactly when the config loader accepts it as {@code node.id}. */
class CaptureConfigNodeIdTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"dc-a", "a", "0", "-a", "a-", "12345678901234567890123456789012",
            "DC-A", "dc_a", "dc.a", "dc a", "", "123456789012345678901234567890123", "dc-ä"})
    void captureAcceptsANodeIdExactlyWhenTheConfigLoaderDoes(String id) throws IOException {
        assertThat(captureAccepts(id)).as("capture accepts '%s'", id).isEqualTo(loaderAccepts(id));
    }

    private boolean loaderAccepts(String id) throws IOException {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, """
                node:
                  id: "%s"
                database:
                  url: jdbc:postgresql://localhost:5432/app
                  user: syncline
                  password-env: SYNCLINE_DB_PASSWORD
                kafka:
                  bootstrap-servers: localhost:9092
                topology:
                  kind: all-to-all
                  nodes: ["%s", other]
                peers:
                  - id: other
                    kafka: {bootstrap-servers: localhost:9093}
                tables: [public.accounts]
                """.formatted(id, id));
        try {
            NodeConfigLoader.load(file);
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    private boolean captureAccepts(String id) {
        try {
            new CaptureConfig(id, "localhost", 5432, "app", "syncline", "secret", List.of("public.accounts"),
                    dir.resolve("capture"), Map.of("bootstrap.servers", "localhost:9092"));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
