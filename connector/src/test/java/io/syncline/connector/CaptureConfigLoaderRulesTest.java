package io.syncline.connector;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.core.config.ConfigException;
import io.syncline.core.config.NodeConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The capture accepts a node id or batch interval exactly when the config loader accepts it. */
class CaptureConfigLoaderRulesTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"dc-a", "a", "0", "-a", "a-", "12345678901234567890123456789012",
            "DC-A", "dc_a", "dc.a", "dc a", "", "123456789012345678901234567890123", "dc-ä"})
    void captureAcceptsANodeIdExactlyWhenTheConfigLoaderDoes(String id) throws IOException {
        boolean loader = loaderAccepts(id, "50ms");

        assertThat(captureAccepts(id, Duration.ofMillis(50))).as("capture accepts '%s'", id).isEqualTo(loader);
    }

    @ParameterizedTest
    @CsvSource({"1ms, 1", "50ms, 50", "10s, 10000", "10001ms, 10001", "11s, 11000", "1m, 60000"})
    void captureAcceptsABatchIntervalExactlyWhenTheConfigLoaderDoes(String written, long millis) throws IOException {
        boolean loader = loaderAccepts("dc-a", written);

        assertThat(captureAccepts("dc-a", Duration.ofMillis(millis))).as("capture accepts %s", written).isEqualTo(loader);
    }

    private boolean loaderAccepts(String id, String batchInterval) throws IOException {
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
                capture:
                  batch-interval: %s
                """.formatted(id, id, batchInterval));
        try {
            NodeConfigLoader.load(file);
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    private boolean captureAccepts(String id, Duration batchInterval) {
        try {
            new CaptureConfig(id, "localhost", 5432, "app", "syncline", "secret", List.of("public.accounts"),
                    dir.resolve("capture"), Map.of("bootstrap.servers", "localhost:9092"),
                    CaptureConfig.DEFAULT_OFFSET_FLUSH_INTERVAL, batchInterval);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
