package io.syncline.core.config.internal;

import io.syncline.core.config.CaptureSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code capture:}, how this node's own changes are batched for its outbox, and how the outbox keeps them. */
final class CaptureSection extends Section<CaptureSettings> {

    static final Setting<Duration> BATCH_INTERVAL = Setting.withDefault("batch-interval",
            ValueTypes.durationAtMost(CaptureSettings.MAX_BATCH_INTERVAL), CaptureSettings.DEFAULT_BATCH_INTERVAL,
            "how long a batch of captured transactions collects before one Kafka transaction publishes it;"
                    + " longer costs less CPU per transaction and adds up to as much lag");
    static final Setting<Duration> OUTBOX_RETENTION = Setting.optional("outbox-retention", ValueTypes.DURATION,
            "how long the outbox topic keeps a record (retention.ms); absent: forever (retention.ms=-1). A peer that"
                    + " falls further behind stops its link from this node in GAP (see docs/continuity.md)");
    static final Setting<Integer> OUTBOX_REPLICATION_FACTOR = Setting.withDefault("outbox-replication-factor",
            ValueTypes.integer(1, 32767), CaptureSettings.DEFAULT_OUTBOX_REPLICATION_FACTOR,
            "replication factor of the outbox topic when the node creates it; a cluster with fewer brokers gets one"
                    + " replica per broker, with a warning");
    static final Setting<Integer> OUTBOX_MIN_INSYNC_REPLICAS = Setting.withDefault("outbox-min-insync-replicas",
            ValueTypes.integer(1, 32767), CaptureSettings.DEFAULT_OUTBOX_MIN_INSYNC_REPLICAS,
            "min.insync.replicas of the outbox topic: how many replicas hold a transaction before it counts as"
                    + " published (producers use acks=all); at most outbox-replication-factor");

    @Override
    public List<Setting<?>> settings() {
        return List.of(BATCH_INTERVAL, OUTBOX_RETENTION, OUTBOX_REPLICATION_FACTOR, OUTBOX_MIN_INSYNC_REPLICAS);
    }

    @Override
    Optional<CaptureSettings> read(MapReader map) {
        Optional<Duration> batchInterval = BATCH_INTERVAL.read(map);
        Optional<Duration> retention = OUTBOX_RETENTION.read(map);
        Optional<Integer> replicationFactor = OUTBOX_REPLICATION_FACTOR.read(map);
        Optional<Integer> minInsync = OUTBOX_MIN_INSYNC_REPLICAS.read(map);
        if (!allPresent(batchInterval, replicationFactor, minInsync)) {
            return Optional.empty();
        }
        if (minInsync.get() > replicationFactor.get()) {
            map.context().error(map.child(OUTBOX_MIN_INSYNC_REPLICAS.key()), minInsync.get() + " is more than "
                    + OUTBOX_REPLICATION_FACTOR.key() + " " + replicationFactor.get() + ": no transaction could be published");
            return Optional.empty();
        }
        return Optional.of(new CaptureSettings(batchInterval.get(), retention, replicationFactor.get(), minInsync.get()));
    }
}
