package io.syncline.connector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/** Waiting on a PostgreSQL replication slot. */
public final class ReplicationSlots {

    private ReplicationSlots() {}

    /**
     * Waits until no walsender holds {@code slot} (or it does not exist). A closed replication
     * client's walsender lets its slot go a moment later, and until then the slot can be neither
     * taken by another client nor dropped.
     *
     * @throws IllegalStateException when the slot is still held after {@code timeout}
     */
    public static void awaitReleased(Connection connection, String slot, Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (PreparedStatement active = connection.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            active.setString(1, slot);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = active.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("replication slot " + slot + " is still held " + timeout.toSeconds() + " s later");
    }
}
