package io.syncline.connector.internal;

import io.syncline.connector.CaptureConfig;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * The newest position of this node's own transactions that the capture saw committed in its
 * outbox, kept in the node's database ({@code syncline.capture_identity.last_published_position})
 * so that a restarted capture can tell an outbox that lost records (a topic deleted and created
 * again, records lost by Kafka) from one that holds all it published. Recorded after Kafka
 * committed, so it never claims more than was published; it may lag behind. Thread-safe.
 */
public final class PublishedPositionRecord implements AutoCloseable {

    private final CaptureConfig config;
    private Connection connection;
    private long recorded = -1;

    public PublishedPositionRecord(CaptureConfig config) {
        this.config = config;
    }

    /** The recorded position of the current epoch, empty when it has published nothing yet (or before this record existed). */
    public synchronized OptionalLong read() throws SQLException {
        try (PreparedStatement statement = connection().prepareStatement("SELECT last_published_position FROM "
                + ReplicationSchema.CAPTURE_IDENTITY_TABLE + " WHERE node_id = ?")) {
            statement.setString(1, config.nodeId());
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    return OptionalLong.empty();
                }
                long position = rs.getLong(1);
                return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(position);
            }
        }
    }

    /** Records {@code position} when it is newer than what was recorded; a failure is left for the next call. */
    public synchronized void record(long position) throws SQLException {
        if (position <= recorded) {
            return;
        }
        try (PreparedStatement statement = connection().prepareStatement("UPDATE " + ReplicationSchema.CAPTURE_IDENTITY_TABLE
                + " SET last_published_position = ? WHERE node_id = ? AND coalesce(last_published_position, -1) < ?")) {
            statement.setLong(1, position);
            statement.setString(2, config.nodeId());
            statement.setLong(3, position);
            statement.executeUpdate();
            recorded = position;
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(config.jdbcUrl(), Preflight.credentials(config));
        }
        return connection;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // The session ends either way; nothing was left uncommitted (autocommit).
            }
            connection = null;
        }
    }
}
