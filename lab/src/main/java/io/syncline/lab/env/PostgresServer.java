package io.syncline.lab.env;

/**
 * One PostgreSQL server of a datacenter, started with {@code wal_level=logical},
 * {@code track_commit_timestamp=on} and replication connections allowed.
 *
 * <p>Connection details stay the same across {@link #stop()} and {@link #start()}, so a
 * client that reconnects after a restart finds the same server with the same data.
 * Implementations are thread-safe.
 */
public interface PostgresServer extends AutoCloseable {

    /** The datacenter name this server was started for, e.g. {@code dc-a}. */
    String name();

    String host();

    int port();

    String database();

    /** A superuser of this server. */
    String user();

    String password();

    default String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database();
    }

    boolean isRunning();

    /** Starts a stopped server on the same data directory and port; no-op when running. */
    void start();

    /** Stops the server (fast shutdown); the data stays. No-op when stopped. */
    void stop();

    default void restart() {
        stop();
        start();
    }

    /** Stops the server and removes its data. */
    @Override
    void close();
}
