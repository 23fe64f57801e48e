package io.syncline.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.syncline.connector.KafkaClientListener;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaClientMetersTest {

    // Clients register their metrics when built; none of them needs to reach a broker for that.
    private static final Map<String, Object> NO_BROKER = Map.of("bootstrap.servers", "127.0.0.1:1");

    @Test
    void consumersAndProducersOfBothKindsShareOneScrapeAndLeaveItWhenClosed() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (KafkaClientMeters meters = new KafkaClientMeters("dc-a", registry);
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(withId("syncline-dc-a-from-dc-b"),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(withId("syncline-dc-a-forward"),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            KafkaClientListener.Registration reading = meters.opened(consumer, "syncline-dc-a-from-dc-b");
            KafkaClientListener.Registration forwarding = meters.opened(producer, "syncline-dc-a-forward");

            String scrape = registry.scrape();
            assertThat(scrape).containsPattern("kafka_consumer_fetch_manager_[a-z_]+\\{[^}]*client_id=\"syncline-dc-a-from-dc-b\"")
                    .containsPattern("kafka_producer_[a-z_]+\\{[^}]*client_id=\"syncline-dc-a-forward\"");

            reading.close();
            forwarding.close();
            assertThat(registry.scrape()).doesNotContain("syncline-dc-a-from-dc-b", "syncline-dc-a-forward");
            consumer.close(Duration.ZERO);
            producer.close(Duration.ZERO);
        }
    }

    private static Map<String, Object> withId(String clientId) {
        Map<String, Object> settings = new java.util.HashMap<>(NO_BROKER);
        settings.put("client.id", clientId);
        return settings;
    }
}
