package io.syncline.connector;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Told of each Kafka client this module opens for replication (outbox readers, outbox
 * publishers), so that the caller can export the client's own metrics ({@code metrics()}) without
 * this module knowing how or where. Implementations must be thread-safe: clients open and close on
 * the threads of the links, the capture and the forwarder.
 */
public interface KafkaClientListener {

    /** Ends what {@link #opened} started; called once, when the client closes. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Exports nothing. */
    KafkaClientListener NONE = new KafkaClientListener() {
        @Override
        public Registration opened(Consumer<?, ?> consumer, String clientId) {
            return () -> { };
        }

        @Override
        public Registration opened(Producer<?, ?> producer, String clientId) {
            return () -> { };
        }
    };

    /** A consumer was opened with {@code client.id} {@code clientId}; it is not closed before the registration. */
    Registration opened(Consumer<?, ?> consumer, String clientId);

    /** A producer was opened with {@code client.id} {@code clientId}; it is not closed before the registration. */
    Registration opened(Producer<?, ?> producer, String clientId);
}
