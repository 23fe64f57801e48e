package io.syncline.connector;

import io.syncline.core.config.CaptureSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node's outbox topic keeps what its peers still need (see {@link CaptureSettings}).
 *
 * @param retention         {@code retention.ms}; empty: forever ({@code -1})
 * @param replicationFactor replicas when the node creates the topic (fewer when the cluster has fewer brokers)
 * @param minInsyncReplicas {@code min.insync.replicas}
 */
public record OutboxTopicSettings(Optional<Duration> retention, int replicationFactor, int minInsyncReplicas) {

    public static final OutboxTopicSettings DEFAULTS = of(CaptureSettings.defaults());

    public OutboxTopicSettings {
        Objects.requireNonNull(retention, "retention");
    }

    public static OutboxTopicSettings of(CaptureSettings capture) {
        return new OutboxTopicSettings(capture.outboxRetention(), capture.outboxReplicationFactor(),
                capture.outboxMinInsyncReplicas());
    }

    /** {@code retention.ms} as Kafka takes it. */
    public long retentionMs() {
        return retention.map(Duration::toMillis).orElse(-1L);
    }
}
