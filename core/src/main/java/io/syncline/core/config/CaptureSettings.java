package io.syncline.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the capture batches this node's own changes ({@code capture:}).
 *
 * @param batchInterval how long a batch collects committed transactions (unless it fills first)
 *     before one Kafka transaction publishes it: longer costs less CPU per transaction and adds up
 *     to as much replication lag; positive
 */
public record CaptureSettings(Duration batchInterval) {

    public static final Duration DEFAULT_BATCH_INTERVAL = Duration.ofMillis(50);

    public CaptureSettings {
        Objects.requireNonNull(batchInterval, "batchInterval");
        if (batchInterval.isNegative() || batchInterval.isZero()) {
            throw new IllegalArgumentException("batchInterval must be positive: " + batchInterval);
        }
    }

    public static CaptureSettings defaults() {
        return new CaptureSettings(DEFAULT_BATCH_INTERVAL);
    }
}
