package io.syncline.connector.internal;

import io.syncline.core.codec.EventHeaders;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.TransactionChunk;
import io.syncline.core.schema.ReplicationSchema;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The newest transaction of a node's own in its outbox: where its chain continues. Kept in Kafka,
 * it survives the node's host; the outbox also holds forwarded transactions of other origins, so
 * the search reads back from the end in growing windows until it finds one of the node's own.
 */
public final class OutboxTail {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int FIRST_WINDOW = 256;

    private OutboxTail() {}

    /**
     * @param kafkaSettings client settings of the node's own Kafka
     * @return the node's newest published transaction, or empty when its outbox holds none
     * @throws org.apache.kafka.common.KafkaException when Kafka fails or does not answer in time
     */
    public static Optional<SourceTransaction> lastOwn(String nodeId, Map<String, Object> kafkaSettings) {
        Map<String, Object> settings = new HashMap<>(kafkaSettings);
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "syncline-" + nodeId + "-outbox-tail");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition partition = new TopicPartition(ReplicationSchema.outboxTopic(nodeId), 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            long beginning = consumer.beginningOffsets(List.of(partition), TIMEOUT).get(partition);
            long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
            long window = FIRST_WINDOW;
            while (end > beginning) {
                long from = Math.max(beginning, end - window);
                Optional<ConsumerRecord<byte[], byte[]>> found = lastOwnBetween(consumer, partition, nodeId, from, end);
                if (found.isPresent()) {
                    ConsumerRecord<byte[], byte[]> record = found.get();
                    List<String> path = EventHeaders.decodePath(header(record, EventHeaders.PATH));
                    if (TransactionCodec.isChunk(record.value())) {
                        TransactionChunk last = TransactionCodec.decodeChunk(record.value(), path);
                        return Optional.of(last.asTransaction(last.originPosition()));
                    }
                    return Optional.of(TransactionCodec.decode(record.value(), path));
                }
                end = from;
                window *= 2;
            }
            return Optional.empty();
        }
    }

    private static Optional<ConsumerRecord<byte[], byte[]>> lastOwnBetween(KafkaConsumer<byte[], byte[]> consumer,
            TopicPartition partition, String nodeId, long from, long to) {
        consumer.seek(partition, from);
        ConsumerRecord<byte[], byte[]> last = null;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        // Transaction markers take offsets too: read until the position passes the window's end.
        while (consumer.position(partition) < to) {
            if (System.nanoTime() > deadline) {
                throw new org.apache.kafka.common.errors.TimeoutException("reading " + partition.topic() + " from offset "
                        + from + " to " + to + " took longer than " + TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                // A large transaction's chunks commit together with its last one, the only one with its position.
                if (record.offset() < to && nodeId.equals(originOf(record)) && (!TransactionCodec.isChunk(record.value())
                        || TransactionCodec.decodeChunkHeader(record.value(), List.of(nodeId)).last())) {
                    last = record;
                }
            }
        }
        return Optional.ofNullable(last);
    }

    private static String originOf(ConsumerRecord<byte[], byte[]> record) {
        byte[] origin = header(record, EventHeaders.ORIGIN);
        return origin == null ? null : new String(origin, StandardCharsets.UTF_8);
    }

    private static byte[] header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : header.value();
    }
}
