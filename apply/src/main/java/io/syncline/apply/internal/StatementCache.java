package io.syncline.apply.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applier's prepared statements on one physical connection, prepared once and kept for as long
 * as the connection lives, across the target transactions and batches applied on it. Statements are
 * prepared on the driver's own connection, not a pool's proxy, which would close them when the
 * connection goes back to the pool. Not thread-safe: one apply session uses it at a time.
 */
public final class StatementCache implements PreparedStatements, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatementCache.class);

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    /** @param connection the physical connection, whose transaction the statements take part in */
    public StatementCache(Connection connection) {
        this.connection = connection;
    }

    @Override
    public PreparedStatement prepared(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    /** Whether the connection is closed, and with it every statement. */
    public boolean isClosed() throws SQLException {
        return connection.isClosed();
    }

    /** Forgets the batches a failed target transaction left on the statements, before the next one uses them. */
    public void clearBatches() throws SQLException {
        for (PreparedStatement statement : statements.values()) {
            statement.clearBatch();
        }
    }

    /** Closes the statements; the connection stays open. */
    @Override
    public void close() {
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            } catch (SQLException e) {
                log.debug("closing a statement failed: {}", e.toString());
            }
        }
        statements.clear();
    }
}
