package io.syncline.schema.gc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * Collects the tombstones of one node once no change still to arrive can be concurrent with their
 * deletes (DDIA ch. 5), and publishes the node's own progress for the peers to do the same.
 *
 * <p>One {@link #runOnce() cycle}, in one transaction:
 * <ol>
 *   <li>finds the checkpoints every peer has applied past (stable) and those whose deletes every
 *       peer reports stable too (collectable; see {@link CollectionPlan}), deletes the collectable
 *       tombstones and records the stable checkpoint for the applier;</li>
 *   <li>marks the tombstones written since the last cycle with a new checkpoint: the applied
 *       position of every origin and this node's WAL position, which bound every delete they hold;</li>
 *   <li>writes this node's progress report row when it changed and someone waits for it. The
 *       capture publishes the row in commit order with the node's own changes, so a peer that
 *       applied a report has applied every change the node wrote before it.</li>
 * </ol>
 * Nothing is collected while a peer has never reported or is down: tombstones wait, they are not
 * dropped early. Not thread-safe: one collector per node.
 */
public final class TombstoneCollector {

    /**
     * What one cycle did.
     *
     * @param leaving whether this node is leaving the deployment ({@code syncline leave}), so that it asks for reports
     */
    public record Cycle(long stableCheckpoint, int collected, long pending, boolean reported, boolean leaving) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, Long>> POSITIONS = new TypeReference<>() {};
    private static final String CHECKPOINTS = ReplicationSchema.SCHEMA + ".tombstone_checkpoint";
    private static final String STATE = ReplicationSchema.SCHEMA + ".collector_state";

    private final String nodeId;
    private final List<String> peers;
    private final List<String> members;
    private final DataSource dataSource;
    // Tombstones held after the last cycle that counted them; -1 before the first.
    private long held = -1;

    /**
     * @param nodeId     this node
     * @param allNodes   every node of the topology (this one may be among them)
     * @param dataSource this node's database; sessions must not carry a replication origin (the report
     *                   must be captured)
     */
    public TombstoneCollector(String nodeId, List<String> allNodes, DataSource dataSource) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.peers = allNodes.stream().filter(n -> !n.equals(nodeId)).distinct().toList();
        this.members = java.util.stream.Stream.concat(peers.stream(), java.util.stream.Stream.of(nodeId)).toList();
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Runs one cycle.
     *
     * @throws SQLException if the database failed; the next cycle tries again
     */
    public Cycle runOnce() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            // Read first: every local commit below it is visible to all that follows.
            long ownVisible = ownVisiblePosition(connection);
            connection.setAutoCommit(false);
            try {
                Cycle cycle = cycle(connection, ownVisible);
                connection.commit();
                return cycle;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * One cycle, read committed: each statement sees at least what the ones before it saw, and the
     * order of the reads is what makes each bound safe (see {@link #mark} and {@link #stableClaim}).
     */
    private Cycle cycle(Connection connection, long ownVisible) throws SQLException {
        List<PeerProgress> progress = peerProgress(connection);
        TreeMap<Long, Positions> checkpoints = new TreeMap<>();
        Map<Long, Long> checkpointVisible = new TreeMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT id, positions::text, own_visible FROM " + CHECKPOINTS + " ORDER BY id")) {
            while (rs.next()) {
                checkpoints.put(rs.getLong(1), positions(rs.getString(2)));
                checkpointVisible.put(rs.getLong(1), rs.getLong(3));
            }
        }
        // Read before marking: every delete applied up to these positions has its tombstone visible to the marking.
        Positions applied = appliedPositions(connection);

        TreeMap<Long, Positions> required = CollectionPlan.ofMembers(checkpoints, members);
        long stable = CollectionPlan.stableUpTo(required, progress, peers);
        long collectable = CollectionPlan.collectableUpTo(required, stable, progress, peers);
        int collected = 0;
        if (collectable > 0) {
            // A tombstone written again meanwhile lost its mark and stays.
            collected = update(connection, "DELETE FROM " + ReplicationSchema.TOMBSTONE_TABLE + " WHERE collect_checkpoint <= ?",
                    collectable);
            update(connection, "DELETE FROM " + CHECKPOINTS + " WHERE id <= ?", collectable);
        }
        if (stable > 0) {
            try (PreparedStatement state = connection.prepareStatement("INSERT INTO " + STATE
                    + " (node_id, stable_checkpoint) VALUES (?, ?) ON CONFLICT (node_id) DO UPDATE"
                    + " SET stable_checkpoint = greatest(" + STATE + ".stable_checkpoint, EXCLUDED.stable_checkpoint)")) {
                state.setString(1, nodeId);
                state.setLong(2, stable);
                state.executeUpdate();
            }
        }

        long marked = mark(connection, ownVisible);
        long newest = Math.max(marked, checkpoints.isEmpty() ? 0 : checkpoints.lastKey());
        // A leaving node waits for its peers' reports: syncline leave reads from them how far they applied it.
        boolean leaving = leaving(connection);
        boolean awaiting = newest > collectable || leaving;
        Positions stableClaim = stableClaim(checkpoints, checkpointVisible, stable, newest, applied, ownVisible);
        boolean reported = report(connection, applied, stableClaim, awaiting,
                progress.stream().anyMatch(PeerProgress::awaiting));
        // Tombstones appear only unmarked (this cycle marks them) and go only by collection: count when either happened.
        if (held < 0 || marked > 0 || collected > 0) {
            held = count(connection);
        }
        long pending = held;
        return new Cycle(stable, collected, pending, reported, leaving);
    }

    /**
     * Up to where this node's tombstones are stable. When every checkpoint is stable: everything
     * applied, and every local commit below the visible position, since every tombstone they left
     * is marked by now. Otherwise the positions of the newest stable checkpoint (with the local
     * position every local commit was visible below when it was taken).
     */
    private Positions stableClaim(TreeMap<Long, Positions> checkpoints, Map<Long, Long> visible, long stable,
            long newest, Positions applied, long ownVisible) {
        if (newest <= stable) {
            return applied.with(nodeId, ownVisible);
        }
        Map.Entry<Long, Positions> newestStable = checkpoints.floorEntry(stable);
        if (newestStable == null) {
            return Positions.NONE;
        }
        return newestStable.getValue().with(nodeId, visible.get(newestStable.getKey()));
    }

    /**
     * Marks the unmarked tombstones with a new checkpoint; returns its id, or 0 when there were none.
     * The positions are read after the marking, so they cover every delete it marked.
     */
    private long mark(Connection connection, long ownVisible) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM " + ReplicationSchema.TOMBSTONE_TABLE
                        + " WHERE collect_checkpoint IS NULL)")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return 0;
            }
        }
        long id;
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + CHECKPOINTS
                + " (positions, own_visible) VALUES ('{}', ?) RETURNING id")) {
            insert.setLong(1, ownVisible);
            try (ResultSet inserted = insert.executeQuery()) {
                inserted.next();
                id = inserted.getLong(1);
            }
        }
        update(connection, "UPDATE " + ReplicationSchema.TOMBSTONE_TABLE + " SET collect_checkpoint = ? WHERE collect_checkpoint IS NULL",
                id);
        long ownPosition;
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint")) {
            // At or past the commit of every local delete the marking saw.
            rs.next();
            ownPosition = rs.getLong(1);
        }
        try (PreparedStatement positions = connection.prepareStatement("UPDATE " + CHECKPOINTS
                + " SET positions = ?::jsonb WHERE id = ?")) {
            positions.setString(1, json(appliedPositions(connection).with(nodeId, ownPosition)));
            positions.setLong(2, id);
            positions.executeUpdate();
        }
        return id;
    }

    /**
     * Writes the progress report when it changed and this node or a peer waits for progress (or this
     * node just stopped waiting), so that an idle cluster goes quiet.
     */
    private boolean report(Connection connection, Positions applied, Positions stable, boolean awaiting, boolean peerAwaiting)
            throws SQLException {
        PeerProgress last = null;
        try (PreparedStatement read = connection.prepareStatement("SELECT applied::text, stable::text, awaiting FROM "
                + ReplicationSchema.PROGRESS_REPORT_TABLE + " WHERE node_id = ?")) {
            read.setString(1, nodeId);
            try (ResultSet rs = read.executeQuery()) {
                if (rs.next()) {
                    last = new PeerProgress(nodeId, positions(rs.getString(1)), positions(rs.getString(2)), rs.getBoolean(3));
                }
            }
        }
        PeerProgress now = new PeerProgress(nodeId, applied, stable, awaiting);
        boolean wanted = awaiting || peerAwaiting || last != null && last.awaiting();
        if (!wanted || now.equals(last)) {
            return false;
        }
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + ReplicationSchema.PROGRESS_REPORT_TABLE
                + " (node_id, applied, stable, awaiting) VALUES (?, ?::jsonb, ?::jsonb, ?) ON CONFLICT (node_id) DO UPDATE"
                + " SET applied = EXCLUDED.applied, stable = EXCLUDED.stable, awaiting = EXCLUDED.awaiting, reported_at = now()")) {
            upsert.setString(1, nodeId);
            upsert.setString(2, json(applied));
            upsert.setString(3, json(stable));
            upsert.setBoolean(4, awaiting);
            upsert.executeUpdate();
        }
        return true;
    }

    private List<PeerProgress> peerProgress(Connection connection) throws SQLException {
        List<PeerProgress> progress = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT peer, applied::text, stable::text, awaiting FROM "
                        + ReplicationSchema.PEER_PROGRESS_TABLE)) {
            while (rs.next()) {
                progress.add(new PeerProgress(rs.getString(1), positions(rs.getString(2)), positions(rs.getString(3)),
                        rs.getBoolean(4)));
            }
        }
        return progress;
    }

    private static Positions appliedPositions(Connection connection) throws SQLException {
        Map<String, Long> applied = new TreeMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT origin_node, position FROM " + ReplicationSchema.APPLIED_POSITION_TABLE
                        + " WHERE position >= 0")) {
            while (rs.next()) {
                applied.put(rs.getString(1), rs.getLong(2));
            }
        }
        return new Positions(applied);
    }

    /** The capture's confirmed position: every local commit below it was decoded and published, so it is visible. */
    private long ownVisiblePosition(Connection connection) throws SQLException {
        try (PreparedStatement slot = connection.prepareStatement("SELECT (confirmed_flush_lsn - '0/0')::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            slot.setString(1, ReplicationSchema.slotName(nodeId));
            try (ResultSet rs = slot.executeQuery()) {
                if (rs.next()) {
                    long position = rs.getLong(1);
                    return rs.wasNull() ? -1 : position;
                }
                return -1;
            }
        }
    }

    private boolean leaving(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM " + ReplicationSchema.MEMBERSHIP_TABLE
                + " WHERE node_id = ? AND state = 'leaving'")) {
            statement.setString(1, nodeId);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static long count(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + ReplicationSchema.TOMBSTONE_TABLE)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int update(Connection connection, String sql, long value) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, value);
            return statement.executeUpdate();
        }
    }

    private static Positions positions(String json) {
        try {
            return new Positions(JSON.readValue(json, POSITIONS));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a map of positions: " + json, e);
        }
    }

    private static String json(Positions positions) {
        try {
            return JSON.writeValueAsString(positions.byOrigin());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
