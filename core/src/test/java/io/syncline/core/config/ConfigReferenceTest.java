package io.syncline.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The key reference and the JSON Schema shipped in deploy/examples are the ones generated from the
 * loader's definitions, and the schema holds every shipped example.
 */
class ConfigReferenceTest {

    private static final Path EXAMPLES = Path.of("../deploy/examples");
    private static final Path COMPOSE_CONFIGS = Path.of("../deploy/compose/config");
    private static final String REGENERATE = "out of date with the definitions; regenerate it with"
            + " ./syncline config-reference --update deploy/examples";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Every node file shipped: the examples and the Docker Compose deployment's. */
    static List<Path> nodeFiles() throws IOException {
        try (Stream<Path> examples = Files.walk(EXAMPLES); Stream<Path> compose = Files.list(COMPOSE_CONFIGS)) {
            return Stream.concat(examples, compose).filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static JsonNode schema() throws IOException {
        return new ObjectMapper().readTree(ConfigReference.jsonSchema());
    }

    private static List<String> problems(String yaml) throws IOException {
        return SchemaSubset.problems(schema(), YAML.readTree(yaml));
    }

    @Test
    void examplesReadmeHoldsTheKeyTableGeneratedFromTheDefinitions() throws IOException {
        String readme = Files.readString(EXAMPLES.resolve(ConfigReference.README_FILE), StandardCharsets.UTF_8);

        assertThat(readme).as("deploy/examples/README.md " + REGENERATE).isEqualTo(ConfigReference.withKeyTable(readme));
    }

    @Test
    void publishedSchemaIsTheOneGeneratedFromTheDefinitions() throws IOException {
        String published = Files.readString(EXAMPLES.resolve(ConfigReference.SCHEMA_FILE), StandardCharsets.UTF_8);

        assertThat(published).as("deploy/examples/" + ConfigReference.SCHEMA_FILE + " " + REGENERATE)
                .isEqualTo(ConfigReference.jsonSchema());
    }

    @ParameterizedTest
    @MethodSource("nodeFiles")
    void shippedNodeFileMatchesTheSchema(Path file) throws IOException {
        assertThat(problems(Files.readString(file, StandardCharsets.UTF_8))).as(file.toString()).isEmpty();
    }

    @Test
    void fullConfigOfTheLoaderTestsMatchesTheSchema() throws IOException {
        assertThat(problems(TestConfigs.RING)).isEmpty();
        assertThat(problems(TestConfigs.RING.replace("  default-policy: lww\n", """
                  default-policy: lww
                capture: {batch-interval: 200ms, outbox-retention: 720h, outbox-replication-factor: 1,
                  outbox-min-insync-replicas: 1}
                metrics:
                  listen: 0.0.0.0:9464
                  tls: {keystore: metrics.p12, keystore-password-file: secret}
                  basic-auth: {username: prometheus, password-env: METRICS_PASSWORD}
                allow-plaintext-secrets: false
                """).replace("  - public.accounts\n", """
                  - accounts
                  - name: public.orders
                    on-error: stop
                    conflict:
                      policy: origin-priority
                      origin-priority: [dc-b, dc-a, dc-c]
                      columns: {total: delta, Note: {policy: max}}
                """).replace("kafka:\n  bootstrap-servers: localhost:9092\n", """
                kafka:
                  bootstrap-servers: [localhost:9092, "[::1]:9092"]
                  security:
                    protocol: SASL_SSL
                    sasl-mechanism: SCRAM-SHA-512
                    username: syncline
                    password-file: kafka.secret
                    truststore: {path: truststore.p12, password-env: TRUSTSTORE_PASSWORD}
                """))).isEmpty();
    }

    @Test
    void schemaRefusesWhatTheLoaderRefusesByForm() throws IOException {
        assertThat(problems(TestConfigs.RING.replace("  pool-size: 8", "  pool-sise: 8")))
                .containsExactly("database.pool-sise: unknown key");
        assertThat(problems(TestConfigs.RING.replace("  pool-size: 8", "  pool-size: 0")))
                .containsExactly("database.pool-size: 0 is less than 1");
        assertThat(problems(TestConfigs.RING.replace("  kind: ring", "  kind: circle"))).hasSize(1)
                .allMatch(p -> p.startsWith("topology.kind: \"circle\" is not one of"));
        assertThat(problems(TestConfigs.RING.replace("  id: dc-a", "  id: DC-A"))).hasSize(1)
                .allMatch(p -> p.startsWith("node.id: 'DC-A' does not match"));
        assertThat(problems(TestConfigs.RING.replace("  failure-timeout: 30s", "  failure-timeout: 0s"))).hasSize(1)
                .allMatch(p -> p.startsWith("topology.failure-timeout: '0s' does not match"));
        assertThat(problems(TestConfigs.RING.replace("  user: syncline\n", ""))).containsExactly("database: missing user");
        assertThat(problems(TestConfigs.RING.replace("  password-env: SYNCLINE_DB_PASSWORD\n",
                "  password-env: SYNCLINE_DB_PASSWORD\n  password-file: db.secret\n"))).hasSize(1)
                .allMatch(p -> p.startsWith("database: matches 2 of the alternatives"));
        assertThat(problems(TestConfigs.RING.replace("  - public.accounts", "  - public.accounts.x"))).hasSize(1)
                .allMatch(p -> p.startsWith("tables[0]: matches 0 of the alternatives"));
    }

    @Test
    void readmeWithoutMarkersIsRefusedRatherThanRewritten() {
        assertThatThrownBy(() -> ConfigReference.withKeyTable("# Keys\n\nno table here\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("markers");
    }
}
