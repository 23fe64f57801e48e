package io.syncline.connector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncline.connector.CaptureConfig;
import io.syncline.core.config.CaptureSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DebeziumSettingsTest {

    private static CaptureConfig config(Duration batchInterval) {
        return new CaptureConfig("dc-a", "localhost", 5432, "app", "syncline", "secret", List.of("public.accounts"), Path.of("/tmp/x"),
                Map.of("bootstrap.servers", "localhost:9092"), CaptureConfig.DEFAULT_OFFSET_FLUSH_INTERVAL, batchInterval);
    }

    @Test
    void batchIntervalIsHowLongDebeziumCollectsABatch() {
        Properties settings = DebeziumSettings.of(config(Duration.ofMillis(10)), true);

        assertThat(settings.getProperty("poll.interval.ms")).isEqualTo("10");
    }

    @Test
    void withoutABatchIntervalTheDefaultApplies() {
        Properties settings = DebeziumSettings.of(config(null), true);

        assertThat(settings.getProperty("poll.interval.ms")).isEqualTo(Long.toString(CaptureSettings.DEFAULT_BATCH_INTERVAL.toMillis()));
    }

    @Test
    void originsAreFilteredByTheServerOnlyWhenItCan() {
        assertThat(DebeziumSettings.of(config(null), true).getProperty("slot.stream.params")).isEqualTo("origin=none");
        assertThat(DebeziumSettings.of(config(null), false).getProperty("slot.stream.params")).isNull();
    }

    @Test
    void offsetsAreKeptInTheNodesDatabaseNotOnItsHost() {
        Properties settings = DebeziumSettings.of(config(null), true);

        assertThat(settings.getProperty("offset.storage")).isEqualTo(PostgresOffsetBackingStore.class.getName());
        assertThat(settings.getProperty(PostgresOffsetBackingStore.URL)).isEqualTo("jdbc:postgresql://localhost:5432/app");
        assertThat(settings.getProperty(PostgresOffsetBackingStore.NODE)).isEqualTo("dc-a");
        assertThat(settings.stringPropertyNames()).noneMatch(name -> name.startsWith("offset.storage.file"));
    }
}
