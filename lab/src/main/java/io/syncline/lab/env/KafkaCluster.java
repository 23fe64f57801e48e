package io.syncline.lab.env;

/**
 * One single-broker KRaft Kafka cluster of a datacenter.
 *
 * <p>The bootstrap address stays the same across {@link #stop()} and {@link #start()}, and
 * topics and committed offsets survive a restart. Implementations are thread-safe.
 */
public interface KafkaCluster extends AutoCloseable {

    /** The datacenter name this cluster was started for, e.g. {@code dc-a}. */
    String name();

    /** {@code host:port} for clients. */
    String bootstrapServers();

    boolean isRunning();

    /** Starts a stopped broker on the same log directory and port; no-op when running. */
    void start();

    /** Stops the broker; its logs stay. No-op when stopped. */
    void stop();

    default void restart() {
        stop();
        start();
    }

    /** Stops the broker and removes its logs. */
    @Override
    void close();
}
