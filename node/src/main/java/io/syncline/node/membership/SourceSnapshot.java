package io.syncline.node.membership;

import io.syncline.core.event.OriginIdentity;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One consistent view of the peer a node joins from: its rows (read by {@link SnapshotCopy} on
 * {@link #connection()}) and the positions they correspond to, per origin.
 *
 * <p>For the origins the peer applies, the positions are its {@code syncline.applied_position}
 * rows, read in the snapshot: the applier writes them in the transaction of the rows they cover, so
 * they are exactly the snapshot's. For the peer's own changes the position is its last published
 * position ({@code capture_identity.last_published_position}), read <em>before</em> the snapshot
 * opens: a transaction published by then was committed before, so it is in the snapshot. Changes of
 * the peer after that position may be in the snapshot too; applied again at the new node they are
 * skipped, since the copied row's version vector covers theirs ({@code RowDecider}). Holds one
 * {@code REPEATABLE READ} transaction open until {@link #close()}. Not thread-safe.
 */
public final class SourceSnapshot implements AutoCloseable {

    private final String sourceNode;
    private final Connection connection;
    private final Map<String, SeedPosition> positions;
    private final Map<String, Long> linkOffsets;

    private SourceSnapshot(String sourceNode, Connection connection, Map<String, SeedPosition> positions,
            Map<String, Long> linkOffsets) {
        this.sourceNode = sourceNode;
        this.connection = connection;
        this.positions = Map.copyOf(positions);
        this.linkOffsets = Map.copyOf(linkOffsets);
    }

    /**
     * Opens the snapshot on {@code connection} (the peer's database; the snapshot owns it from now on).
     *
     * @throws SQLException, or {@link JoinRefusedException} when the peer's database was not initialised or
     *         the peer itself is not a member
     */
    public static SourceSnapshot open(String sourceNode, Connection connection) throws SQLException {
        try {
            return openOn(sourceNode, connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private static SourceSnapshot openOn(String sourceNode, Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        OptionalLong published = OptionalLong.empty();
        OriginIdentity identity;
        try (PreparedStatement read = connection.prepareStatement("SELECT epoch, last_published_position,"
                + " (SELECT system_identifier FROM pg_catalog.pg_control_system()) FROM "
                + ReplicationSchema.CAPTURE_IDENTITY_TABLE + " WHERE node_id = ?")) {
            read.setString(1, sourceNode);
            try (ResultSet rs = read.executeQuery()) {
                if (!rs.next()) {
                    throw new JoinRefusedException("node " + sourceNode + " has no capture epoch in its database ("
                            + ReplicationSchema.CAPTURE_IDENTITY_TABLE + "): it never ran; run syncline init and syncline run"
                            + " for " + sourceNode + " before joining from it");
                }
                long epoch = rs.getLong(1);
                long position = rs.getLong(2);
                if (!rs.wasNull()) {
                    published = OptionalLong.of(position);
                }
                identity = new OriginIdentity(rs.getLong(3), epoch);
            }
        }
        String sourceState = MembershipRecord.read(connection, sourceNode).state();
        if (!MembershipRecord.ACTIVE.equals(sourceState)) {
            throw new JoinRefusedException("node " + sourceNode + " is " + sourceState + " (" + ReplicationSchema.MEMBERSHIP_TABLE
                    + "), not active: join from an active member");
        }
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
        Map<String, SeedPosition> positions = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT origin_node, position, commit_time_micros, origin_system_id,"
                        + " origin_epoch, chain_start FROM " + ReplicationSchema.APPLIED_POSITION_TABLE
                        + " WHERE position >= 0 ORDER BY origin_node")) {
            while (rs.next()) {
                long systemId = rs.getLong(4);
                OriginIdentity applied = rs.wasNull() ? null : new OriginIdentity(systemId, rs.getLong(5));
                positions.put(rs.getString(1), new SeedPosition(rs.getString(1), rs.getLong(2), rs.getLong(3), applied,
                        rs.getLong(6)));
            }
        }
        Map<String, Long> linkOffsets = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT upstream_node, next_offset FROM syncline.link_offset")) {
            while (rs.next()) {
                linkOffsets.put(rs.getString(1), rs.getLong(2));
            }
        }
        // Its own changes: from the last published one on (none published yet in this epoch: from its first).
        positions.put(sourceNode, new SeedPosition(sourceNode, published.orElse(-1), 0, identity, -1));
        return new SourceSnapshot(sourceNode, connection, positions, linkOffsets);
    }

    public String sourceNode() {
        return sourceNode;
    }

    /** The peer's database, inside the snapshot's transaction. */
    public Connection connection() {
        return connection;
    }

    /** Per origin, what the snapshot holds of it; an origin without an entry: nothing of it known. */
    public Map<String, SeedPosition> positions() {
        return positions;
    }

    /**
     * Per upstream the peer reads, the outbox offset it had read to in the snapshot ({@code syncline.link_offset}):
     * every record before it is in the snapshot (applied, or found already applied).
     */
    public Map<String, Long> linkOffsets() {
        return linkOffsets;
    }

    @Override
    public void close() throws SQLException {
        try {
            connection.rollback();
        } finally {
            connection.close();
        }
    }
}
