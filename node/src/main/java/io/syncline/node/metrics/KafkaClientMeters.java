package io.syncline.node.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.syncline.connector.KafkaClientListener;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Exports the metrics of the node's Kafka clients (its outbox readers, the capture's and the
 * forwarder's publishers) through Micrometer's {@link KafkaClientMetrics} binder: {@code kafka_consumer_*}
 * and {@code kafka_producer_*}, labelled with the client's {@code client_id}
 * ({@code syncline-<node>-from-<upstream>}, {@code syncline-<node>-capture}, {@code syncline-<node>-forward}).
 * A client's meters leave the registry when it closes. Thread-safe; close it after the clients.
 */
public final class KafkaClientMeters implements KafkaClientListener, AutoCloseable {

    /** How often a binder looks for metrics a client added since (per topic and per broker ones appear on first use). */
    private static final Duration REFRESH = Duration.ofSeconds(10);

    private final MeterRegistry registry;
    private final ScheduledExecutorService refresher;

    public KafkaClientMeters(String nodeId, MeterRegistry registry) {
        this.registry = registry;
        // One thread for every binder; a binder with a scheduler given leaves it running when it closes.
        this.refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "syncline-kafka-metrics-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public Registration opened(Consumer<?, ?> consumer, String clientId) {
        return bind(new KafkaClientMetrics(consumer, Tags.empty(), refresher, REFRESH));
    }

    @Override
    public Registration opened(Producer<?, ?> producer, String clientId) {
        return bind(new KafkaClientMetrics(producer, Tags.empty(), refresher, REFRESH));
    }

    private Registration bind(KafkaClientMetrics binder) {
        binder.bindTo(registry);
        return binder::close;
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
