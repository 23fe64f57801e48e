package io.syncline.apply;

import io.syncline.apply.internal.ApplySession;
import java.sql.Connection;

/**
 * A pooled connection set up for applying ({@link ApplyConnections#openSession}): marked with a
 * replication origin, autocommit off, with the {@link ApplySession} that applies on it. Closing it
 * closes the session's statements and returns the connection with its origin session reset, or
 * discards it when the reset fails. Not thread-safe: one thread uses it.
 */
final class ApplyConnection implements AutoCloseable {

    private final ApplyConnections connections;
    private final Connection connection;
    private final ApplySession session;
    private final String prefix;

    ApplyConnection(ApplyConnections connections, Connection connection, ApplySession session, String prefix) {
        this.connections = connections;
        this.connection = connection;
        this.session = session;
        this.prefix = prefix;
    }

    Connection connection() {
        return connection;
    }

    ApplySession session() {
        return session;
    }

    /** Rolls back what is not committed; the connection stays set up for the next target transaction. */
    void rollback() {
        ApplyConnections.rollback(connection, prefix);
    }

    @Override
    public void close() {
        session.close();
        connections.release(connection, true, prefix);
    }
}
