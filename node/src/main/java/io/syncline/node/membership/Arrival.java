package io.syncline.node.membership;

import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The database side of a node joining the deployment ({@code syncline join}), in the joining
 * node's own database: its membership state, the positions it starts from, and the checks that
 * it starts empty. Each method is one short transaction. Not thread-safe.
 */
public final class Arrival {

    private final String nodeId;
    private final Connection connection;

    /** @param connection the joining node's database, in autocommit */
    public Arrival(String nodeId, Connection connection) {
        this.nodeId = nodeId;
        this.connection = connection;
    }

    public MembershipRecord membership() throws SQLException {
        return MembershipRecord.read(connection, nodeId);
    }

    /**
     * Why this database cannot start a join, or null: a node that applied, captured or holds rows
     * would mix its own history with the copy.
     */
    public String notEmpty(List<String> tables) throws SQLException {
        for (String table : tables) {
            if (exists("SELECT EXISTS (SELECT 1 FROM " + quoted(table) + ")")) {
                return "table " + table + " holds rows";
            }
        }
        if (exists("SELECT EXISTS (SELECT 1 FROM " + ReplicationSchema.APPLIED_POSITION_TABLE + " WHERE position >= 0)")) {
            return ReplicationSchema.APPLIED_POSITION_TABLE + " holds applied positions (the node ran before)";
        }
        if (exists("SELECT EXISTS (SELECT 1 FROM " + ReplicationSchema.TOMBSTONE_TABLE + ")")) {
            return ReplicationSchema.TOMBSTONE_TABLE + " holds tombstones";
        }
        return null;
    }

    /**
     * Records the start of the join in one transaction: the node {@code joining} from {@code source},
     * the applied position of every origin the copy holds, and where each upstream's outbox is read
     * from. From here on {@code syncline run} refuses to start the node until the copy is done.
     */
    public void begin(String source, Collection<SeedPosition> positions, Map<String, Long> linkOffsets) throws SQLException {
        connection.setAutoCommit(false);
        try {
            try (PreparedStatement joining = connection.prepareStatement("INSERT INTO " + ReplicationSchema.MEMBERSHIP_TABLE
                    + " (node_id, state, joined_from) VALUES (?, 'joining', ?)")) {
                joining.setString(1, nodeId);
                joining.setString(2, source);
                joining.executeUpdate();
            }
            try (PreparedStatement seed = connection.prepareStatement("INSERT INTO " + ReplicationSchema.APPLIED_POSITION_TABLE
                    + " (origin_node, position, commit_time_micros, origin_system_id, origin_epoch, chain_start)"
                    + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (origin_node) DO UPDATE SET position = EXCLUDED.position,"
                    + " commit_time_micros = EXCLUDED.commit_time_micros, origin_system_id = EXCLUDED.origin_system_id,"
                    + " origin_epoch = EXCLUDED.origin_epoch, chain_start = EXCLUDED.chain_start, applied_at = now()")) {
                for (SeedPosition position : positions) {
                    seed.setString(1, position.origin());
                    seed.setLong(2, position.position());
                    seed.setLong(3, position.commitTimeMicros());
                    if (position.identity() == null) {
                        seed.setNull(4, Types.BIGINT);
                        seed.setNull(5, Types.BIGINT);
                    } else {
                        seed.setLong(4, position.identity().systemIdentifier());
                        seed.setLong(5, position.identity().epoch());
                    }
                    seed.setLong(6, position.chainStart());
                    seed.addBatch();
                }
                seed.executeBatch();
            }
            try (PreparedStatement offset = connection.prepareStatement("INSERT INTO syncline.link_offset (upstream_node,"
                    + " next_offset) VALUES (?, ?) ON CONFLICT (upstream_node) DO UPDATE SET next_offset = EXCLUDED.next_offset")) {
                for (Map.Entry<String, Long> entry : linkOffsets.entrySet()) {
                    offset.setString(1, entry.getKey());
                    offset.setLong(2, entry.getValue());
                    offset.addBatch();
                }
                offset.executeBatch();
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** The copy is complete: the node may run, and is {@code catchup} until its links read to {@code catchupTo}. */
    public void copied(Map<String, Long> catchupTo) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + ReplicationSchema.MEMBERSHIP_TABLE
                + " SET state = 'catchup', since = now(), catchup_to = ?::jsonb WHERE node_id = ? AND state = 'joining'")) {
            update.setString(1, MembershipRecord.json(catchupTo));
            update.setString(2, nodeId);
            update.executeUpdate();
        }
    }

    /** The running node read every upstream to where the copy ended: it is an ordinary member now. */
    public static boolean activate(Connection connection, String nodeId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + ReplicationSchema.MEMBERSHIP_TABLE
                + " SET state = 'active', since = now() WHERE node_id = ? AND state = 'catchup'")) {
            update.setString(1, nodeId);
            return update.executeUpdate() == 1;
        }
    }

    /**
     * What the database says of a join in progress, e.g. {@code joining from dc-a: 1 table(s) copied, 1 in progress,
     * 40,000 row(s) so far}; null when the node is not joining. For {@code syncline status} while no node runs.
     */
    public static String describeJoining(Connection connection, String nodeId) throws SQLException {
        MembershipRecord membership = MembershipRecord.read(connection, nodeId);
        if (!MembershipRecord.JOINING.equals(membership.state())) {
            return null;
        }
        try (PreparedStatement read = connection.prepareStatement("SELECT count(*) FILTER (WHERE finished_at IS NOT NULL),"
                + " count(*) FILTER (WHERE finished_at IS NULL), coalesce(sum(copied), 0) FROM " + ReplicationSchema.JOIN_COPY_TABLE);
                ResultSet rs = read.executeQuery()) {
            rs.next();
            return String.format("joining from %s: %d table(s) copied, %d in progress, %,d row(s) so far (syncline join"
                    + " shows the progress while it runs, and resumes when run again)", membership.joinedFrom(), rs.getLong(1),
                    rs.getLong(2), rs.getLong(3));
        }
    }

    private boolean exists(String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static String quoted(String qualified) {
        int dot = qualified.indexOf('.');
        return KeyRangeSql.identifier(qualified.substring(0, dot)) + "." + KeyRangeSql.identifier(qualified.substring(dot + 1));
    }
}
