package io.syncline.it.env;

import static java.util.concurrent.CompletableFuture.supplyAsync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.syncline.it.env.ContainerEnvironment.ContainerKafka;
import io.syncline.it.env.ContainerEnvironment.ContainerPostgres;
import io.syncline.lab.env.KafkaCluster;
import io.syncline.lab.env.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The container backend against a real Docker engine: two PostgreSQL servers and two Kafka
 * clusters, reads and writes on each, and restarts that keep address and data.
 *
 * <p>Runs when {@link TestEnvironments} selects the container backend: when it is configured
 * ({@code -Dsyncline.it.backend=containers} or {@code SYNCLINE_IT_BACKEND=containers}; then it
 * fails if no Docker engine answers), or when nothing is configured and an engine answers.
 * Otherwise the run uses local processes and these tests are skipped.
 */
class ContainerEnvironmentIT {

    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);

    private static ContainerEnvironment environment;
    private static ContainerPostgres postgresA;
    private static ContainerPostgres postgresB;
    private static ContainerKafka kafkaA;
    private static ContainerKafka kafkaB;

    private static final boolean CONTAINERS_SELECTED =
            TestEnvironments.selectedBackend() == TestEnvironments.Backend.CONTAINERS;

    @BeforeAll
    static void startTwoDatacenters() {
        if (!CONTAINERS_SELECTED) {
            return;
        }
        // Not Testcontainers' isDockerAvailable(): without an engine it may retry for minutes (see DockerEngine).
        if (!DockerEngine.answers()) {
            fail("No Docker engine answers, so the container backend cannot be tested. Start"
                    + " dockerd (as .ci/run does), or run with -Dsyncline.it.backend=embedded to"
                    + " use local processes instead.");
        }
        environment = new ContainerEnvironment();
        long started = System.nanoTime();
        // In parallel, as a test of several datacenters would start them.
        ExecutorService starter = Executors.newFixedThreadPool(4);
        try {
            CompletableFuture<ContainerPostgres> pgA = supplyAsync(() -> environment.startPostgres("dc-a"), starter);
            CompletableFuture<ContainerPostgres> pgB = supplyAsync(() -> environment.startPostgres("dc-b"), starter);
            CompletableFuture<ContainerKafka> kA = supplyAsync(() -> environment.startKafka("dc-a"), starter);
            CompletableFuture<ContainerKafka> kB = supplyAsync(() -> environment.startKafka("dc-b"), starter);
            CompletableFuture.allOf(pgA, pgB, kA, kB).join();
            postgresA = pgA.join();
            postgresB = pgB.join();
            kafkaA = kA.join();
            kafkaB = kB.join();
        } finally {
            starter.shutdown();
        }
        System.out.printf("Container startup (ms): postgres dc-a %d, postgres dc-b %d, kafka dc-a %d,"
                + " kafka dc-b %d; all four in parallel %d%n",
                postgresA.startupMillis(), postgresB.startupMillis(), kafkaA.startupMillis(),
                kafkaB.startupMillis(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @BeforeEach
    void skipWhenEmbeddedBackendSelected() {
        // Skipped per test rather than in @BeforeAll, so that the reports count them as skipped.
        assumeTrue(CONTAINERS_SELECTED, "The embedded backend is selected (configured, or no Docker engine"
                + " answers): this run uses local processes, not containers, so the container backend is not tested");
    }

    @AfterAll
    static void closeEnvironment() {
        if (environment != null) {
            environment.close();
        }
    }

    @Test
    void everyPostgresServerStoresAndReturnsARow() throws SQLException {
        for (PostgresServer server : List.of(postgresA, postgresB)) {
            try (Connection c = connect(server); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS greeting (id int PRIMARY KEY, text text NOT NULL)");
                s.execute("INSERT INTO greeting VALUES (1, 'hello from " + server.name() + "')"
                        + " ON CONFLICT (id) DO NOTHING");
            }
            assertThat(greeting(server)).contains("hello from " + server.name());
            try (Connection c = connect(server); Statement s = c.createStatement();
                    ResultSet settings = s.executeQuery("SELECT current_setting('wal_level'),"
                            + " current_setting('track_commit_timestamp')")) {
                settings.next();
                assertThat(settings.getString(1)).isEqualTo("logical");
                assertThat(settings.getString(2)).isEqualTo("on");
            }
        }
    }

    @Test
    void everyKafkaClusterCarriesARecordWithHeaders() throws Exception {
        for (KafkaCluster cluster : List.of(kafkaA, kafkaB)) {
            String topic = "env-check-" + cluster.name();
            createTopic(cluster, topic);
            produce(cluster, topic, "k1", "v1 " + cluster.name());
            ConsumerRecord<String, String> record = consumeAll(cluster, topic).get(0);
            assertThat(record.value()).isEqualTo("v1 " + cluster.name());
            assertThat(header(record, "origin")).isEqualTo(cluster.name());
        }
    }

    @Test
    void postgresRestartsOnTheSamePortWithItsData() throws SQLException {
        try (Connection c = connect(postgresA); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE survivor (id int PRIMARY KEY, text text NOT NULL)");
            s.execute("INSERT INTO survivor VALUES (1, 'still here')");
        }
        String url = postgresA.jdbcUrl();

        postgresA.stop();
        assertThat(postgresA.isRunning()).isFalse();
        postgresA.start();

        assertThat(postgresA.isRunning()).isTrue();
        assertThat(postgresA.jdbcUrl()).isEqualTo(url);
        try (Connection c = DriverManager.getConnection(url, postgresA.user(), postgresA.password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT text FROM survivor WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("still here");
        }
    }

    @Test
    void kafkaRestartsOnTheSameBootstrapWithItsTopics() throws Exception {
        String topic = "restart-check";
        createTopic(kafkaB, topic);
        produce(kafkaB, topic, "before", "written before the restart");
        String bootstrap = kafkaB.bootstrapServers();

        kafkaB.stop();
        assertThat(kafkaB.isRunning()).isFalse();
        kafkaB.start();

        assertThat(kafkaB.bootstrapServers()).isEqualTo(bootstrap);
        produce(kafkaB, topic, "after", "written after the restart");
        assertThat(consumeAll(kafkaB, topic)).extracting(ConsumerRecord::value)
                .containsExactly("written before the restart", "written after the restart");
    }

    @Test
    void containersRunTheConfiguredImages() {
        assertThat(environment.postgresImage()).isEqualTo(ContainerEnvironment.configuredPostgresImage());
        assertThat(environment.kafkaImage()).isEqualTo(ContainerEnvironment.configuredKafkaImage());
        assertThat(List.of(postgresA.image(), postgresB.image()))
                .containsOnly(ContainerEnvironment.configuredPostgresImage());
        assertThat(List.of(kafkaA.image(), kafkaB.image()))
                .containsOnly(ContainerEnvironment.configuredKafkaImage());
        System.out.printf("Images: postgres %s, kafka %s%n", postgresA.image(), kafkaA.image());
    }

    private static Connection connect(PostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
    }

    private static Optional<String> greeting(PostgresServer server) throws SQLException {
        try (Connection c = connect(server);
                PreparedStatement s = c.prepareStatement("SELECT text FROM greeting WHERE id = ?")) {
            s.setInt(1, 1);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static void createTopic(KafkaCluster cluster, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void produce(KafkaCluster cluster, String topic, String key, String value) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            record.headers().add("origin", cluster.name().getBytes(StandardCharsets.UTF_8));
            producer.send(record).get(30, TimeUnit.SECONDS);
        }
    }

    /** Every record of partition 0 of {@code topic}, read from the beginning up to its end. */
    private static List<ConsumerRecord<String, String>> consumeAll(KafkaCluster cluster, String topic) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), CONSUME_TIMEOUT).get(partition);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
            while (consumer.position(partition, CONSUME_TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    fail("read " + records.size() + " records of " + topic + " on " + cluster.name()
                            + " within " + CONSUME_TIMEOUT + ", expected " + end);
                }
                consumer.poll(Duration.ofMillis(500)).records(partition).forEach(records::add);
            }
            return records;
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
