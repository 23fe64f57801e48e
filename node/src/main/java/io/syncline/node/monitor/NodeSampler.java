package io.syncline.node.monitor;

import com.zaxxer.hikari.HikariDataSource;
import io.syncline.core.config.KafkaConfig;
import io.syncline.core.config.NodeConfig;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.internal.KafkaSettings;
import io.syncline.node.metrics.CatchUpEstimate;
import io.syncline.node.runtime.DataSources;
import io.syncline.node.runtime.LinkStatus;
import io.syncline.node.runtime.SynclineNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the node's database and the Kafka clusters what the node cannot know by itself: whether
 * its database and its own Kafka answer, the WAL its capture's slot retains, the changes parked
 * in {@code syncline.dead_letter}, and each upstream outbox's end offset (for records behind).
 * Every call waits at most {@link #TIMEOUT} per system asked. Not thread-safe: one sampling
 * thread owns it.
 */
final class NodeSampler implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(NodeSampler.class);

    private final SynclineNode node;
    private final NodeConfig config;
    private final Clock clock;
    private final HikariDataSource database;
    private final Map<String, KafkaConsumer<byte[], byte[]>> consumers = new HashMap<>();
    private final Map<String, Long> lastEndOffsets = new HashMap<>();
    private final Map<String, long[]> lastAppliedRows = new HashMap<>();
    private final Map<String, CatchUpEstimate> catchUps = new HashMap<>();

    NodeSampler(SynclineNode node, NodeConfig config, Clock clock) {
        this.node = node;
        this.config = config;
        this.clock = clock;
        this.database = DataSources.create(config.nodeId() + "-monitor", config.database().url(), config.database().user(),
                config.database().password().reveal(), 1);
        // Runtime-settable in HikariCP: a sample must not wait the pool's default 10 s for a dead server.
        database.setConnectionTimeout(TIMEOUT.toMillis());
    }

    /** What the database, the Kafka clusters and the node's links say now. */
    NodeSample sample() {
        Instant at = clock.instant();
        List<String> problems = new ArrayList<>();
        DatabaseFacts db = readDatabase(problems);
        String ownKafkaProblem = endOffset(config.nodeId(), config.kafka()).isPresent() ? null
                : "its Kafka (" + config.kafka().bootstrapServers() + ") did not answer within " + TIMEOUT.toSeconds() + " s";
        if (ownKafkaProblem != null) {
            problems.add(ownKafkaProblem);
        }
        Map<String, NodeSample.LinkFacts> links = new LinkedHashMap<>();
        for (LinkStatus link : node.links()) {
            links.put(link.upstream(), linkFacts(link, at));
        }
        return new NodeSample(at, List.copyOf(problems), db.walRetained, db.walPending, db.deadLetter, links);
    }

    private record DatabaseFacts(OptionalLong walRetained, OptionalLong walPending, OptionalLong deadLetter) {}

    private DatabaseFacts readDatabase(List<String> problems) {
        String slot = ReplicationSchema.slotName(config.nodeId());
        try (Connection connection = database.getConnection()) {
            OptionalLong retained = OptionalLong.empty();
            OptionalLong pending = OptionalLong.empty();
            // pg_replication_slots: restart_lsn is the oldest WAL the slot keeps; confirmed_flush_lsn what the capture confirmed.
            try (PreparedStatement slotLag = connection.prepareStatement("SELECT (pg_current_wal_lsn() - restart_lsn)::bigint,"
                    + " (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
                slotLag.setQueryTimeout((int) TIMEOUT.toSeconds());
                slotLag.setString(1, slot);
                try (ResultSet rs = slotLag.executeQuery()) {
                    if (rs.next()) {
                        retained = optional(rs, 1);
                        pending = optional(rs, 2);
                    } else {
                        problems.add("its replication slot " + slot + " does not exist");
                    }
                }
            }
            long deadLetter;
            try (Statement count = connection.createStatement()) {
                count.setQueryTimeout((int) TIMEOUT.toSeconds());
                try (ResultSet rs = count.executeQuery("SELECT count(*) FROM syncline.dead_letter")) {
                    rs.next();
                    deadLetter = rs.getLong(1);
                }
            }
            return new DatabaseFacts(retained, pending, OptionalLong.of(deadLetter));
        } catch (SQLException e) {
            problems.add("its database (" + config.database().url() + ") did not answer: " + e.getMessage());
            return new DatabaseFacts(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
        }
    }

    private static OptionalLong optional(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(value);
    }

    private NodeSample.LinkFacts linkFacts(LinkStatus link, Instant at) {
        String upstream = link.upstream();
        OptionalLong end = config.peer(upstream).map(p -> endOffset(upstream, p.kafka())).orElse(OptionalLong.empty());
        // While the upstream's Kafka does not answer, its last known end offset stands (the outbox only grows).
        end.ifPresent(e -> lastEndOffsets.put(upstream, e));
        Long known = lastEndOffsets.get(upstream);
        long next = link.nextOffset();
        OptionalLong behind = known == null || next < 0 ? OptionalLong.empty() : OptionalLong.of(Math.max(0, known - next));
        long rows = link.appliedRows();
        long[] previous = lastAppliedRows.put(upstream, new long[] {at.toEpochMilli(), rows});
        double rate = 0;
        if (previous != null && at.toEpochMilli() > previous[0]) {
            rate = (rows - previous[1]) * 1000.0 / (at.toEpochMilli() - previous[0]);
        }
        CatchUpEstimate.Estimate catchUp = catchUps.computeIfAbsent(upstream, u -> CatchUpEstimate.recent())
                .record(at.toEpochMilli(), behind.orElse(-1));
        return new NodeSample.LinkFacts(behind, bytesBehind(behind, link.bytesPerOffset()), end.isPresent(), rate, catchUp);
    }

    /** Records behind times the mean bytes per offset the link read: NaN when either is unknown, 0 when nothing is behind. */
    static double bytesBehind(OptionalLong recordsBehind, double bytesPerOffset) {
        if (recordsBehind.isEmpty()) {
            return Double.NaN;
        }
        return recordsBehind.getAsLong() == 0 ? 0 : Math.round(recordsBehind.getAsLong() * bytesPerOffset);
    }

    /** The end offset (last stable offset) of {@code outboxNode}'s outbox, or empty if its Kafka did not answer in time. */
    private OptionalLong endOffset(String outboxNode, KafkaConfig kafka) {
        TopicPartition partition = outboxPartition(outboxNode);
        try {
            Long end = consumer(outboxNode, kafka).endOffsets(List.of(partition), TIMEOUT).get(partition);
            return end == null ? OptionalLong.empty() : OptionalLong.of(end);
        } catch (KafkaException e) {
            log.debug("[{}] end offset of {}: {}", config.nodeId(), partition, e.toString());
            return OptionalLong.empty();
        }
    }

    private static TopicPartition outboxPartition(String outboxNode) {
        return new TopicPartition(ReplicationSchema.outboxTopic(outboxNode), 0);
    }

    private KafkaConsumer<byte[], byte[]> consumer(String outboxNode, KafkaConfig kafka) {
        return consumers.computeIfAbsent(outboxNode, n -> {
            Map<String, Object> settings = new HashMap<>(KafkaSettings.of(kafka));
            settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "syncline-" + config.nodeId() + "-monitor-" + n);
            // The same end as the links' read_committed readers see: past the last committed Kafka transaction.
            settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            // Assigned (never polled): the client then keeps the last stable offset it fetches instead of warning.
            consumer.assign(List.of(outboxPartition(n)));
            return consumer;
        });
    }

    @Override
    public void close() {
        consumers.values().forEach(c -> c.close(Duration.ofSeconds(2)));
        database.close();
    }
}
