package io.syncline.core.config.internal;

import io.syncline.core.config.CaptureSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code capture:}, how this node's own changes are batched for its outbox. */
final class CaptureSection extends Section<CaptureSettings> {

    static final Setting<Duration> BATCH_INTERVAL = Setting.withDefault("batch-interval",
            ValueTypes.durationAtMost(Duration.ofSeconds(10)), CaptureSettings.DEFAULT_BATCH_INTERVAL,
            "how long a batch of captured transactions collects before one Kafka transaction publishes it;"
                    + " longer costs less CPU per transaction and adds up to as much lag");

    @Override
    List<String> keys() {
        return List.of(BATCH_INTERVAL.key());
    }

    @Override
    Optional<CaptureSettings> read(MapReader map) {
        return BATCH_INTERVAL.read(map).map(CaptureSettings::new);
    }
}
