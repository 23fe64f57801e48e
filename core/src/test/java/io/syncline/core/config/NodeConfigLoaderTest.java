package io.syncline.core.config;

import static io.syncline.core.config.TestConfigs.RING;
import static io.syncline.core.config.TestConfigs.load;
import static io.syncline.core.config.TestConfigs.onlyProblem;
import static io.syncline.core.config.TestConfigs.problems;
import static io.syncline.core.config.TestConfigs.ringWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Syntax, keys, types and required settings. */
class NodeConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void validConfigLoadsWithDefaults() {
        NodeConfig config = load(dir, RING.replace("  pool-size: 8\n", "").replace("  failure-timeout: 30s\n", ""));

        assertThat(config.nodeId()).isEqualTo("dc-a");
        assertThat(config.database().url()).isEqualTo("jdbc:postgresql://localhost:5432/app");
        assertThat(config.database().poolSize()).isEqualTo(8);
        assertThat(config.database().password()).isEqualTo(Secret.fromEnvironment("SYNCLINE_DB_PASSWORD", ""));
        assertThat(config.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.kafka().security()).isEqualTo(SecurityConfig.plaintext());
        assertThat(config.topology().failureTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.capture()).isEqualTo(CaptureSettings.defaults());
        assertThat(config.peers()).extracting(PeerConfig::id).containsExactly("dc-b", "dc-c");
        assertThat(config.tables()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo(new TableName("public", "accounts"));
            assertThat(t.conflict()).isEqualTo(ConflictRule.of(ConflictPolicy.LWW));
        });
        assertThat(config.warnings()).isEmpty();
        assertThat(config.source()).isEqualTo(dir.resolve("node.yaml"));
    }

    @Test
    void summaryIsOneLineWithoutUrlParameters() {
        NodeConfig config = load(dir, RING.replace("jdbc:postgresql://localhost:5432/app",
                "jdbc:postgresql://localhost:5432/app?sslmode=verify-full&sslrootcert=/etc/ca.pem"));

        assertThat(config.summary())
                .isEqualTo("node dc-a (" + dir.resolve("node.yaml") + "): database syncline at jdbc:postgresql://localhost:5432/app,"
                        + " kafka localhost:9092, ring of [dc-a, dc-b, dc-c], 1 table(s), " + ApplySettings.defaultWriters()
                        + " apply writer(s) per link")
                .doesNotContain("sslmode");
    }

    @Test
    void yamlSyntaxErrorIsReportedWithItsLine() {
        ConfigProblem p = onlyProblem(dir, ringWith("  user: syncline", "  user: sync: line"));

        assertThat(p.line()).isEqualTo(5);
        assertThat(p.column()).isEqualTo(13);
        assertThat(p.fieldPath()).isEmpty();
        assertThat(p.message()).isEqualTo("YAML syntax error: mapping values are not allowed here; expected valid YAML");
    }

    @Test
    void badIndentationIsASyntaxErrorWithItsLine() {
        ConfigProblem p = onlyProblem(dir, ringWith("  user: syncline", " user: syncline"));

        assertThat(p.line()).isEqualTo(5);
        assertThat(p.message()).startsWith("YAML syntax error:");
    }

    @Test
    void emptyFileIsRejected() {
        ConfigProblem p = onlyProblem(dir, "# nothing yet\n");

        assertThat(p.line()).isEqualTo(1);
        assertThat(p.message()).contains("the file is empty; expected a mapping with keys node, database, kafka");
    }

    @Test
    void missingFileIsReportedAsAProblemOfThatFile() {
        Path missing = dir.resolve("absent.yaml");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> NodeConfigLoader.load(missing));

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.file()).isEqualTo(missing);
            assertThat(p.message()).startsWith("file not found");
        });
    }

    @Test
    void unknownKeySuggestsTheClosestKnownKey() {
        ConfigProblem p = onlyProblem(dir, ringWith("  pool-size: 8", "  pool_size: 8"));

        assertThat(p.line()).isEqualTo(7);
        assertThat(p.column()).isEqualTo(3);
        assertThat(p.fieldPath()).isEqualTo("database.pool_size");
        assertThat(p.message()).isEqualTo("unknown key (did you mean 'pool-size'?); expected one of "
                + "url, user, password-env, password-file, password, pool-size");
    }

    @Test
    void unknownTopLevelKeySuggestsTheClosestKnownKey() {
        ConfigProblem p = onlyProblem(dir, RING + "tabels: []\n");

        assertThat(p.line()).isEqualTo(23);
        assertThat(p.column()).isEqualTo(1);
        assertThat(p.fieldPath()).isEqualTo("tabels");
        assertThat(p.message()).startsWith("unknown key (did you mean 'tables'?)");
    }

    @Test
    void unknownKeyFarFromEveryKnownKeyListsTheKnownKeys() {
        ConfigProblem p = onlyProblem(dir, ringWith("  pool-size: 8", "  compression: zstd"));

        assertThat(p.message()).doesNotContain("did you mean").contains("expected one of url, user");
    }

    @Test
    void listWhereAMappingIsExpectedIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  bootstrap-servers: localhost:9092", "  - localhost:9092"));

        assertThat(p.line()).isEqualTo(9);
        assertThat(p.column()).isEqualTo(3);
        assertThat(p.fieldPath()).isEqualTo("kafka");
        assertThat(p.message()).isEqualTo("is a list; expected a mapping with keys bootstrap-servers, security");
    }

    @Test
    void nonIntegerPoolSizeIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("pool-size: 8", "pool-size: eight"));

        assertThat(p.line()).isEqualTo(7);
        assertThat(p.column()).isEqualTo(14);
        assertThat(p.fieldPath()).isEqualTo("database.pool-size");
        assertThat(p.message()).isEqualTo("'eight' is not an integer; expected an integer from 1 to 1024");
    }

    @Test
    void poolSizeOutOfRangeIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("pool-size: 8", "pool-size: 0"));

        assertThat(p.fieldPath()).isEqualTo("database.pool-size");
        assertThat(p.message()).isEqualTo("0 is out of range; expected an integer from 1 to 1024");
    }

    @Test
    void durationWithoutUnitIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("failure-timeout: 30s", "failure-timeout: 30"));

        assertThat(p.line()).isEqualTo(13);
        assertThat(p.column()).isEqualTo(20);
        assertThat(p.fieldPath()).isEqualTo("topology.failure-timeout");
        assertThat(p.message()).isEqualTo(
                "'30' is not a duration; expected a positive duration with a unit, like 500ms, 30s, 5m or 1h");
    }

    @Test
    void durationsTakeMillisecondsSecondsMinutesAndHours() {
        assertThat(load(dir, ringWith("30s", "500ms")).topology().failureTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(load(dir, ringWith("30s", "5m")).topology().failureTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(load(dir, ringWith("30s", "1h")).topology().failureTimeout()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void applyWritersDefaultToOnePerCoreAtMostFour() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(load(dir, RING).apply().writers()).isEqualTo(Math.max(1, Math.min(4, cores)));
    }

    @Test
    void applyWritersAreReadAndAtLeastOne() {
        assertThat(load(dir, RING + "apply:\n  writers: 3\n").apply().writers()).isEqualTo(3);

        ConfigProblem p = onlyProblem(dir, RING + "apply:\n  writers: 0\n");
        assertThat(p.fieldPath()).isEqualTo("apply.writers");
    }

    @Test
    void captureBatchIntervalIsReadAndBoundedAtTenSeconds() {
        String withCapture = RING + "capture:\n  batch-interval: 10ms\n";
        assertThat(load(dir, withCapture).capture().batchInterval()).isEqualTo(Duration.ofMillis(10));

        ConfigProblem p = onlyProblem(dir, withCapture.replace("10ms", "1m"));
        assertThat(p.fieldPath()).isEqualTo("capture.batch-interval");
        assertThat(p.message()).isEqualTo("is longer than 10s; expected a positive duration with a unit, like 500ms, 30s, 5m or 1h,"
                + " at most 10s");
    }

    @Test
    void metricsAreOffUnlessAListenAddressIsGiven() {
        assertThat(load(dir, RING).metrics().listen()).isEmpty();

        MetricsSettings metrics = load(dir, RING + "metrics:\n  listen: 0.0.0.0:9464\n").metrics();
        assertThat(metrics.host()).contains("0.0.0.0");
        assertThat(metrics.port()).contains(9464);

        ConfigProblem p = onlyProblem(dir, RING + "metrics:\n  listen: 9464\n");
        assertThat(p.fieldPath()).isEqualTo("metrics.listen");
        assertThat(p.message()).contains("expected host:port like 127.0.0.1:9464");
        assertThat(onlyProblem(dir, RING + "metrics:\n  listen: localhost:70000\n").fieldPath()).isEqualTo("metrics.listen");
    }

    @Test
    void outboxTopicSettingsAreReadWithDefaultsForThreeBrokersAndRetentionForever() {
        CaptureSettings defaults = load(dir, RING).capture();
        assertThat(defaults.outboxRetention()).isEmpty();
        assertThat(defaults.outboxReplicationFactor()).isEqualTo(3);
        assertThat(defaults.outboxMinInsyncReplicas()).isEqualTo(2);

        CaptureSettings set = load(dir, RING + "capture:\n  outbox-retention: 720h\n  outbox-replication-factor: 1\n"
                + "  outbox-min-insync-replicas: 1\n").capture();
        assertThat(set.outboxRetention()).contains(Duration.ofHours(720));
        assertThat(set.outboxReplicationFactor()).isEqualTo(1);
        assertThat(set.outboxMinInsyncReplicas()).isEqualTo(1);
    }

    @Test
    void moreInsyncReplicasThanReplicasIsRefused() {
        ConfigProblem p = onlyProblem(dir, RING + "capture:\n  outbox-replication-factor: 2\n  outbox-min-insync-replicas: 3\n");

        assertThat(p.fieldPath()).isEqualTo("capture.outbox-min-insync-replicas");
        assertThat(p.message()).contains("more than outbox-replication-factor 2");
    }

    @Test
    void unknownCaptureKeyIsReportedWithASuggestion() {
        ConfigProblem p = onlyProblem(dir, RING + "capture:\n  batch-intervall: 10ms\n");

        assertThat(p.fieldPath()).isEqualTo("capture.batch-intervall");
        assertThat(p.message()).contains("batch-interval");
    }

    @Test
    void missingSectionIsReported() {
        String yaml = RING.replace("kafka:\n  bootstrap-servers: localhost:9092\n", "");
        ConfigProblem p = onlyProblem(dir, yaml);

        assertThat(p.line()).isEqualTo(1);
        assertThat(p.fieldPath()).isEqualTo("kafka");
        assertThat(p.message()).startsWith("missing (this node's own Kafka cluster, the only one it writes to); "
                + "expected a mapping with keys bootstrap-servers, security");
    }

    @Test
    void missingKeyIsReportedAtItsSection() {
        ConfigProblem p = onlyProblem(dir, ringWith("  url: jdbc:postgresql://localhost:5432/app\n", ""));

        assertThat(p.line()).isEqualTo(3);
        assertThat(p.column()).isEqualTo(1);
        assertThat(p.fieldPath()).isEqualTo("database.url");
        assertThat(p.message()).isEqualTo("missing (JDBC URL of this node's PostgreSQL); "
                + "expected a PostgreSQL JDBC URL like jdbc:postgresql://localhost:5432/app");
    }

    @Test
    void emptyValueIsReportedAsMissing() {
        ConfigProblem p = onlyProblem(dir, ringWith("  user: syncline", "  user:"));

        assertThat(p.line()).isEqualTo(5);
        assertThat(p.fieldPath()).isEqualTo("database.user");
        assertThat(p.message()).isEqualTo("is empty; expected a PostgreSQL role name");
    }

    @Test
    void nonPostgresJdbcUrlIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("jdbc:postgresql://localhost:5432/app", "jdbc:mysql://x/app"));

        assertThat(p.line()).isEqualTo(4);
        assertThat(p.column()).isEqualTo(8);
        assertThat(p.fieldPath()).isEqualTo("database.url");
    }

    @Test
    void invalidNodeIdIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  id: dc-a", "  id: DC_A"));

        assertThat(p.line()).isEqualTo(2);
        assertThat(p.column()).isEqualTo(7);
        assertThat(p.fieldPath()).isEqualTo("node.id");
        assertThat(p.message()).isEqualTo("'DC_A' is invalid; expected a node id of 1 to 32 characters a-z, 0-9 and -");
    }

    @Test
    void duplicateKeyIsRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("  pool-size: 8", "  pool-size: 8\n  user: other"));

        assertThat(p.line()).isEqualTo(8);
        assertThat(p.column()).isEqualTo(3);
        assertThat(p.fieldPath()).isEqualTo("database.user");
        assertThat(p.message()).isEqualTo("duplicate key (first at line 5); expected each key once");
    }

    @Test
    void bootstrapServersWithoutPortAreRejected() {
        ConfigProblem p = onlyProblem(dir, ringWith("localhost:9092", "localhost"));

        assertThat(p.line()).isEqualTo(9);
        assertThat(p.column()).isEqualTo(22);
        assertThat(p.fieldPath()).isEqualTo("kafka.bootstrap-servers");
        assertThat(p.message()).startsWith("'localhost' is not host:port; expected host:port");
    }

    @Test
    void bootstrapServersMayBeAListOrCommaSeparated() {
        assertThat(load(dir, ringWith("localhost:9092", "[k1:9092, k2:9092]")).kafka().bootstrapServers())
                .isEqualTo("k1:9092,k2:9092");
        assertThat(load(dir, ringWith("localhost:9092", "k1:9092, k2:9092")).kafka().bootstrapServers())
                .isEqualTo("k1:9092,k2:9092");
    }

    @Test
    void everyProblemIsReportedAtOnceInFileOrder() {
        String yaml = RING.replace("  id: dc-a", "  id: DC-A")
                .replace("pool-size: 8", "pool-size: many")
                .replace("failure-timeout: 30s", "failure-timout: 30s");
        Path file = TestConfigs.write(dir, yaml);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> NodeConfigLoader.load(file));

        assertThat(e.problems()).extracting(ConfigProblem::line).containsExactly(2, 7, 13);
        assertThat(e.getMessage().lines().toList()).hasSize(3).allSatisfy(line -> assertThat(line).startsWith(file + ":"));
        assertThat(e.getMessage().lines().toList().get(1)).isEqualTo(file + ":7:14: database.pool-size: "
                + "'many' is not an integer; expected an integer from 1 to 1024");
    }

    @Test
    void aBrokenSectionDoesNotHideProblemsInOthers() {
        List<ConfigProblem> found = problems(dir, RING.replace("  kind: ring", "  kind: circle")
                .replace("  - public.accounts", "  - public.accounts.extra"));

        assertThat(found).extracting(ConfigProblem::fieldPath).containsExactly("topology.kind", "tables[0]");
    }
}
