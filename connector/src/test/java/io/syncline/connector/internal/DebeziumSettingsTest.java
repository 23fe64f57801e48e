package io.syncline.connector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.syncline.connector.CaptureConfig;
import io.syncline.core.config.CaptureSettings;
import io.syncline.core.config.ConnectionParameter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.PGProperty;

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
    void everyUrlParameterReachesDebeziumAsItsDatabaseProperty() {
        CaptureConfig config = new CaptureConfig("dc-a", "localhost", 5432, "app", "syncline", "secret", List.of("public.accounts"),
                Path.of("/tmp/x"), Map.of("bootstrap.servers", "localhost:9092"), CaptureConfig.DEFAULT_OFFSET_FLUSH_INTERVAL, null,
                Map.of("sslmode", "verify-full", "sslrootcert", "/ca.crt", "sslcert", "/c.crt", "sslkey", "/c.pk8",
                        "connectTimeout", "5", "options", "-c statement_timeout=0"));

        Properties settings = DebeziumSettings.of(config, true);

        assertThat(settings).containsEntry(PostgresConnectorConfig.SSL_MODE.name(), "verify-full")
                .containsEntry(PostgresConnectorConfig.SSL_ROOT_CERT.name(), "/ca.crt")
                .containsEntry(PostgresConnectorConfig.SSL_CLIENT_CERT.name(), "/c.crt")
                .containsEntry(PostgresConnectorConfig.SSL_CLIENT_KEY.name(), "/c.pk8")
                .containsEntry("database.connectTimeout", "5")
                .containsEntry("database.options", "-c statement_timeout=0");
        assertThat(config.jdbcUrl()).startsWith("jdbc:postgresql://localhost:5432/app?")
                .contains("sslmode=verify-full", "sslrootcert=%2Fca.crt", "options=-c+statement_timeout%3D0");
    }

    @Test
    void everyUrlParameterIsOneOfPgjdbcs() {
        for (ConnectionParameter parameter : ConnectionParameter.values()) {
            assertThat(PGProperty.forName(parameter.urlName())).as("pgjdbc property %s", parameter.urlName()).isNotNull();
        }
    }

    @Test
    void namedDebeziumFieldsAreTheOnesItDeclares() {
        assertThat(List.of(ConnectionParameter.SSL_MODE, ConnectionParameter.SSL_ROOT_CERT, ConnectionParameter.SSL_CERT,
                ConnectionParameter.SSL_KEY, ConnectionParameter.SSL_PASSWORD, ConnectionParameter.SSL_FACTORY,
                ConnectionParameter.TCP_KEEP_ALIVE).stream().map(ConnectionParameter::debeziumProperty))
                .containsExactly(PostgresConnectorConfig.SSL_MODE.name(), PostgresConnectorConfig.SSL_ROOT_CERT.name(),
                        PostgresConnectorConfig.SSL_CLIENT_CERT.name(), PostgresConnectorConfig.SSL_CLIENT_KEY.name(),
                        PostgresConnectorConfig.SSL_CLIENT_KEY_PASSWORD.name(), PostgresConnectorConfig.SSL_SOCKET_FACTORY.name(),
                        PostgresConnectorConfig.TCP_KEEPALIVE.name());
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
