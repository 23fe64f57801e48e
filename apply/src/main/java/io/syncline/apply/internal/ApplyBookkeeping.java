package io.syncline.apply.internal;

import io.syncline.core.event.OriginIdentity;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What makes a target transaction exactly-once and gap-free, written in it: the applied position
 * of each origin with the identity and start of the chain it belongs to ({@link ChainCheck}), the
 * link's next Kafka offset, and the replication origin's commit stamp. A replay of the same
 * transactions finds their positions already applied and skips them. Not thread-safe: one per
 * {@link ApplySession}, on its connection.
 */
final class ApplyBookkeeping {

    /** Where an origin's applied transactions end: the chain applied so far and the last commit time. */
    static final class Position {
        ChainCheck.Applied applied;
        long commitTimeMicros;

        private Position(ChainCheck.Applied applied) {
            this.applied = applied;
        }

        /** A position to advance from {@code applied}, known without reading it. */
        static Position of(ChainCheck.Applied applied) {
            return new Position(applied);
        }

        void advanceTo(SourceTransaction transaction) {
            applied = applied.after(transaction);
            commitTimeMicros = transaction.commitTimeMicros();
        }
    }

    private static final String LOCK_POSITION_INSERT = "INSERT INTO " + ReplicationSchema.APPLIED_POSITION_TABLE
            + " (origin_node, position, commit_time_micros) VALUES (?, -1, 0) ON CONFLICT (origin_node) DO NOTHING";
    private static final String LOCK_POSITION_SELECT = "SELECT position, origin_system_id, origin_epoch, chain_start FROM "
            + ReplicationSchema.APPLIED_POSITION_TABLE + " WHERE origin_node = ? FOR UPDATE";
    private static final String UPDATE_POSITION = "UPDATE " + ReplicationSchema.APPLIED_POSITION_TABLE
            + " SET position = ?, commit_time_micros = ?, origin_system_id = ?, origin_epoch = ?, chain_start = ?,"
            + " applied_at = now() WHERE origin_node = ?";
    private static final String UPSERT_LINK_OFFSET = "INSERT INTO " + ReplicationSchema.LINK_OFFSET_TABLE
            + " (upstream_node, next_offset)"
            + " VALUES (?, ?) ON CONFLICT (upstream_node) DO UPDATE SET next_offset = EXCLUDED.next_offset";
    private static final String INSERT_QUARANTINE = "INSERT INTO " + ReplicationSchema.QUARANTINE_TABLE
            + " (upstream_node, topic, kafka_offset, origin_node, reason, message, headers, body)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (upstream_node, topic, kafka_offset) DO NOTHING";
    // The origin's commit position and time on the commit record (PostgreSQL manual, "Replication
    // Progress Tracking"); the capture sees them as source.origin_lsn and source.ts_ms.
    private static final String XACT_SETUP = "SELECT pg_replication_origin_xact_setup(?::pg_lsn,"
            + " timestamptz 'epoch' + ? * interval '1 microsecond')";

    private final PreparedStatements statements;

    ApplyBookkeeping(PreparedStatements statements) {
        this.statements = statements;
    }

    /**
     * Locks the applied position of each origin until the target transaction ends, in name order
     * against deadlocks between links; -1 = nothing applied yet.
     */
    Map<String, Position> lockPositions(Collection<String> origins) throws SQLException {
        Map<String, Position> positions = new HashMap<>();
        for (String origin : new TreeSet<>(origins)) {
            PreparedStatement insert = statements.prepared(LOCK_POSITION_INSERT);
            insert.setString(1, origin);
            insert.executeUpdate();
            PreparedStatement select = statements.prepared(LOCK_POSITION_SELECT);
            select.setString(1, origin);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("applied position row of " + origin + " vanished", "40001");
                }
                positions.put(origin, new Position(applied(rs, 1)));
            }
        }
        return positions;
    }

    /** The columns position, origin_system_id, origin_epoch and chain_start of {@code rs}, from {@code first} on. */
    static ChainCheck.Applied applied(ResultSet rs, int first) throws SQLException {
        long position = rs.getLong(first);
        long systemId = rs.getLong(first + 1);
        OriginIdentity identity = rs.wasNull() ? null : new OriginIdentity(systemId, rs.getLong(first + 2));
        return new ChainCheck.Applied(identity, position, rs.getLong(first + 3));
    }

    void storePosition(String origin, Position position) throws SQLException {
        PreparedStatement update = statements.prepared(UPDATE_POSITION);
        ChainCheck.Applied applied = position.applied;
        update.setLong(1, applied.position());
        update.setLong(2, position.commitTimeMicros);
        if (applied.identity() == null) {
            update.setNull(3, Types.BIGINT);
            update.setNull(4, Types.BIGINT);
        } else {
            update.setLong(3, applied.identity().systemIdentifier());
            update.setLong(4, applied.identity().epoch());
        }
        update.setLong(5, applied.chainStart());
        update.setString(6, origin);
        update.executeUpdate();
    }

    void storeLinkOffset(String upstreamNode, long nextOffset) throws SQLException {
        PreparedStatement link = statements.prepared(UPSERT_LINK_OFFSET);
        link.setString(1, upstreamNode);
        link.setLong(2, nextOffset);
        link.executeUpdate();
    }

    /** Keeps a record that failed validation; written with the link offset that moves past it. */
    void quarantine(String upstreamNode, RejectedRecord record) throws SQLException {
        PreparedStatement insert = statements.prepared(INSERT_QUARANTINE);
        insert.setString(1, upstreamNode);
        insert.setString(2, record.topic());
        insert.setLong(3, record.offset());
        insert.setString(4, storable(record.origin()));
        insert.setString(5, record.reason().name());
        insert.setString(6, storable(record.detail()));
        Map<String, String> headers = new TreeMap<>();
        record.headers().forEach((name, value) -> headers.put(storable(name), storable(value)));
        insert.setString(7, Json.write(headers));
        insert.setBytes(8, record.body());
        insert.executeUpdate();
    }

    /** PostgreSQL text and jsonb hold no NUL character; forged bytes may decode to one. */
    private static String storable(String text) {
        return text == null ? null : text.replace('\u0000', '\uFFFD');
    }

    /** Stamps the commit of the target transaction with {@code last}'s origin position and commit time. */
    void stampCommit(SourceTransaction last) throws SQLException {
        PreparedStatement setup = statements.prepared(XACT_SETUP);
        setup.setString(1, lsn(last.originPosition()));
        setup.setLong(2, last.commitTimeMicros());
        setup.execute();
    }

    /** The {@code pg_lsn} text form {@code X/X} of a WAL position. */
    static String lsn(long position) {
        return Long.toHexString(position >>> 32).toUpperCase(Locale.ROOT) + "/"
                + Long.toHexString(position & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }
}
