package io.syncline.connector;

import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * {@code syncline capture reset}: the explicit way to start a node's capture over after its slot
 * was lost. It starts a new capture epoch, forgets the capture's offsets and creates the slot at
 * the current WAL position. What was committed between the lost slot and now is never published;
 * the new epoch makes every peer stop its link from this node in GAP instead of silently skipping
 * past that hole (docs/continuity.md).
 */
public final class CaptureReset {

    /**
     * What the reset did.
     *
     * @param slot          the slot created
     * @param previousEpoch the epoch before the reset
     * @param epoch         the new epoch
     * @param droppedSlot   whether a slot of that name existed and was dropped first
     * @param slotPosition  the position the new slot starts at ({@code pg_lsn} text)
     */
    public record Result(String slot, long previousEpoch, long epoch, boolean droppedSlot, String slotPosition) {}

    private CaptureReset() {}

    /**
     * @throws IllegalStateException if the node's capture is streaming from the slot now (stop the node first), or
     *                               {@code syncline init} never ran on the database
     */
    public static Result run(String nodeId, String jdbcUrl, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        String slot = ReplicationSchema.slotName(nodeId);
        try (Connection c = DriverManager.getConnection(jdbcUrl, props)) {
            Boolean active = slotActive(c, slot);
            if (Boolean.TRUE.equals(active)) {
                throw new IllegalStateException("replication slot " + slot + " is in use: stop node " + nodeId
                        + " before resetting its capture");
            }
            // The new epoch commits first: a reset that stops half-way leaves a missing slot (refused at
            // start) or a new slot under the new epoch, never a new slot under the old epoch.
            long previous;
            long epoch;
            c.setAutoCommit(false);
            try (PreparedStatement bump = c.prepareStatement("UPDATE " + ReplicationSchema.CAPTURE_IDENTITY_TABLE
                    + " SET epoch = epoch + 1, epoch_started_at = now(), last_published_position = NULL WHERE node_id = ? RETURNING epoch");
                    PreparedStatement forget = c.prepareStatement("DELETE FROM " + ReplicationSchema.CAPTURE_OFFSET_TABLE
                            + " WHERE node_id = ?")) {
                bump.setString(1, nodeId);
                try (ResultSet rs = bump.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException(ReplicationSchema.CAPTURE_IDENTITY_TABLE + " has no row for node " + nodeId
                                + ": run `syncline init` first");
                    }
                    epoch = rs.getLong(1);
                    previous = epoch - 1;
                }
                forget.setString(1, nodeId);
                forget.executeUpdate();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            if (active != null) {
                try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    drop.setString(1, slot);
                    drop.execute();
                }
            }
            try (PreparedStatement create = c.prepareStatement(
                    "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
                create.setString(1, slot);
                try (ResultSet rs = create.executeQuery()) {
                    rs.next();
                    return new Result(slot, previous, epoch, active != null, rs.getString(1));
                }
            }
        }
    }

    /** Whether a walsender holds the slot; null when there is no such slot. */
    private static Boolean slotActive(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }
}
