package io.syncline.lab.env;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Checks that the servers of an {@link Environment} are what replication needs: PostgreSQL
 * with logical decoding and commit timestamps, Kafka that takes and returns a record.
 * Stateless and thread-safe; every probe opens and closes its own connections.
 */
public final class EnvironmentProbe {

    /** The topic that Kafka probes write to; one partition. */
    public static final String PROBE_TOPIC = "syncline-probe";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private EnvironmentProbe() {}

    /**
     * What one PostgreSQL server reports about itself; {@code version} is the bare version
     * number (e.g. {@code 17.6}), without a distribution suffix such as {@code (Debian 15.18-0+deb12u1)}.
     */
    public record PostgresHealth(String name, String version, String jdbcUrl, String walLevel,
            String trackCommitTimestamp) {

        /** True when the server can feed logical replication with commit timestamps. */
        public boolean healthy() {
            return "logical".equals(walLevel) && "on".equals(trackCommitTimestamp);
        }
    }

    /** What one Kafka cluster reports, and how long a record took from send to receipt. */
    public record KafkaHealth(String name, String bootstrapServers, String clusterId, Duration roundTrip) {}

    /**
     * Connects to {@code server} with its superuser and reads its version and settings.
     *
     * @throws IllegalStateException when it cannot connect or query
     */
    public static PostgresHealth probe(PostgresServer server) {
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT current_setting('server_version'),"
                        + " current_setting('wal_level'), current_setting('track_commit_timestamp')")) {
            row.next();
            String version = row.getString(1).split(" ", 2)[0];
            return new PostgresHealth(server.name(), version, server.jdbcUrl(), row.getString(2),
                    row.getString(3));
        } catch (SQLException e) {
            throw new IllegalStateException("[" + server.name() + "] PostgreSQL probe of " + server.jdbcUrl()
                    + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the cluster id of {@code cluster}, then sends one record to {@link #PROBE_TOPIC}
     * (created if absent) and reads it back from its offset.
     *
     * @throws IllegalStateException when any step fails or takes longer than 30 s
     */
    public static KafkaHealth probe(KafkaCluster cluster) {
        String bootstrap = cluster.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            String clusterId = admin.describeCluster().clusterId().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            createProbeTopic(admin);
            return new KafkaHealth(cluster.name(), bootstrap, clusterId, roundTrip(bootstrap));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("[" + cluster.name() + "] Kafka probe of " + bootstrap + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("[" + cluster.name() + "] Kafka probe interrupted", e);
        }
    }

    private static void createProbeTopic(Admin admin) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            admin.createTopics(List.of(new NewTopic(PROBE_TOPIC, 1, (short) 1)))
                    .all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private static Duration roundTrip(String bootstrap) throws InterruptedException, ExecutionException, TimeoutException {
        String key = UUID.randomUUID().toString();
        TopicPartition partition = new TopicPartition(PROBE_TOPIC, 0);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                        new StringDeserializer())) {
            consumer.assign(Set.of(partition));
            // Warm both clients up so that the measurement is the record's trip, not connection setup.
            consumer.seekToEnd(Set.of(partition));
            consumer.position(partition, TIMEOUT);
            producer.partitionsFor(PROBE_TOPIC);
            long sentAt = System.nanoTime();
            RecordMetadata sent = producer.send(new ProducerRecord<>(PROBE_TOPIC, 0, key, "probe"))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            consumer.seek(partition, sent.offset());
            long deadline = sentAt + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    if (key.equals(record.key())) {
                        return Duration.ofNanos(System.nanoTime() - sentAt);
                    }
                }
            }
            throw new TimeoutException("probe record " + key + " sent to offset " + sent.offset()
                    + " was not read back within " + TIMEOUT.toSeconds() + " s");
        }
    }

}
