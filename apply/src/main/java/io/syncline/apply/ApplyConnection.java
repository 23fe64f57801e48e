package io.syncline.apply;

import io.syncline.apply.internal.ApplySession;
import java.sql.Connection;

/**
 * A pooled connection set up for applying ({@link TransactionApplier#openSession}): marked with a
 * replication origin, autocommit off, with the {@link ApplySession} that applies on it. Closing it
 * closes the session's statements and returns the connection with its origin session reset, or
 * discards it when the reset fails. Not thread-safe: one thread uses it.
 */
final class ApplyConnection implements AutoCloseable {

    private final TransactionApplier applier;
    private final Connection connection;
    private final ApplySession session;
    private final String prefix;

    ApplyConnection(TransactionApplier applier, Connection connection, ApplySession session, String prefix) {
        this.applier = applier;
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
        TransactionApplier.rollback(connection, prefix);
    }

    @Override
    public void close() {
        session.close();
        applier.release(connection, true, prefix);
    }
}
