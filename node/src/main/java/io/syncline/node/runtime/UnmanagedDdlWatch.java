package io.syncline.node.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the schema changes of replicated tables made here outside {@code syncline ddl}, which
 * the event trigger {@code syncline_watch_ddl} records in {@code syncline.unmanaged_ddl}: they do
 * not reach the other DCs, so each one is a WARN line and the count is part of the node's status
 * until an operator deletes the rows (having made the same change everywhere). One thread calls
 * {@link #check}; {@link #count} is thread-safe.
 */
final class UnmanagedDdlWatch {

    private static final Logger log = LoggerFactory.getLogger(UnmanagedDdlWatch.class);

    private final String nodeId;
    private final DataSource dataSource;
    private final AtomicLong count = new AtomicLong();
    private long lastReported;

    UnmanagedDdlWatch(String nodeId, DataSource dataSource) {
        this.nodeId = nodeId;
        this.dataSource = dataSource;
    }

    /** Schema changes recorded and not yet cleared by an operator, as of the last check. */
    long count() {
        return count.get();
    }

    void check() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement recorded = connection.prepareStatement("SELECT count(*), coalesce(max(id), 0)"
                        + " FROM syncline.unmanaged_ddl");
                PreparedStatement fresh = connection.prepareStatement("SELECT id, command_tag, object_identity, role_name,"
                        + " ran_at FROM syncline.unmanaged_ddl WHERE id > ? ORDER BY id LIMIT 20")) {
            try (ResultSet rs = recorded.executeQuery()) {
                rs.next();
                count.set(rs.getLong(1));
            }
            fresh.setLong(1, lastReported);
            try (ResultSet rs = fresh.executeQuery()) {
                while (rs.next()) {
                    lastReported = rs.getLong(1);
                    log.warn("[{}] {} of the replicated table {} by role {} at {} ran outside syncline ddl and does not reach"
                            + " the other datacenters: make the same change at each of them (or undo it here), then delete"
                            + " row {} of syncline.unmanaged_ddl", nodeId, rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant(), rs.getLong(1));
                }
            }
        } catch (SQLException | RuntimeException e) {
            // A database outage: the next check tries again.
            log.debug("[{}] checking syncline.unmanaged_ddl failed: {}", nodeId, e.toString());
        }
    }
}
