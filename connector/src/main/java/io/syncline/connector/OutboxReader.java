package io.syncline.connector;

import io.syncline.core.codec.EventHeaders;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.schema.ReplicationSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads an upstream node's outbox from that node's own Kafka cluster (the pull model of
 * cross-datacenter mirroring: a node writes only to its own Kafka and reads its neighbours').
 *
 * <p>No consumer group: the reader is assigned the outbox's single partition and the caller
 * seeks to the offset it stored in its database with the last applied batch, so the database
 * stays the truth about what was applied. Not thread-safe: one link thread owns a reader.
 */
public final class OutboxReader implements AutoCloseable {

    /** The most bytes one fetch from an outbox brings. */
    static final int MAX_FETCH_BYTES = 8 * 1024 * 1024;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final RecordValidator validator;
    private final List<RejectedRecord> rejected = new ArrayList<>();
    private final KafkaClientListener.Registration registration;

    /**
     * A reader for observers (the demo, tests): a record that does not decode fails {@link #poll}
     * with a {@link io.syncline.core.codec.MalformedEventException}.
     *
     * @param upstreamNode  the node whose outbox is read
     * @param kafkaSettings client settings for the upstream's Kafka: at least {@code bootstrap.servers},
     *                      plus its security settings
     */
    public OutboxReader(String localNode, String upstreamNode, Map<String, Object> kafkaSettings) {
        this(localNode, upstreamNode, kafkaSettings, null, KafkaClientListener.NONE);
    }

    /**
     * A reader that checks every record with {@code validator}: {@link #poll} returns those that
     * pass, and {@link #takeRejected} those that do not.
     */
    public OutboxReader(String localNode, String upstreamNode, Map<String, Object> kafkaSettings, RecordValidator validator) {
        this(localNode, upstreamNode, kafkaSettings, validator, KafkaClientListener.NONE);
    }

    /**
     * As {@link #OutboxReader(String, String, Map, RecordValidator)}, telling {@code clients} of its consumer.
     *
     * @param validator checks every record, or {@code null} for a reader whose {@link #poll} fails on a record
     *                  that does not decode
     */
    public OutboxReader(String localNode, String upstreamNode, Map<String, Object> kafkaSettings, RecordValidator validator,
            KafkaClientListener clients) {
        this.validator = validator;
        Map<String, Object> settings = new HashMap<>(kafkaSettings);
        String clientId = "syncline-" + localNode + "-from-" + upstreamNode;
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // Never jump: an offset that is no longer in the outbox is a gap to report, not a place to restart from.
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        // OutboxPublisher writes in Kafka transactions: an aborted (failed, then re-sent) group
        // must stay invisible, or a later transaction could be read before an earlier one.
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        settings.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
        // Bounds the raw bytes a fetch holds: with large transactions in chunks no record needs more (an older,
        // larger record is still fetched whole, KIP-74). See docs/large-transactions.md.
        settings.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_FETCH_BYTES);
        settings.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, MAX_FETCH_BYTES);
        this.consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.partition = new TopicPartition(ReplicationSchema.outboxTopic(upstreamNode), 0);
        consumer.assign(List.of(partition));
        this.registration = clients.opened(consumer, clientId);
    }

    /** The outbox's name. */
    public String topic() {
        return partition.topic();
    }

    /**
     * The offsets of the outbox's first record still held and of the next record to come.
     *
     * @throws org.apache.kafka.common.errors.TimeoutException if the broker does not answer in time
     */
    public Bounds bounds(Duration timeout) {
        long beginning = consumer.beginningOffsets(List.of(partition), timeout).get(partition);
        long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
        return new Bounds(beginning, end);
    }

    /**
     * Whether the outbox exists. With {@code allow.auto.create.topics=false} in the settings this asks without
     * creating it (otherwise the broker may create it with its defaults, not its node's settings).
     *
     * @throws org.apache.kafka.common.errors.TimeoutException if the broker does not answer in time
     */
    public boolean exists(Duration timeout) {
        return !consumer.partitionsFor(partition.topic(), timeout).isEmpty();
    }

    /** Where an outbox begins (its oldest record still held) and ends (the offset of the next record). */
    public record Bounds(long beginning, long end) {}

    /** Continues at {@code nextOffset}, or at the beginning of the outbox when empty. */
    public void seek(OptionalLong nextOffset) {
        if (nextOffset.isPresent()) {
            consumer.seek(partition, nextOffset.getAsLong());
        } else {
            consumer.seekToBeginning(List.of(partition));
        }
    }

    /**
     * Waits up to {@code timeout} for records and decodes them in outbox order; chunks of large
     * transactions only as far as their identity ({@link ReceivedTransaction#chunk()}). With a
     * {@link RecordValidator}, records that fail it are left out and kept for {@link #takeRejected}.
     *
     * @throws io.syncline.core.codec.MalformedEventException without a validator, for a record that is
     *         not a valid transaction; the reader does not move past it
     */
    public List<ReceivedTransaction> poll(Duration timeout) {
        List<ReceivedTransaction> received = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            if (validator != null) {
                RecordValidator.Outcome outcome = validator.check(record.topic(), record.offset(), record.headers(), record.value());
                if (outcome.accepted() != null) {
                    received.add(outcome.accepted());
                } else {
                    rejected.add(outcome.rejected());
                }
                continue;
            }
            List<String> path = EventHeaders.decodePath(header(record, EventHeaders.PATH));
            if (TransactionCodec.isChunk(record.value())) {
                // The changes stay encoded until the link applies the chunk.
                received.add(new ReceivedTransaction(null, TransactionCodec.decodeChunkHeader(record.value(), path),
                        record.value(), record.offset()));
                continue;
            }
            received.add(new ReceivedTransaction(TransactionCodec.decode(record.value(), path), record.value(), record.offset()));
        }
        return received;
    }

    /** The records that failed the validator since the last call, in outbox order; empties the list. */
    public List<RejectedRecord> takeRejected() {
        List<RejectedRecord> taken = List.copyOf(rejected);
        rejected.clear();
        return taken;
    }

    /**
     * Where the next poll continues: past every record returned so far and past Kafka's
     * transaction markers, which take offsets of their own. This, not the last record's offset
     * + 1, is the offset to store for resuming and to compare with {@link #endOffset}.
     */
    public long position() {
        return consumer.position(partition);
    }

    /** The offset of the next record the upstream outbox will hold, or empty if the broker does not answer in time. */
    public OptionalLong endOffset(Duration timeout) {
        try {
            Long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            return end == null ? OptionalLong.empty() : OptionalLong.of(end);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return OptionalLong.empty();
        }
    }

    private static byte[] header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : header.value();
    }

    @Override
    public void close() {
        registration.close();
        consumer.close(Duration.ofSeconds(5));
    }
}
