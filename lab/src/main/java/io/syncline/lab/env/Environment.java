package io.syncline.lab.env;

/**
 * Starts the PostgreSQL servers and Kafka clusters of several datacenters on one machine.
 *
 * <p>Two implementations exist: local processes (used by {@code syncline demo} and by the
 * integration tests with {@code -Dsyncline.it.backend=embedded}) and containers (the
 * integration tests' default where a Docker engine answers). Closing the environment
 * closes everything it started.
 */
public interface Environment extends AutoCloseable {

    /** Starts a new PostgreSQL server for the datacenter {@code name}; blocks until it accepts connections. */
    PostgresServer startPostgres(String name);

    /** Starts a new Kafka cluster for the datacenter {@code name}; blocks until it accepts clients. */
    KafkaCluster startKafka(String name);

    /** A short name of the backend for logs, e.g. {@code embedded} or {@code containers}. */
    String backendName();

    @Override
    void close();
}
