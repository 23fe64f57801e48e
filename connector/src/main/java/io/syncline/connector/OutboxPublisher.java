package io.syncline.connector;

import io.syncline.core.codec.EventHeaders;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.event.TransactionChunk;
import io.syncline.core.schema.ReplicationSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes transactions to a node's outbox topic ({@link ReplicationSchema#outboxTopic}) in its own
 * Kafka cluster: one record per source transaction, key = origin node id, headers
 * {@link EventHeaders#ORIGIN}, {@link EventHeaders#PATH}, {@link EventHeaders#POSITION},
 * {@link EventHeaders#FORMAT}, value = {@link TransactionCodec#encodeBody} body.
 *
 * <p>Each call writes its records in one Kafka transaction ({@code transactional.id =
 * syncline-<node>-<role>}), and returns only once Kafka committed it. So a failure never leaves
 * a later transaction of an origin visible before an earlier one, a retry after a failure is a
 * clean re-send, and a second publisher with the same node and role fences the first (a zombie
 * capture cannot write). <b>Readers must use {@code isolation.level=read_committed}</b>, as
 * {@link OutboxReader} does.
 *
 * <p>Somewhat over 400 lines: whole transactions, chunks and forwards share one Kafka transaction
 * discipline (one producer, fenced on conflict, discarded on failure), which reads best in one place.
 *
 * <p>A source transaction too large for one record is published as chunks
 * ({@link #beginChunks}, {@link #sendChunk}, {@link #commitChunks}), all in one Kafka transaction
 * that stays open while the capture streams the source transaction, so that readers see all of its
 * chunks or none (docs/large-transactions.md).
 *
 * <p>Thread-safe; calls are serialised. After a failure the next call starts a new producer. The
 * caller decides whether to retry (see {@code CaptureErrors}).
 */
public final class OutboxPublisher implements AutoCloseable {

    /** The largest transaction body the outbox takes; a bigger transaction stops the capture. */
    public static final int MAX_TRANSACTION_BYTES = 32 * 1024 * 1024;
    // Record and batch framing around the body: headers, key, record and batch headers.
    private static final int RECORD_OVERHEAD = 64 * 1024;
    /**
     * How long a Kafka transaction may stay open: the chunks of a large source transaction are sent
     * in one, while the capture streams it. 15 minutes is the broker's default upper bound
     * ({@code transaction.max.timeout.ms}).
     */
    static final int TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000;

    private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);

    private final String nodeId;
    private final String topic;
    private final Map<String, Object> producerSettings;
    private final Map<String, Object> adminSettings;
    private final String logPrefix;
    private final KafkaClientListener clients;
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaClientListener.Registration registration;
    private boolean chunksOpen;

    /**
     * @param nodeId        the node whose outbox this is
     * @param role          distinguishes publishers of one node ({@code capture}, {@code forward}); part of the
     *                      transactional id, so two live publishers must not share node and role
     * @param kafkaSettings client settings of the node's own Kafka: at least {@code bootstrap.servers}
     */
    public OutboxPublisher(String nodeId, String role, Map<String, Object> kafkaSettings) {
        this(nodeId, role, kafkaSettings, KafkaClientListener.NONE);
    }

    /** As {@link #OutboxPublisher(String, String, Map)}, telling {@code clients} of each producer it starts. */
    public OutboxPublisher(String nodeId, String role, Map<String, Object> kafkaSettings, KafkaClientListener clients) {
        this.nodeId = nodeId;
        this.clients = clients;
        this.topic = ReplicationSchema.outboxTopic(nodeId);
        this.logPrefix = "[" + nodeId + " " + role + "]";
        this.adminSettings = new HashMap<>(kafkaSettings);
        adminSettings.put("client.id", "syncline-" + nodeId + "-" + role + "-admin");
        Map<String, Object> settings = new HashMap<>(kafkaSettings);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "syncline-" + nodeId + "-" + role);
        settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "syncline-" + nodeId + "-" + role);
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_TRANSACTION_BYTES + RECORD_OVERHEAD);
        settings.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        settings.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        settings.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        settings.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        settings.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        settings.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        settings.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        settings.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        this.producerSettings = settings;
    }

    public String topic() {
        return topic;
    }

    /**
     * Creates the outbox topic if it is missing (one partition: an origin's transactions stay in
     * commit order; {@code max.message.bytes} raised for big transactions; {@code retention.ms},
     * replication factor and {@code min.insync.replicas} from {@code settings}), and checks an
     * existing one: a setting weaker than {@code settings} gets a warning naming it.
     *
     * @throws IllegalStateException if the existing topic has more than one partition
     */
    public synchronized void ensureTopic(OutboxTopicSettings settings) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(adminSettings)) {
            String maxMessageBytes = Integer.toString(MAX_TRANSACTION_BYTES + RECORD_OVERHEAD);
            int brokers = admin.describeCluster().nodes().get().size();
            int replicas = Math.min(settings.replicationFactor(), brokers);
            int minInsync = Math.min(settings.minInsyncReplicas(), replicas);
            if (replicas < settings.replicationFactor()) {
                log.warn("{} the Kafka cluster has {} broker(s), fewer than the outbox replication factor {}: {} gets {}"
                        + " replica(s) and min.insync.replicas={}; {} (capture.outbox-replication-factor)", logPrefix, brokers,
                        settings.replicationFactor(), topic, replicas, minInsync, replicas == 1
                                ? "losing that broker's disk loses every published transaction no peer has applied yet"
                                : "add brokers for the configured durability");
            }
            if (settings.retention().isPresent()) {
                log.warn("{} {} keeps records for {} (capture.outbox-retention): a peer that falls further behind stops its"
                        + " link from this node in GAP and needs a re-sync", logPrefix, topic, settings.retention().get());
            }
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.of((short) replicas))
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxMessageBytes,
                            TopicConfig.RETENTION_MS_CONFIG, Long.toString(settings.retentionMs()),
                            TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsync)));
            try {
                admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
                log.info("{} created outbox topic {} (1 partition, {} replica(s), min.insync.replicas={}, retention.ms={},"
                        + " max.message.bytes={})", logPrefix, topic, replicas, minInsync, settings.retentionMs(), maxMessageBytes);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new ExecutionException("creating outbox topic " + topic + " timed out", e);
            }
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            if (description.partitions().size() != 1) {
                throw new IllegalStateException("outbox topic " + topic + " has " + description.partitions().size()
                        + " partitions; it must have exactly 1 so that transactions stay in commit order."
                        + " Delete it (it is recreated) or recreate it with one partition");
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config current = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            ConfigEntry maxBytes = current.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (maxBytes == null || Long.parseLong(maxBytes.value()) < MAX_TRANSACTION_BYTES + RECORD_OVERHEAD) {
                admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                        new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxMessageBytes), AlterConfigOp.OpType.SET))))
                        .all().get();
                log.info("{} raised max.message.bytes of {} to {}", logPrefix, topic, maxMessageBytes);
            }
            OutboxTopicCheck.weaker(topic, description.partitions().get(0).replicas().size(), current, replicas, minInsync,
                    settings.retentionMs()).forEach(warning -> log.warn("{} {}", logPrefix, warning));
        }
    }

    /**
     * Starts the transactional producer now (coordinator lookup, producer id, fencing of an older
     * publisher), so that the first {@link #publish} does not wait for it. Optional.
     *
     * @throws org.apache.kafka.common.KafkaException when Kafka fails; the next call starts over
     */
    public synchronized void connect() {
        producer();
    }

    /**
     * Publishes the node's own transactions, in order, atomically, and waits until Kafka committed them.
     *
     * @throws TransactionTooLargeException if a transaction's body exceeds {@link #MAX_TRANSACTION_BYTES};
     *         nothing of the call is published
     * @throws org.apache.kafka.common.KafkaException or another runtime exception when Kafka fails; nothing
     *         of the call is visible to read_committed readers
     */
    public synchronized void publish(List<SourceTransaction> transactions) throws InterruptedException {
        if (transactions.isEmpty()) {
            return;
        }
        requireNoChunks();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(transactions.size());
        for (SourceTransaction tx : transactions) {
            records.add(record(tx, TransactionCodec.encodeBody(tx)));
        }
        send(records);
    }

    /**
     * Opens the Kafka transaction that carries the chunks of one large source transaction of this
     * node. Until {@link #commitChunks} or {@link #abortChunks}, only {@link #sendChunk} may be called.
     *
     * @throws org.apache.kafka.common.KafkaException when Kafka fails; the next call starts over
     */
    public synchronized void beginChunks() {
        requireNoChunks();
        KafkaProducer<byte[], byte[]> p = producer();
        try {
            p.beginTransaction();
        } catch (RuntimeException e) {
            discardProducer();
            throw e;
        }
        chunksOpen = true;
    }

    /**
     * Sends one chunk in the open Kafka transaction and waits until the broker has it, so that the
     * producer never holds more than one chunk in memory. Invisible to read_committed readers
     * until {@link #commitChunks}.
     *
     * @throws TransactionTooLargeException if the chunk's body exceeds {@link #MAX_TRANSACTION_BYTES}
     *         (one row that large); the Kafka transaction is aborted
     * @throws org.apache.kafka.common.KafkaException when Kafka fails; the Kafka transaction is aborted and the
     *         source transaction must be sent again from its first chunk
     */
    public synchronized void sendChunk(TransactionChunk chunk) throws InterruptedException {
        if (!chunksOpen) {
            throw new IllegalStateException(logPrefix + " no chunked transaction is open");
        }
        try {
            byte[] body = TransactionCodec.encodeChunk(chunk);
            requireFits(body, "chunk " + chunk.index() + " of transaction " + chunk.originTxId() + " of " + chunk.originNode(),
                    chunk.changes().size());
            producer.send(chunkRecord(chunk, body));
            producer.flush();
        } catch (RuntimeException e) {
            chunksOpen = false;
            discardProducer();
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while publishing to " + topic);
            }
            throw e;
        }
    }

    /** Commits the open Kafka transaction: every chunk sent becomes visible at once. */
    public synchronized void commitChunks() throws InterruptedException {
        if (!chunksOpen) {
            throw new IllegalStateException(logPrefix + " no chunked transaction is open");
        }
        chunksOpen = false;
        try {
            producer.commitTransaction();
        } catch (RuntimeException e) {
            discardProducer();
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while publishing to " + topic);
            }
            throw e;
        }
    }

    /** Withdraws the chunks sent since {@link #beginChunks}; readers never see them. Does nothing when none is open. */
    public synchronized void abortChunks() {
        if (!chunksOpen) {
            return;
        }
        chunksOpen = false;
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            // A new producer with the same transactional id aborts it when it starts.
            log.debug("{} aborting a chunked transaction failed: {}", logPrefix, e.toString());
            discardProducer();
        }
    }

    /** Whether chunks of a large transaction are being sent. */
    public synchronized boolean chunksOpen() {
        return chunksOpen;
    }

    private void requireNoChunks() {
        if (chunksOpen) {
            throw new IllegalStateException(logPrefix + " a chunked transaction is open; commit or abort it first");
        }
    }

    /**
     * Publishes a transaction of another origin that this node forwards: the body stays byte for
     * byte what the origin wrote; only the path header (the longer {@code tx.path()}) differs.
     * Returns once Kafka committed it.
     */
    public synchronized void publishForwarded(SourceTransaction tx, byte[] originalBody) throws InterruptedException {
        publishForwarded(List.of(new Forward(tx, originalBody)));
    }

    /**
     * Publishes transactions of other origins that this node forwards, in list order, in one
     * Kafka transaction, and returns once Kafka committed them: all of them become visible to
     * read_committed readers, or none. Each body stays byte for byte what its origin wrote.
     *
     * @throws IllegalArgumentException if a path does not end with this node; nothing is published
     */
    public synchronized void publishForwarded(List<Forward> forwards) throws InterruptedException {
        if (forwards.isEmpty()) {
            return;
        }
        requireNoChunks();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(forwards.size());
        for (Forward forward : forwards) {
            List<String> path = forward.chunk() != null ? forward.chunk().path() : forward.transaction().path();
            if (!path.get(path.size() - 1).equals(nodeId)) {
                throw new IllegalArgumentException("a forwarded transaction's path must end with this node " + nodeId + ": "
                        + path);
            }
            records.add(forward.chunk() != null ? chunkRecord(forward.chunk(), forward.originalBody())
                    : record(forward.transaction(), forward.originalBody()));
        }
        send(records);
    }

    /**
     * A transaction, or a chunk of one, to forward: exactly one of {@code transaction} and {@code chunk} is set.
     *
     * @param transaction  the transaction with its longer path (ending with the forwarding node)
     * @param chunk        the chunk with its longer path (ending with the forwarding node)
     * @param originalBody the body as read from the upstream outbox, unchanged
     */
    public record Forward(SourceTransaction transaction, TransactionChunk chunk, byte[] originalBody) {

        public Forward {
            if ((transaction == null) == (chunk == null)) {
                throw new IllegalArgumentException("a forward is a transaction or a chunk");
            }
        }

        public Forward(SourceTransaction transaction, byte[] originalBody) {
            this(transaction, null, originalBody);
        }

        public Forward(TransactionChunk chunk, byte[] originalBody) {
            this(null, chunk, originalBody);
        }
    }

    private ProducerRecord<byte[], byte[]> record(SourceTransaction tx, byte[] body) {
        requireFits(body, "transaction " + tx.originTxId() + " of " + tx.originNode() + " at position " + tx.originPosition(),
                tx.changes().size());
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, EventHeaders.encodeString(tx.originNode()), body);
        record.headers()
                .add(EventHeaders.ORIGIN, EventHeaders.encodeString(tx.originNode()))
                .add(EventHeaders.PATH, EventHeaders.encodePath(tx.path()))
                .add(EventHeaders.POSITION, EventHeaders.encodeLong(tx.originPosition()))
                .add(EventHeaders.FORMAT, EventHeaders.encodeLong(TransactionCodec.FORMAT_VERSION));
        return record;
    }

    /** A chunk's record: the position header only on the last chunk, the one that knows it. */
    private ProducerRecord<byte[], byte[]> chunkRecord(TransactionChunk chunk, byte[] body) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, EventHeaders.encodeString(chunk.originNode()), body);
        record.headers()
                .add(EventHeaders.ORIGIN, EventHeaders.encodeString(chunk.originNode()))
                .add(EventHeaders.PATH, EventHeaders.encodePath(chunk.path()))
                .add(EventHeaders.FORMAT, EventHeaders.encodeLong(TransactionCodec.CHUNK_FORMAT_VERSION));
        if (chunk.last()) {
            record.headers().add(EventHeaders.POSITION, EventHeaders.encodeLong(chunk.originPosition()));
        }
        return record;
    }

    private static void requireFits(byte[] body, String what, int changes) {
        if (body.length > MAX_TRANSACTION_BYTES) {
            throw new TransactionTooLargeException(what + " with " + changes + " row changes encodes to " + body.length
                    + " bytes, more than the outbox limit of " + MAX_TRANSACTION_BYTES + " bytes for one record;"
                    + " it cannot be replicated. Rows that large cannot be split: make them smaller in the application");
        }
    }

    private void send(List<ProducerRecord<byte[], byte[]>> records) throws InterruptedException {
        KafkaProducer<byte[], byte[]> p = producer();
        try {
            p.beginTransaction();
            for (ProducerRecord<byte[], byte[]> record : records) {
                p.send(record);
            }
            // Commit flushes and fails if any send failed (KafkaProducer#commitTransaction).
            p.commitTransaction();
        } catch (RuntimeException e) {
            discardProducer();
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while publishing to " + topic);
            }
            throw e;
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerSettings, new ByteArraySerializer(), new ByteArraySerializer());
            try {
                // Fences older producers with this transactional id and aborts their open transaction.
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                throw e;
            }
            producer = p;
            registration = clients.opened(p, (String) producerSettings.get(ProducerConfig.CLIENT_ID_CONFIG));
        }
        return producer;
    }

    private void discardProducer() {
        closeRegistration();
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                log.debug("{} closing the failed producer: {}", logPrefix, e.toString());
            }
            producer = null;
        }
    }

    @Override
    public synchronized void close() {
        closeRegistration();
        chunksOpen = false;
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }

    private void closeRegistration() {
        if (registration != null) {
            registration.close();
            registration = null;
        }
    }
}
