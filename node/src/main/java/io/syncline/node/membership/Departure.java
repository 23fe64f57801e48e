package io.syncline.node.membership;

import io.syncline.connector.ReplicationSlots;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.node.runtime.NodeLease;
import io.syncline.schema.ExistingRowStamper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The database side of a node leaving the deployment ({@code syncline leave}): its membership
 * state, the marker that bounds what it must drain, how far each peer reports to have applied it,
 * and dropping its capture once drained. Each method is one short statement or transaction on the
 * node's own database; the waiting is the caller's. Not thread-safe.
 */
public final class Departure {

    /** The node's membership as its database records it. */
    public enum State { MEMBER, LEAVING, LEFT }

    private final String nodeId;
    private final List<String> peers;
    private final Connection connection;

    /**
     * @param peers      every other node of the topology, whose applied position of this node is awaited
     * @param connection the node's database, in autocommit
     */
    public Departure(String nodeId, List<String> peers, Connection connection) {
        this.nodeId = nodeId;
        this.peers = List.copyOf(peers);
        this.connection = connection;
    }

    public String nodeId() {
        return nodeId;
    }

    public State state() throws SQLException {
        try (PreparedStatement read = connection.prepareStatement("SELECT state FROM " + ReplicationSchema.MEMBERSHIP_TABLE
                + " WHERE node_id = ?")) {
            read.setString(1, nodeId);
            try (ResultSet rs = read.executeQuery()) {
                if (!rs.next()) {
                    return State.MEMBER;
                }
                return switch (rs.getString(1)) {
                    case "left" -> State.LEFT;
                    case "leaving" -> State.LEAVING;
                    // A node that joined (joining, catchup, active) is a member like the others.
                    default -> State.MEMBER;
                };
            }
        }
    }

