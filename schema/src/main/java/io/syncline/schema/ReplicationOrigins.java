package io.syncline.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The replication origins that mark a session's writes as not this node's own (PostgreSQL manual,
 * "Replication Progress Tracking"): the triggers keep the versions such a session writes, and the
 * capture does not publish its transactions. Stateless.
 */
public final class ReplicationOrigins {

    private ReplicationOrigins() {}

    /**
     * Creates {@code name} if it does not exist and marks the session's writes with it until
     * {@code pg_replication_origin_session_reset()} or the session ends.
     *
     * @throws SQLException when another session uses the origin (SQLSTATE 55006), or the role may not
     */
    public static void useInSession(Connection connection, String name) throws SQLException {
        try (PreparedStatement create = connection.prepareStatement(
                "SELECT pg_replication_origin_create(?) WHERE pg_replication_origin_oid(?) IS NULL")) {
            create.setString(1, name);
            create.setString(2, name);
            create.execute();
        }
        try (PreparedStatement setup = connection.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
            setup.setString(1, name);
            setup.execute();
        }
    }

    /** Drops {@code name} if it exists. */
    public static void drop(Connection connection, String name) throws SQLException {
        try (PreparedStatement drop = connection.prepareStatement(
                "SELECT pg_replication_origin_drop(?) WHERE pg_replication_origin_oid(?) IS NOT NULL")) {
            drop.setString(1, name);
            drop.setString(2, name);
            drop.execute();
        }
    }
}
