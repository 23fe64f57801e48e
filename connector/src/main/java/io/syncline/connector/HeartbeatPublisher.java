package io.syncline.connector;

import io.syncline.core.codec.EventHeaders;
import io.syncline.core.schema.ReplicationSchema;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this node's heartbeats to {@link ReplicationSchema#heartbeatTopic} in its own Kafka:
 * one small record per {@link #beat}, value = the node's wall-clock milliseconds (informational
 * only; peers judge liveness by the topic's end offset moving, see {@link HeartbeatProbe}).
 *
 * <p>Fire-and-forget: a beat that Kafka does not take is simply missing, which is what a peer
 * should see when this node's Kafka is gone. Thread-safe.
 */
public final class HeartbeatPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatPublisher.class);
    // Heartbeats matter for seconds; an hour of them is plenty for debugging.
    private static final String RETENTION_MS = Long.toString(Duration.ofHours(1).toMillis());
    private static final String SEGMENT_MS = Long.toString(Duration.ofMinutes(10).toMillis());

    private final String nodeId;
    private final String topic;
    private final Map<String, Object> adminSettings;
    private final KafkaProducer<byte[], byte[]> producer;
    private volatile boolean failing;

    /** @param kafkaSettings client settings of the node's own Kafka: at least {@code bootstrap.servers} */
    public HeartbeatPublisher(String nodeId, Map<String, Object> kafkaSettings) {
        this.nodeId = nodeId;
        this.topic = ReplicationSchema.heartbeatTopic(nodeId);
        this.adminSettings = new HashMap<>(kafkaSettings);
        adminSettings.put("client.id", "syncline-" + nodeId + "-heartbeat-admin");
        Map<String, Object> settings = new HashMap<>(kafkaSettings);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "syncline-" + nodeId + "-heartbeat");
        settings.put(ProducerConfig.ACKS_CONFIG, "1");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        settings.put(ProducerConfig.RETRIES_CONFIG, 0);
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000);
        this.producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Creates the heartbeat topic if it is missing: one partition, short retention. */
    public void ensureTopic() throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(adminSettings)) {
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty()).configs(Map.of(
                    TopicConfig.RETENTION_MS_CONFIG, RETENTION_MS, TopicConfig.SEGMENT_MS_CONFIG, SEGMENT_MS));
            admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
            log.info("[{} heartbeat] created topic {}", nodeId, topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        } catch (TimeoutException e) {
            throw new ExecutionException("creating heartbeat topic " + topic + " timed out", e);
        }
    }

    /** Sends one heartbeat without waiting for Kafka; failures are logged once per outage. */
    public void beat(long wallClockMillis) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, null, EventHeaders.encodeLong(wallClockMillis)), (metadata, error) -> {
                if (error == null) {
                    if (failing) {
                        failing = false;
                        log.info("[{} heartbeat] publishing again", nodeId);
                    }
                } else if (!failing) {
                    failing = true;
                    log.warn("[{} heartbeat] cannot publish to {}: {}; peers will see this node as down", nodeId, topic,
                            error.toString());
                }
            });
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                log.warn("[{} heartbeat] cannot publish to {}: {}; peers will see this node as down", nodeId, topic, e.toString());
            }
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }
}
