package io.syncline.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.syncline.it.env.TestEnvironments;
import io.syncline.lab.env.Environment;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.Test;

/** Two datacenters' PostgreSQL and Kafka start, serve, survive a restart and keep their data. */
class EnvironmentSmokeIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Environment environment;
    private static PostgresServer pgA;
    private static PostgresServer pgB;
    private static KafkaCluster kafkaA;
    private static KafkaCluster kafkaB;

    @BeforeAll
    static void startTwoDatacenters() {
        long startedAt = System.nanoTime();
        environment = TestEnvironments.create();
        pgA = timed("PostgreSQL dc-a", () -> environment.startPostgres("dc-a"));
        pgB = timed("PostgreSQL dc-b", () -> environment.startPostgres("dc-b"));
        kafkaA = timed("Kafka dc-a", () -> environment.startKafka("dc-a"));
        kafkaB = timed("Kafka dc-b", () -> environment.startKafka("dc-b"));
        System.out.printf("[timing] %s environment: 2 PostgreSQL + 2 Kafka started one after another in %d ms%n",
                environment.backendName(), millisSince(startedAt));
    }

    @AfterAll
    static void closeEnvironment() {
        if (environment != null) {
            long startedAt = System.nanoTime();
            environment.close();
            System.out.printf("[timing] environment closed in %d ms%n", millisSince(startedAt));
        }
    }

    @Test
    void postgresHasLogicalDecodingAndCommitTimestamps() throws SQLException {
        for (PostgresServer pg : List.of(pgA, pgB)) {
            try (Connection connection = connect(pg); Statement statement = connection.createStatement()) {
                assertThat(show(statement, "wal_level")).as(pg.name()).isEqualTo("logical");
                assertThat(show(statement, "track_commit_timestamp")).as(pg.name()).isEqualTo("on");
            }
        }
    }

    @Test
    void eachPostgresStoresAndReturnsARow() throws SQLException {
        for (PostgresServer pg : List.of(pgA, pgB)) {
            try (Connection connection = connect(pg); Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE greeting (id int PRIMARY KEY, text varchar NOT NULL)");
                statement.execute("INSERT INTO greeting VALUES (1, 'hello from " + pg.name() + "')");
                assertThat(readGreeting(connection)).isEqualTo("hello from " + pg.name());
            }
        }
    }

    @Test
    void stoppedPostgresRefusesConnectionsAndKeepsItsDataAcrossRestart() throws SQLException {
        try (Connection connection = connect(pgB); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE survivor (id int PRIMARY KEY, text varchar NOT NULL)");
            statement.execute("INSERT INTO survivor VALUES (1, 'still here')");
        }
        int port = pgB.port();

        long stoppedAt = System.nanoTime();
        pgB.stop();
        System.out.printf("[timing] PostgreSQL dc-b stopped in %d ms%n", millisSince(stoppedAt));
        assertThat(pgB.isRunning()).isFalse();
        assertThatThrownBy(() -> connect(pgB).close()).isInstanceOf(SQLException.class);

        long startedAt = System.nanoTime();
        pgB.start();
        System.out.printf("[timing] PostgreSQL dc-b started again in %d ms%n", millisSince(startedAt));
        assertThat(pgB.isRunning()).isTrue();
        assertThat(pgB.port()).isEqualTo(port);
        try (Connection connection = connect(pgB);
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT text FROM survivor WHERE id = 1")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("still here");
        }
    }

    @Test
    void eachKafkaReturnsKeyValueAndHeaders() {
        for (KafkaCluster kafka : List.of(kafkaA, kafkaB)) {
            String topic = "smoke-" + kafka.name();
            String key = UUID.randomUUID().toString();
            long offset = produce(kafka, topic, key, "value from " + kafka.name(), "origin", kafka.name());
            ConsumerRecord<String, String> record = consumeAt(kafka, topic, offset);
            assertThat(record.key()).isEqualTo(key);
            assertThat(record.value()).isEqualTo("value from " + kafka.name());
            assertThat(headers(record)).containsExactly(Map.entry("origin", kafka.name()));
        }
    }

    @Test
    void restartedKafkaKeepsItsTopicsAndServesAgain() {
        String topic = "smoke-restart";
        long before = produce(kafkaB, topic, "before", "written before restart", "phase", "before");
        String bootstrap = kafkaB.bootstrapServers();

        long stoppedAt = System.nanoTime();
        kafkaB.stop();
        System.out.printf("[timing] Kafka dc-b stopped in %d ms%n", millisSince(stoppedAt));
        assertThat(kafkaB.isRunning()).isFalse();

        long startedAt = System.nanoTime();
        kafkaB.start();
        System.out.printf("[timing] Kafka dc-b started again in %d ms%n", millisSince(startedAt));
        assertThat(kafkaB.bootstrapServers()).isEqualTo(bootstrap);

        long after = produce(kafkaB, topic, "after", "written after restart", "phase", "after");
        assertThat(after).isEqualTo(before + 1);
        assertThat(consumeAt(kafkaB, topic, before).value()).isEqualTo("written before restart");
        ConsumerRecord<String, String> record = consumeAt(kafkaB, topic, after);
        assertThat(record.key()).isEqualTo("after");
        assertThat(headers(record)).containsExactly(Map.entry("phase", "after"));
    }

    private static Connection connect(PostgresServer pg) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    }

    private static String show(Statement statement, String setting) throws SQLException {
        try (ResultSet row = statement.executeQuery("SHOW " + setting)) {
            row.next();
            return row.getString(1);
        }
    }

    private static String readGreeting(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT text FROM greeting WHERE id = ?")) {
            query.setInt(1, 1);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                return row.getString(1);
            }
        }
    }

    /** Sends one record to partition 0 and returns its offset. */
    private static long produce(KafkaCluster kafka, String topic, String key, String value, String header,
            String headerValue) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, key, value);
            record.headers().add(header, headerValue.getBytes(StandardCharsets.UTF_8));
            return producer.send(record).get(WAIT.toSeconds(), TimeUnit.SECONDS).offset();
        } catch (Exception e) {
            throw new AssertionError("Cannot produce to " + topic + " on " + kafka, e);
        }
    }

    private static ConsumerRecord<String, String> consumeAt(KafkaCluster kafka, String topic, long offset) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(Set.of(partition));
            consumer.seek(partition, offset);
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(received::add);
                return received.stream().anyMatch(r -> r.offset() == offset);
            });
            return received.stream().filter(r -> r.offset() == offset).findFirst().orElseThrow();
        }
    }

    private static List<Map.Entry<String, String>> headers(ConsumerRecord<String, String> record) {
        List<Map.Entry<String, String>> result = new ArrayList<>();
        for (Header header : record.headers()) {
            result.add(Map.entry(header.key(), new String(header.value(), StandardCharsets.UTF_8)));
        }
        return result;
    }

    private static <T> T timed(String what, java.util.function.Supplier<T> start) {
        long startedAt = System.nanoTime();
        T started = start.get();
        System.out.printf("[timing] %s ready in %d ms%n", what, millisSince(startedAt));
        return started;
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
