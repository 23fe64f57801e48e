package io.syncline.apply.internal;

import io.syncline.apply.ParkedChange;
import io.syncline.conflict.LocalState;
import io.syncline.conflict.ResolvedConflict;
import io.syncline.conflict.RowPlan;
import io.syncline.conflict.Winner;
import io.syncline.core.codec.TransactionCodec;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.core.spi.ConflictType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conflict log and the dead-letter table of one target transaction. Both are written in the
 * transaction that applies the change, so an entry commits or rolls back with it: no conflict is
 * lost and none is logged for a change that did not commit. Conflict-log rows are batched until
 * {@link #flush()}; a dead letter is written at once, because its id is reported. Not
 * thread-safe: one per {@link ApplySession}, on its connection.
 */
final class ConflictJournal {

    private static final Logger log = LoggerFactory.getLogger(ConflictJournal.class);

    private static final String INSERT_CONFLICT_LOG = "INSERT INTO " + ReplicationSchema.CONFLICT_LOG_TABLE
            + " (table_name, pk, conflict_type, local_version, remote_version, local_row, remote_row, rule, winner,"
            + " origin_node, origin_position, resolved_version, resolved_row, error)"
            + " VALUES (?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)";
    private static final String INSERT_DEAD_LETTER = "INSERT INTO " + ReplicationSchema.DEAD_LETTER_TABLE
            + " (table_name, pk, conflict_type, rule, origin_node, origin_position, origin_tx_id, commit_time_micros,"
            + " change, change_json, error) VALUES (?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?) RETURNING id";
    private static final String INSERT_DEAD_TRANSACTION = "INSERT INTO " + ReplicationSchema.DEAD_LETTER_TABLE
            + " (kind, table_name, pk, rule, origin_node, origin_position, origin_tx_id, commit_time_micros, change,"
            + " change_json, error, sqlstate, constraint_name) VALUES ('" + DeadLetterKind.TRANSACTION.sqlName() + "',"
            + " ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?) RETURNING id";
    /** The rule recorded for a parked transaction: what parked it. */
    static final String ON_ERROR_PARK = "on-error: park";

    private final PreparedStatements statements;
    private final String logPrefix;
    private final List<ResolvedConflict> conflicts = new ArrayList<>();
    private final List<ParkedChange> parked = new ArrayList<>();
    // The conflict-log statement with rows added since the last flush; null when there are none.
    private PreparedStatement pendingEntries;

    ConflictJournal(PreparedStatements statements, String logPrefix) {
        this.statements = statements;
        this.logPrefix = logPrefix;
    }

    /** Logs a conflict that {@code plan} resolved. */
    void resolved(SourceTransaction transaction, TableShape table, RowChange change, LocalState local, RowPlan plan)
            throws SQLException {
        addEntry(transaction, table.name(), change, local, plan.conflictType(), plan.rule(), plan.winner(),
                Json.version(plan.version()), Json.row(resolvedRow(local, change, plan)), null);
        log.debug("{} {} conflict on {} {}: local {} vs remote {} from {} at {}, {} wins", logPrefix,
                plan.conflictType().logName(), table.name(), change.key(), local.version() == null ? "none" : local.version().clock(),
                change.version().clock(), transaction.originNode(), transaction.originPosition(), plan.winner().logName());
    }

    /**
     * Parks {@code change} in the dead-letter table with {@code error}, and logs it as a parked
     * conflict when it met a local version ({@code type} not null).
     *
     * @param local the key's local state when the change was parked
     * @param rule  the name of the table's resolver
     */
    void park(SourceTransaction transaction, RowChange change, LocalState local, ConflictType type, String rule, String error)
            throws SQLException {
        SourceTransaction single = new SourceTransaction(transaction.originNode(), transaction.originPosition(),
                transaction.commitTimeMicros(), transaction.originTxId(), List.of(transaction.originNode()), List.of(change));
        PreparedStatement insert = statements.prepared(INSERT_DEAD_LETTER);
        insert.setString(1, change.table());
        insert.setString(2, Json.row(change.key()));
        insert.setString(3, type == null ? null : type.logName());
        insert.setString(4, rule);
        insert.setString(5, transaction.originNode());
        insert.setLong(6, transaction.originPosition());
        insert.setLong(7, transaction.originTxId());
        insert.setLong(8, transaction.commitTimeMicros());
        insert.setBytes(9, TransactionCodec.encodeBody(single));
        insert.setString(10, Json.change(change));
        insert.setString(11, error);
        long id;
        try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            id = rs.getLong(1);
        }
        if (type != null) {
            addEntry(transaction, change.table(), change, local, type, rule, Winner.PARKED, null, null, error);
        }
        parked.add(new ParkedChange(id, change.table(), change.key(), transaction.originNode(), transaction.originPosition(), error));
        log.warn("{} parked {} of {} key {} from {} at position {} as dead letter {}: {}; apply it again with"
                + " `syncline conflicts retry` once the resolver is fixed", logPrefix, change.operation(), change.table(),
                change.key(), transaction.originNode(), transaction.originPosition(), id, error);
    }

    /**
     * Parks the whole source {@code transaction}, which the database refused as {@code refusal}
     * says, in the dead-letter table; none of its changes is applied. The caller advances its
     * origin's position in the same target transaction.
     */
    void parkTransaction(SourceTransaction transaction, RowRefusal refusal) throws SQLException {
        PreparedStatement insert = statements.prepared(INSERT_DEAD_TRANSACTION);
        insert.setString(1, refusal.table());
        insert.setString(2, Json.row(refusal.key()));
        insert.setString(3, ON_ERROR_PARK);
        insert.setString(4, transaction.originNode());
        insert.setLong(5, transaction.originPosition());
        insert.setLong(6, transaction.originTxId());
        insert.setLong(7, transaction.commitTimeMicros());
        insert.setBytes(8, TransactionCodec.encodeBody(transaction));
        insert.setString(9, transaction.changes().stream().map(Json::change).collect(Collectors.joining(", ", "[", "]")));
        insert.setString(10, refusal.describe());
        insert.setString(11, refusal.sqlState());
        insert.setString(12, refusal.constraint());
        long id;
        try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            id = rs.getLong(1);
        }
        parked.add(new ParkedChange(id, refusal.table(), refusal.key(), transaction.originNode(), transaction.originPosition(),
                refusal.describe()));
        log.warn("{} parked transaction {} of {} at position {} ({} change(s)) as dead letter {}: this database refused it"
                + " with {}; the link goes on with the next transaction. Fix the data or schema here, then apply it with"
                + " `syncline conflicts retry` (see `syncline conflicts parked`)", logPrefix, transaction.originTxId(),
                transaction.originNode(), transaction.originPosition(), transaction.changes().size(), id, refusal.summary());
        log.debug("{} dead letter {}: {}", logPrefix, id, refusal.describe());
    }

    private void addEntry(SourceTransaction transaction, String table, RowChange change, LocalState local, ConflictType type,
            String rule, Winner winner, String resolvedVersionJson, String resolvedRowJson, String error) throws SQLException {
        PreparedStatement entry = statements.prepared(INSERT_CONFLICT_LOG);
        entry.setString(1, table);
        entry.setString(2, Json.row(change.key()));
        entry.setString(3, type.logName());
        entry.setString(4, Json.version(local.version()));
        entry.setString(5, Json.version(change.version()));
        entry.setString(6, Json.row(local.values()));
        entry.setString(7, change.operation() == Operation.DELETE ? null : Json.row(change.values()));
        entry.setString(8, rule);
        entry.setString(9, winner.logName());
        entry.setString(10, transaction.originNode());
        entry.setLong(11, transaction.originPosition());
        entry.setString(12, resolvedVersionJson);
        entry.setString(13, resolvedRowJson);
        entry.setString(14, error);
        entry.addBatch();
        pendingEntries = entry;
        conflicts.add(new ResolvedConflict(table, change.key(), type, rule, winner, transaction.originNode(),
                transaction.originPosition()));
    }

    /** The row the conflict left, for the log; {@code null} when it left a tombstone. */
    private static Map<String, String> resolvedRow(LocalState local, RowChange change, RowPlan plan) {
        switch (plan.action()) {
            case UPSERT_ROW:
                if (plan.values() != null) {
                    return plan.values();
                }
                Map<String, String> row = new LinkedHashMap<>();
                if (local.kind() == LocalState.Kind.ROW) {
                    row.putAll(local.values());
                }
                change.values().forEach((column, value) -> {
                    if (!change.unchangedColumns().contains(column)) {
                        row.put(column, value);
                    }
                });
                return row;
            case KEEP_LOCAL:
                return local.values();
            default:
                return null;
        }
    }

    /** Writes the batched conflict-log rows; before the target transaction commits. */
    void flush() throws SQLException {
        if (pendingEntries != null) {
            pendingEntries.executeBatch();
            pendingEntries = null;
        }
    }

    /** Forgets everything of the previous target transaction, including rows it batched but never wrote. */
    void reset() throws SQLException {
        conflicts.clear();
        parked.clear();
        if (pendingEntries != null) {
            pendingEntries.clearBatch();
            pendingEntries = null;
        }
    }

    List<ResolvedConflict> conflicts() {
        return List.copyOf(conflicts);
    }

    List<ParkedChange> parked() {
        return List.copyOf(parked);
    }

    EnumMap<ConflictType, Integer> countsByType() {
        EnumMap<ConflictType, Integer> byType = new EnumMap<>(ConflictType.class);
        conflicts.forEach(c -> byType.merge(c.type(), 1, Integer::sum));
        return byType;
    }
}
