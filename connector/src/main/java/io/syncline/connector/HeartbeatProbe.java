package io.syncline.connector;

import io.syncline.core.schema.ReplicationSchema;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Asks a peer's own Kafka how far the peer's heartbeat topic has come (its end offset). The
 * offset moves while the peer runs; it stands still when the peer stopped, and the question
 * goes unanswered when the peer's Kafka is gone. No records are read and no consumer group is
 * used. Not thread-safe: one monitoring thread owns a probe.
 */
public final class HeartbeatProbe implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition partition;

    /** @param kafkaSettings client settings for the peer's Kafka: at least {@code bootstrap.servers}, plus its security */
    public HeartbeatProbe(String localNode, String peer, Map<String, Object> kafkaSettings) {
        Map<String, Object> settings = new HashMap<>(kafkaSettings);
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "syncline-" + localNode + "-watches-" + peer);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        settings.putIfAbsent(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        settings.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        settings.putIfAbsent(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        this.consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.partition = new TopicPartition(ReplicationSchema.heartbeatTopic(peer), 0);
        // Assigned, though never polled: the consumer warns about end offsets of unassigned partitions.
        consumer.assign(List.of(partition));
    }

    /** The heartbeat topic's end offset, or empty if the peer's Kafka does not answer within {@code timeout}. */
    public OptionalLong endOffset(Duration timeout) {
        try {
            Long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            return end == null ? OptionalLong.empty() : OptionalLong.of(end);
        } catch (KafkaException e) {
            // Timeouts, an unknown topic (the peer never ran), a lost connection: all mean no sign of life now.
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