    /** The own position every peer had applied when the drain finished, if it finished. */
    public OptionalLong drainedTo() throws SQLException {
        try (PreparedStatement read = connection.prepareStatement("SELECT drained_to FROM " + ReplicationSchema.MEMBERSHIP_TABLE
                + " WHERE node_id = ? AND drained_to IS NOT NULL")) {
            read.setString(1, nodeId);
            try (ResultSet rs = read.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Whether a process runs the node (holds its lease). */
    public boolean nodeRuns() throws SQLException {
        return NodeLease.isHeld(connection, nodeId);
    }

    /**
     * Marks the node leaving (its collector then asks the peers for progress reports) and commits a
     * change of its own progress report, which the capture publishes after everything committed
     * before it. Returns a WAL position below that change's commit: once the capture has published
     * past it, the newest published position covers every write made before the leave began.
     */
    public long beginLeaving() throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            long floor;
            try (ResultSet rs = statement.executeQuery("SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint")) {
                rs.next();
                floor = rs.getLong(1);
            }
            try (PreparedStatement leaving = connection.prepareStatement("INSERT INTO " + ReplicationSchema.MEMBERSHIP_TABLE
                    + " (node_id, state) VALUES (?, 'leaving') ON CONFLICT (node_id) DO UPDATE SET state = 'leaving',"
                    + " since = now(), drained_to = NULL")) {
                leaving.setString(1, nodeId);
                leaving.executeUpdate();
            }
            try (PreparedStatement marker = connection.prepareStatement("INSERT INTO " + ReplicationSchema.PROGRESS_REPORT_TABLE
                    + " (node_id, applied, stable, awaiting) VALUES (?, '{}', '{}', true) ON CONFLICT (node_id) DO UPDATE"
                    + " SET awaiting = true, reported_at = now()")) {
                marker.setString(1, nodeId);
                marker.executeUpdate();
            }
            connection.commit();
            return floor;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** The newest own position the capture saw committed in the outbox ({@code capture_identity.last_published_position}). */
    public OptionalLong publishedPosition() throws SQLException {
        try (PreparedStatement read = connection.prepareStatement("SELECT last_published_position FROM "
                + ReplicationSchema.CAPTURE_IDENTITY_TABLE + " WHERE node_id = ? AND last_published_position IS NOT NULL")) {
            read.setString(1, nodeId);
            try (ResultSet rs = read.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Per peer, the position of this node it last reported to have applied; -1 when it never reported one. */
    public Map<String, Long> peersApplied() throws SQLException {
        Map<String, Long> applied = new TreeMap<>();
        peers.forEach(p -> applied.put(p, -1L));
        try (PreparedStatement read = connection.prepareStatement("SELECT peer, coalesce((applied ->> ?)::bigint, -1) FROM "
                + ReplicationSchema.PEER_PROGRESS_TABLE)) {
            read.setString(1, nodeId);
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    if (applied.containsKey(rs.getString(1))) {
                        applied.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
        }
        return applied;
    }

    /** Records that every peer applied this node up to {@code position}. */
    public void drained(long position) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + ReplicationSchema.MEMBERSHIP_TABLE
                + " SET drained_to = ? WHERE node_id = ?")) {
            update.setLong(1, position);
            update.setString(2, nodeId);
            update.executeUpdate();
        }
    }

    /** Gives up leaving: the node stays a member and its collector stops asking for reports. */
    public void cancel() throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + ReplicationSchema.MEMBERSHIP_TABLE
                + " WHERE node_id = ? AND state = 'leaving'")) {
            delete.setString(1, nodeId);
            delete.executeUpdate();
        }
    }

    /**
     * Drops the node's replication slot (once no process streams from it), its publication and every
     * replication origin of its appliers and of {@code syncline init}, and records it left. Idempotent.
     *
     * @return what was dropped, for the operator
     */
    public List<String> dropCapture(Duration slotRelease) throws SQLException, InterruptedException {
        List<String> dropped = new ArrayList<>();
        String slot = ReplicationSchema.slotName(nodeId);
        ReplicationSlots.awaitReleased(connection, slot, slotRelease);
        try (PreparedStatement drop = connection.prepareStatement("SELECT pg_drop_replication_slot(slot_name)"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            drop.setString(1, slot);
            try (ResultSet rs = drop.executeQuery()) {
                if (rs.next()) {
                    dropped.add("replication slot " + slot);
                }
            }
        }
        String publication = ReplicationSchema.publicationName(nodeId);
        if (exists("SELECT 1 FROM pg_publication WHERE pubname = ?", publication)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP PUBLICATION " + publication);
            }
            dropped.add("publication " + publication);
        }
        try (PreparedStatement origins = connection.prepareStatement("SELECT roname, pg_replication_origin_drop(roname)"
                + " FROM pg_replication_origin WHERE roname LIKE ? OR roname = ?")) {
            origins.setString(1, ReplicationSchema.replicationOriginName("").replace("_", "\\_") + "%");
            origins.setString(2, ExistingRowStamper.ORIGIN);
            try (ResultSet rs = origins.executeQuery()) {
                while (rs.next()) {
                    dropped.add("replication origin " + rs.getString(1));
                }
            }
        }
        try (PreparedStatement left = connection.prepareStatement("INSERT INTO " + ReplicationSchema.MEMBERSHIP_TABLE
                + " (node_id, state) VALUES (?, 'left') ON CONFLICT (node_id) DO UPDATE SET state = 'left', since = now()")) {
            left.setString(1, nodeId);
            left.executeUpdate();
        }
        return dropped;
    }

    /** When the node left, as its database records it; empty for a member. */
    public static Optional<String> leftSince(Connection connection, String nodeId) throws SQLException {
        try (PreparedStatement read = connection.prepareStatement("SELECT since::text FROM " + ReplicationSchema.MEMBERSHIP_TABLE
                + " WHERE node_id = ? AND state = 'left'")) {
            read.setString(1, nodeId);
            try (ResultSet rs = read.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                // No membership table: init of this version never ran, so the node never left.
                return Optional.empty();
            }
            throw e;
        }
    }

    private boolean exists(String sql, String value) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, value);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next();
            }
        }
    }
}
