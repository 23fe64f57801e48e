package io.syncline.core.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the capture batches this node's own changes ({@code capture:}), and how the node's outbox
 * topic keeps them.
 *
 * @param batchInterval how long a batch collects committed transactions (unless it fills first)
 *     before one Kafka transaction publishes it: longer costs less CPU per transaction and adds up
 *     to as much replication lag; positive and at most {@link #MAX_BATCH_INTERVAL}
 * @param outboxRetention how long the outbox keeps a record ({@code retention.ms}); empty: forever
 *     ({@code retention.ms=-1}), so that a peer down for any time finds every record it needs
 * @param outboxReplicationFactor the outbox topic's replication factor when the node creates it; at least 1
 * @param outboxMinInsyncReplicas the outbox topic's {@code min.insync.replicas}: with {@code acks=all}, how many
 *     replicas must hold a transaction before it counts as published; 1 to the replication factor
 */
public record CaptureSettings(Duration batchInterval, Optional<Duration> outboxRetention, int outboxReplicationFactor,
        int outboxMinInsyncReplicas) {

    public static final Duration DEFAULT_BATCH_INTERVAL = Duration.ofMillis(50);
    /** The longest batch interval: {@code capture.batch-interval} and the capture check the same bound. */
    public static final Duration MAX_BATCH_INTERVAL = Duration.ofSeconds(10);
    /** For a cluster of three brokers: one may fail without losing or blocking a published transaction. */
    public static final int DEFAULT_OUTBOX_REPLICATION_FACTOR = 3;
    public static final int DEFAULT_OUTBOX_MIN_INSYNC_REPLICAS = 2;

    public CaptureSettings {
        Objects.requireNonNull(batchInterval, "batchInterval");
        Objects.requireNonNull(outboxRetention, "outboxRetention");
        batchIntervalProblem(batchInterval).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        if (outboxReplicationFactor < 1) {
            throw new IllegalArgumentException("outboxReplicationFactor must be at least 1: " + outboxReplicationFactor);
        }
        if (outboxMinInsyncReplicas < 1 || outboxMinInsyncReplicas > outboxReplicationFactor) {
            throw new IllegalArgumentException("outboxMinInsyncReplicas must be 1 to the replication factor "
                    + outboxReplicationFactor + ": " + outboxMinInsyncReplicas);
        }
    }

    /** The given batch interval and the outbox defaults. */
    public CaptureSettings(Duration batchInterval) {
        this(batchInterval, Optional.empty(), DEFAULT_OUTBOX_REPLICATION_FACTOR, DEFAULT_OUTBOX_MIN_INSYNC_REPLICAS);
    }

    public static CaptureSettings defaults() {
        return new CaptureSettings(DEFAULT_BATCH_INTERVAL);
    }

    /** Why {@code batchInterval} is refused (not positive, or over {@link #MAX_BATCH_INTERVAL}), or empty. */
    public static Optional<String> batchIntervalProblem(Duration batchInterval) {
        if (batchInterval.isNegative() || batchInterval.isZero() || batchInterval.compareTo(MAX_BATCH_INTERVAL) > 0) {
            return Optional.of("batchInterval must be positive and at most " + MAX_BATCH_INTERVAL + ": " + batchInterval);
        }
        return Optional.empty();
    }
}
