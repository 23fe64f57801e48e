package io.syncline.apply.internal;

import io.syncline.apply.ApplyResult;
import io.syncline.apply.ParkedChange;
import io.syncline.conflict.LocalState;
import io.syncline.conflict.ResolvedConflict;
import io.syncline.conflict.ResolverFailedException;
import io.syncline.conflict.RowDecider;
import io.syncline.conflict.RowPlan;
import io.syncline.conflict.Winner;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.RowClock;
import io.syncline.core.event.RowMetadata;
import io.syncline.core.event.RowVersion;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.core.spi.ConflictType;
import io.syncline.core.spi.RowState;
import io.syncline.schema.ReplicatedTables;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies groups of source transactions on one connection whose session is marked with a
 * replication origin, one target transaction per {@link #applyTargetTransaction} call. Keeps the
 * connection's prepared statements for its lifetime. Not thread-safe; the caller owns the
 * connection, its origin session and the rollback on failure.
 */
public final class ApplySession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApplySession.class);

    /** How often one change re-reads and decides again after a local writer inserted the same key first. */
    private static final int MAX_RACE_RETRIES = 3;

    private static final String UPSERT_PEER_PROGRESS = "INSERT INTO " + ReplicationSchema.PEER_PROGRESS_TABLE
            + " (peer, applied, stable, awaiting) VALUES (?, ?::jsonb, ?::jsonb, ?) ON CONFLICT (peer) DO UPDATE"
            + " SET applied = EXCLUDED.applied, stable = EXCLUDED.stable, awaiting = EXCLUDED.awaiting, received_at = now()";

    /**
     * What one committed target transaction did, and its conflicts and parked changes for the listener.
     *
     * @param gap the transaction that broke its origin's chain, where the target transaction ended (what came
     *            before it is committed, nothing from it on); null when there was none
     */
    public record Outcome(ApplyResult result, List<ResolvedConflict> conflicts, List<ParkedChange> parked, ChainBreak gap) {}

    /**
     * A received transaction that does not continue its origin's chain here.
     *
     * @param transaction the transaction
     * @param verdict     why, with the expected and the found previous position
     * @param applied     what this node had applied of the origin
     */
    public record ChainBreak(SourceTransaction transaction, ChainCheck.Verdict verdict, ChainCheck.Applied applied) {}

    private final Connection connection;
    private final TableCatalog catalog;
    private final RowDecider decider;
    private final String localNode;
    private final String logPrefix;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final ApplyErrorClassifier classifier = new ApplyErrorClassifier();
    private final ConflictJournal journal;
    private final ApplyBookkeeping bookkeeping;
    private final RemoteSchemaChange schemaChanges;

    // Where the session is, for error messages.
    private SourceTransaction currentTransaction;
    private RowChange currentChange;
    private String currentTable;

    // Counters of the target transaction in progress.
    private long rowsWritten;
    private long rowsSkipped;
    // The deletes of old keys of primary-key changes in the target transaction in progress; for
    // those whose new key's insert left TOASTed values out, that insert, and the old row's values
    // read just before the delete (null when there was no local row).
    private final Set<RowChange> keyChangeDeletes = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final Map<RowChange, RowChange> movedInsertsNeedingValues = new java.util.IdentityHashMap<>();
    private final Map<RowChange, Map<String, String>> carriedValues = new java.util.IdentityHashMap<>();
    private boolean parkFailures = true;
    private boolean mergedRowsUnderSavepoints;

    /**
     * @param tables the node's replicated tables; schema changes from peers may alter only those, or create new
     *               ones; null: none
     */
    public ApplySession(Connection connection, TableCatalog catalog, RowDecider decider, String localNode, String logPrefix,
            ReplicatedTables tables) {
        this.connection = connection;
        this.schemaChanges = new RemoteSchemaChange(localNode, tables, logPrefix);
        this.catalog = catalog;
        this.decider = decider;
        this.localNode = localNode;
        this.logPrefix = logPrefix;
        this.journal = new ConflictJournal(this::statement, logPrefix);
        this.bookkeeping = new ApplyBookkeeping(this::statement);
    }

    public SourceTransaction currentTransaction() {
        return currentTransaction;
    }

    public RowChange currentChange() {
        return currentChange;
    }

    public String currentTable() {
        return currentTable;
    }

    /**
     * Applies {@code transactions} and the bookkeeping in one target transaction and commits it.
     * On an exception nothing is committed and the caller must roll back. A transaction that breaks
     * its origin's chain ({@link ChainCheck}) ends the target transaction: those before it commit,
     * without the link offset, and {@link Outcome#gap()} names it.
     *
     * @param nextKafkaOffset the link offset to store with it, or empty to leave it as it is
     */
    public Outcome applyTargetTransaction(List<SourceTransaction> transactions, String upstreamNode, OptionalLong nextKafkaOffset)
            throws SQLException {
        return applyTargetTransaction(transactions, upstreamNode, nextKafkaOffset, Map.of(), List.of());
    }

    /**
     * As {@link #applyTargetTransaction(List, String, OptionalLong)}, but parks the transactions of
     * {@code refused} whole in the dead-letter table instead of applying them (their positions still
     * advance), so that the others apply without them.
     *
     * @param refused     transactions of {@code transactions} (by identity) the database refused, and why
     * @param quarantined records that failed validation, kept in the quarantine table with the link offset (only
     *                    when {@code nextKafkaOffset} is stored, so that they are kept once, with the offset past them)
     */
    public Outcome applyTargetTransaction(List<SourceTransaction> transactions, String upstreamNode, OptionalLong nextKafkaOffset,
            Map<SourceTransaction, RowRefusal> refused, List<RejectedRecord> quarantined) throws SQLException {
        Outcome outcome = applyUncommitted(transactions, upstreamNode, nextKafkaOffset, refused, quarantined);
        connection.commit();
        return outcome;
    }

    /**
     * As {@link #applyTargetTransaction(List, String, OptionalLong, Map, List)}, without the commit: the
     * target transaction stays open for more ({@link #applyChunkRows}, another call of this), and the
     * caller commits it ({@link #commitStreamed}) or rolls it back. The applied positions are written,
     * and read back by the next call, in the open transaction.
     */
    public Outcome applyUncommitted(List<SourceTransaction> transactions, String upstreamNode, OptionalLong nextKafkaOffset,
            Map<SourceTransaction, RowRefusal> refused, List<RejectedRecord> quarantined) throws SQLException {
        return applyUncommitted(transactions, upstreamNode, nextKafkaOffset, refused, quarantined, null, null);
    }

    /**
     * Waits, with a target transaction's rows written and still uncommitted, until the target
     * transactions before it committed ({@link #applyInTurn}).
     */
    @FunctionalInterface
    public interface Turn {

        /**
         * Returns once every earlier target transaction committed.
         *
         * @throws SQLException to roll this one back instead (an earlier one failed, or waits for a row this one holds)
         */
        void await() throws SQLException;
    }

    /**
     * Applies {@code transactions} beside other sessions, in one target transaction, and commits it
     * in its turn: decides their chain against {@code expected}, what the target transactions
     * before it will have applied of each origin, writes the rows, then waits for {@code turn}, locks
     * the applied positions, checks that they are {@code expected} and stores them with the rest of
     * the bookkeeping. A position found otherwise (another link applied the origin meanwhile) fails
     * with SQLSTATE 40001, to apply again. On an exception nothing is committed and the caller must
     * roll back.
     *
     * @param expected what is applied of every origin of {@code transactions} once its turn comes
     */
    public Outcome applyInTurn(List<SourceTransaction> transactions, String upstreamNode, OptionalLong nextKafkaOffset,
            List<RejectedRecord> quarantined, Map<String, ChainCheck.Applied> expected, Turn turn) throws SQLException {
        Outcome outcome = applyUncommitted(transactions, upstreamNode, nextKafkaOffset, Map.of(), quarantined,
                Objects.requireNonNull(expected, "expected"), Objects.requireNonNull(turn, "turn"));
        connection.commit();
        return outcome;
    }

    private Outcome applyUncommitted(List<SourceTransaction> transactions, String upstreamNode, OptionalLong nextKafkaOffset,
            Map<SourceTransaction, RowRefusal> refused, List<RejectedRecord> quarantined, Map<String, ChainCheck.Applied> expected,
            Turn turn) throws SQLException {
        currentTransaction = null;
        currentChange = null;
        currentTable = null;
        resetCounters();
        discardPendingWrites();

        Set<String> origins = new HashSet<>();
        for (SourceTransaction transaction : transactions) {
            if (!isEcho(transaction)) {
                origins.add(transaction.originNode());
            }
        }
        Map<String, ApplyBookkeeping.Position> positions = new HashMap<>();
        if (expected == null) {
            positions = bookkeeping.lockPositions(origins);
        } else {
            for (String origin : origins) {
                positions.put(origin, ApplyBookkeeping.Position.of(expected.getOrDefault(origin, ChainCheck.Applied.NOTHING)));
            }
        }
        Set<String> advanced = new HashSet<>();
        int applied = 0;
        int duplicates = 0;
        int echoes = 0;
        SourceTransaction last = null;
        ChainBreak gap = null;
        List<SourceTransaction> toApply = new ArrayList<>(transactions.size());
        List<SourceTransaction> toPark = new ArrayList<>(refused.size());
        for (SourceTransaction transaction : transactions) {
            if (isEcho(transaction)) {
                log.warn("{} skipped transaction {} of {} at position {} with path {}: it already passed through this node"
                        + " (the router should not have sent it)", logPrefix, transaction.originTxId(),
                        transaction.originNode(), transaction.originPosition(), transaction.path());
                echoes++;
                continue;
            }
            ApplyBookkeeping.Position position = positions.get(transaction.originNode());
            ChainCheck.Verdict verdict = ChainCheck.check(position.applied, transaction);
            if (verdict.isBreak()) {
                if (turn != null) {
                    // Planned against other positions than it meets: the one writer left applies it and stops there.
                    throw new SQLException("transaction " + transaction.originTxId() + " of " + transaction.originNode()
                            + " at position " + transaction.originPosition() + " does not continue the chain it was planned"
                            + " against (" + verdict.kind() + ")", "40001");
                }
                // Nothing from here on: the transactions before it commit, the link stops at it.
                gap = new ChainBreak(transaction, verdict, position.applied);
                break;
            }
            if (verdict.kind() == ChainCheck.Kind.SUPERSEDED) {
                log.info("{} skipped transaction {} of {} at position {}: {}, superseded by the {} applied here", logPrefix,
                        transaction.originTxId(), transaction.originNode(), transaction.originPosition(),
                        transaction.chain().identity(), position.applied.identity());
                duplicates++;
                continue;
            }
            if (verdict.kind() == ChainCheck.Kind.DUPLICATE) {
                log.debug("{} skipped duplicate transaction {} of {} at position {} (applied up to {})", logPrefix,
                        transaction.originTxId(), transaction.originNode(), transaction.originPosition(),
                        position.applied.position());
                duplicates++;
                continue;
            }
            if (refused.containsKey(transaction)) {
                toPark.add(transaction);
            } else {
                toApply.add(transaction);
            }
            position.advanceTo(transaction);
            advanced.add(transaction.originNode());
            if (!isProgressReport(transaction) && !refused.containsKey(transaction)) {
                applied++;
            }
            last = transaction;
        }
        lockKeysInOrder(toApply);
        applyChanges(toApply);
        currentTransaction = null;
        for (SourceTransaction transaction : toPark) {
            journal.parkTransaction(transaction, refused.get(transaction));
        }

        journal.flush();
        if (turn != null) {
            turn.await();
            checkExpected(bookkeeping.lockPositions(origins), expected);
        }
        for (String origin : advanced) {
            bookkeeping.storePosition(origin, positions.get(origin));
        }
        if (nextKafkaOffset.isPresent() && gap == null) {
            for (RejectedRecord record : quarantined) {
                bookkeeping.quarantine(upstreamNode, record);
            }
            bookkeeping.storeLinkOffset(upstreamNode, nextKafkaOffset.getAsLong());
        }
        if (last != null) {
            bookkeeping.stampCommit(last);
        }

        List<ParkedChange> parked = journal.parked();
        ApplyResult result = new ApplyResult(applied, duplicates, echoes, rowsWritten, rowsSkipped, 1, journal.countsByType(),
                parked.size());
        return new Outcome(result, journal.conflicts(), parked, gap);
    }

    /**
     * Applies the rows of a further chunk of a large source transaction in the open target
     * transaction, without a chain check: its first chunk passed {@link #applyUncommitted}, which
     * advanced the origin's position already. Each chunk's rows are a unit of their own for reading,
     * deciding and batching, so that only one chunk is held at a time.
     *
     * @param chunk the chunk's changes as a source transaction at the position of its last chunk
     */
    public Outcome applyChunkRows(SourceTransaction chunk) throws SQLException {
        currentTransaction = null;
        currentChange = null;
        currentTable = null;
        resetCounters();
        discardPendingWrites();
        List<SourceTransaction> one = List.of(chunk);
        lockKeysInOrder(one);
        applyChanges(one);
        currentTransaction = null;
        journal.flush();
        List<ParkedChange> parked = journal.parked();
        ApplyResult result = new ApplyResult(0, 0, 0, rowsWritten, rowsSkipped, 0, journal.countsByType(), parked.size());
        return new Outcome(result, journal.conflicts(), parked, null);
    }

    /** Stores the link's Kafka offset, when given, and commits the open target transaction. */
    public void commitStreamed(String upstreamNode, OptionalLong nextKafkaOffset, List<RejectedRecord> quarantined)
            throws SQLException {
        if (nextKafkaOffset.isPresent()) {
            for (RejectedRecord record : quarantined) {
                bookkeeping.quarantine(upstreamNode, record);
            }
            bookkeeping.storeLinkOffset(upstreamNode, nextKafkaOffset.getAsLong());
        }
        connection.commit();
    }

    /** The applied positions locked in its turn must be those the target transaction was decided against. */
    private void checkExpected(Map<String, ApplyBookkeeping.Position> locked, Map<String, ChainCheck.Applied> expected)
            throws SQLException {
        for (Map.Entry<String, ApplyBookkeeping.Position> entry : locked.entrySet()) {
            ChainCheck.Applied found = entry.getValue().applied;
            ChainCheck.Applied wanted = expected.getOrDefault(entry.getKey(), ChainCheck.Applied.NOTHING);
            if (!found.equals(wanted)) {
                throw new SQLException("the applied position of origin " + entry.getKey() + " is " + found
                        + ", not the " + wanted + " this target transaction was decided against (another session applied"
                        + " the origin meanwhile)", "40001");
            }
        }
    }

    /** A peer's progress report alone: bookkeeping, not counted as an applied transaction. */
    private static boolean isProgressReport(SourceTransaction transaction) {
        return transaction.changes().stream().allMatch(c -> c.table().equals(ReplicationSchema.PROGRESS_REPORT_TABLE));
    }

    private boolean isEcho(SourceTransaction transaction) {
        return transaction.originNode().equals(localNode) || transaction.hasVisited(localNode);
    }

    /**
     * Locks the rows and tombstones of every key the changes of {@code transactions} write, before
     * the first write: table by table in name order, each table's keys in key order. The appliers of
     * several upstream links then lock the keys they share in one order and never wait for each
     * other in a cycle (a deadlock, which PostgreSQL detects only after {@code deadlock_timeout} and
     * resolves by failing one of them), and a target transaction does its waiting before it holds
     * any row. Keys of tables whose key types are not read as sets ({@link TableShape#setApplicable})
     * are locked as their changes come.
     */
    private void lockKeysInOrder(List<SourceTransaction> transactions) throws SQLException {
        var byTable = GroupKeys.of(transactions);
        if (GroupKeys.count(byTable) < 2) {
            return;
        }
        for (var table : byTable.entrySet()) {
            GroupKeys.Writer first = table.getValue().values().iterator().next();
            currentTransaction = first.transaction();
            currentChange = first.change();
            currentTable = table.getKey();
            TableShape shape = shapeFor(first.change());
            if (!shape.setApplicable()) {
                continue;
            }
            for (var key : table.getValue().entrySet()) {
                currentTransaction = key.getValue().transaction();
                currentChange = key.getValue().change();
                requireKey(shape, key.getKey());
            }
            currentTransaction = first.transaction();
            currentChange = first.change();
            List<Map<String, String>> keys = new ArrayList<>(table.getValue().keySet());
            PreparedStatement rows = statement(shape.lockRowsInKeyOrder());
            bindKeyArrays(rows, shape, keys);
            try (ResultSet locked = rows.executeQuery()) {
                // One row: the count.
            }
            PreparedStatement tombstones = statement(shape.lockTombstonesInKeyOrder());
            tombstones.setString(bindKeyArrays(tombstones, shape, keys), shape.name());
            try (ResultSet locked = tombstones.executeQuery()) {
                // One row: the count.
            }
        }
        currentTransaction = null;
        currentChange = null;
        currentTable = null;
    }

    /** Binds one array per key column ({@link TableShape#keyArray}); returns the next parameter index. */
    private static int bindKeyArrays(PreparedStatement statement, TableShape table, List<Map<String, String>> keys)
            throws SQLException {
        int p = 1;
        for (String column : table.keyColumnNames()) {
            statement.setObject(p++, TableShape.keyArray(keys, column), Types.OTHER);
        }
        return p;
    }

    /**
     * Applies the changes of {@code transactions} in order, all in the target transaction.
     * Consecutive changes of one table with pairwise distinct keys, within one source transaction
     * or across several, form a run that is read with one locking query per table (rows, then the
     * tombstones of the keys without a row), decided in memory, and written with JDBC batches in
     * change order. A repeated key ends the run: its second change depends on the first.
     */
    private void applyChanges(List<SourceTransaction> transactions) throws SQLException {
        findKeyChangeDeletes(transactions);
        List<SourceTransaction> runTransactions = new ArrayList<>();
        List<RowChange> run = new ArrayList<>();
        Set<Map<String, String>> keys = new HashSet<>();
        TableShape table = null;
        String runTable = null;
        for (SourceTransaction transaction : transactions) {
            currentTransaction = transaction;
            for (RowChange change : transaction.changes()) {
                currentChange = change;
                currentTable = change.table();
                if (change.table().equals(ReplicationSchema.PROGRESS_REPORT_TABLE)) {
                    recordPeerProgress(transaction.originNode(), change);
                    continue;
                }
                if (change.table().equals(ReplicationSchema.SCHEMA_CHANGE_TABLE)) {
                    // Alone in its target transaction (TransactionApplier groups it so): no run is pending.
                    schemaChanges.apply(connection, change).forEach(t -> catalog.invalidate(t.qualified()));
                    continue;
                }
                if (carriedValues.containsKey(change)) {
                    change = withCarriedValues(change, carriedValues.remove(change));
                    currentChange = change;
                }
                // The old row of a key change goes with this delete: its values the new key's insert did
                // not send are read first, once the changes before it are written.
                RowChange movedInsert = movedInsertsNeedingValues.get(change);
                if (!run.isEmpty()) {
                    if (movedInsert == null && runnable(change) && change.table().equals(runTable) && !keys.contains(change.key())
                            && run.size() < MAX_RUN && shapeFor(change) == table) {
                        requireKey(table, change.key());
                        runTransactions.add(transaction);
                        run.add(change);
                        keys.add(change.key());
                        continue;
                    }
                    applyRunOrSingle(runTransactions, table, run);
                    runTransactions.clear();
                    run.clear();
                    keys.clear();
                    currentTransaction = transaction;
                    currentChange = change;
                    currentTable = change.table();
                }
                if (movedInsert != null) {
                    carriedValues.put(movedInsert, readLocal(shapeFor(change), change.key()).values());
                }
                TableShape shape = runnable(change) ? shapeFor(change) : null;
                if (shape != null && shape.setApplicable()) {
                    requireKey(shape, change.key());
                    table = shape;
                    runTable = change.table();
                    runTransactions.add(transaction);
                    run.add(change);
                    keys.add(change.key());
                } else {
                    applyOrPark(transaction, change);
                }
            }
        }
        if (!run.isEmpty()) {
            applyRunOrSingle(runTransactions, table, run);
        }
        currentChange = null;
        currentTable = null;
    }

    /**
     * The capture sends a primary-key change as the delete of the old key (its tombstone) and an
     * insert of the new key that names the old one; finds those deletes, so that a conflict at the
     * old key is logged as the key change it is.
     */
    private void findKeyChangeDeletes(List<SourceTransaction> transactions) {
        keyChangeDeletes.clear();
        movedInsertsNeedingValues.clear();
        carriedValues.clear();
        for (SourceTransaction transaction : transactions) {
            Map<List<Object>, RowChange> movedFrom = new HashMap<>();
            for (RowChange change : transaction.changes()) {
                if (change.operation() == Operation.INSERT && change.changesKey()) {
                    movedFrom.put(List.of(change.table(), change.oldKey()), change);
                }
            }
            if (movedFrom.isEmpty()) {
                continue;
            }
            for (RowChange change : transaction.changes()) {
                RowChange insert = change.operation() == Operation.DELETE ? movedFrom.get(List.of(change.table(), change.key())) : null;
                if (insert != null) {
                    keyChangeDeletes.add(change);
                    if (!insert.unchangedColumns().isEmpty()) {
                        movedInsertsNeedingValues.put(change, insert);
                    }
                }
            }
        }
    }

    /**
     * A peer's progress report, applied in order with the peer's own changes: everything the peer
     * wrote before it has been applied here (see TombstoneCollector). Never conflicts: each peer
     * reports only its own row.
     */
    private void recordPeerProgress(String peer, RowChange report) throws SQLException {
        PreparedStatement upsert = statement(UPSERT_PEER_PROGRESS);
        upsert.setString(1, peer);
        upsert.setString(2, report.values().get("applied"));
        upsert.setString(3, report.values().get("stable"));
        upsert.setBoolean(4, Boolean.parseBoolean(report.values().get("awaiting")));
        upsert.executeUpdate();
    }

    private void applyRunOrSingle(List<SourceTransaction> transactions, TableShape table, List<RowChange> run)
            throws SQLException {
        if (run.size() == 1) {
            currentTransaction = transactions.get(0);
            currentChange = run.get(0);
            applyOrPark(transactions.get(0), run.get(0));
        } else {
            applyRun(transactions, table, run);
        }
    }

    /** Key changes write the old key before deciding the new one: always row by row. */
    private static boolean runnable(RowChange change) {
        return !(change.operation() == Operation.UPDATE && change.changesKey());
    }

    /**
     * Reads, decides and writes a run of changes of {@code table} with pairwise distinct keys;
     * {@code transactions.get(i)} is the source transaction of {@code run.get(i)}.
     */
    private void applyRun(List<SourceTransaction> transactions, TableShape table, List<RowChange> run) throws SQLException {
        LocalState[] locals = readLocals(table, run);
        for (int i = 0; i < run.size(); i++) {
            SourceTransaction transaction = transactions.get(i);
            RowChange change = run.get(i);
            currentTransaction = transaction;
            currentChange = change;
            LocalState local = locals[i];
            RowPlan plan;
            try {
                plan = decider.decide(table.name(), table.columnTypes(), change.key(), local, change, transaction.originNode(),
                        keyChangeDeletes.contains(change));
            } catch (ResolverFailedException e) {
                flushWrites();
                park(transaction, change, e.getMessage());
                continue;
            }
            if (plan.winner() == Winner.MERGED) {
                // A merged row may be refused by the database: written alone under its savepoint.
                flushWrites();
                applyDecidedOrPark(transaction, table, change, local, plan);
                continue;
            }
            queueWrite(transaction, table, change, local, plan);
        }
        flushWrites();
    }

    /** The local state of every key of {@code run}, read under row locks in two queries at most. */
    private LocalState[] readLocals(TableShape table, List<RowChange> run) throws SQLException {
        LocalState[] locals = new LocalState[run.size()];
        List<Map<String, String>> keys = new ArrayList<>(run.size());
        for (RowChange change : run) {
            keys.add(change.key());
        }
        PreparedStatement rows = statement(table.selectRowsForUpdate());
        bindKeyArrays(rows, table, keys);
        int found = 0;
        try (ResultSet rs = rows.executeQuery()) {
            while (rs.next()) {
                locals[rs.getInt(1) - 1] = rowState(rs, 2, table);
                found++;
            }
        }
        if (found == run.size()) {
            return locals;
        }
        List<Map<String, String>> missing = new ArrayList<>(run.size() - found);
        int[] positions = new int[run.size() - found];
        for (int i = 0; i < locals.length; i++) {
            if (locals[i] == null) {
                positions[missing.size()] = i;
                missing.add(keys.get(i));
                locals[i] = LocalState.NONE;
            }
        }
        PreparedStatement tombstones = statement(table.selectTombstonesForUpdate());
        tombstones.setString(bindKeyArrays(tombstones, table, missing), table.name());
        try (ResultSet rs = tombstones.executeQuery()) {
            while (rs.next()) {
                locals[positions[rs.getInt(1) - 1]] = tombstoneState(rs, 2);
            }
        }
        return locals;
    }

    /**
     * Applies a change decided outside {@link #applyDecided}'s loop; parks it when the resolution
     * fails (nothing of it was written: only key changes, never in a run, write before resolving).
     */
    private void applyDecidedOrPark(SourceTransaction transaction, TableShape table, RowChange change, LocalState local,
            RowPlan plan) throws SQLException {
        try {
            applyDecided(transaction, table, change, local, plan);
        } catch (ResolverFailedException | ResolvedRowRejectedException e) {
            park(transaction, change, e.getMessage());
        }
    }

    // Writes of a run waiting for their batch. Writes to the user table keep the change order (another
    // unique constraint may depend on it), so a new statement shape first executes the pending one;
    // tombstone writes of distinct keys commute and wait for the end of the run.
    private PreparedStatement pendingRowStatement;
    private final List<QueuedWrite> pendingRowWrites = new ArrayList<>();
    // Inserts, or updates of locked rows, of one table and column set, written by one statement
    // (TableShape.insertRows / updateRows), which applies them in no particular order: only for
    // tables whose primary key is their only unique constraint (TableShape.rowOrderFree).
    private PendingRows pendingRows;

    /** Row writes waiting to be written together: the value of column c in row i is {@code columns.get(c).get(i)}. */
    private static final class PendingRows {
        final boolean insert;
        final TableShape table;
        final List<String> names;
        final List<List<String>> columns = new ArrayList<>();
        final List<RowChange> written = new ArrayList<>();
        final List<QueuedWrite> writes = new ArrayList<>();

        /** @param names for an update the columns after the key columns; for an insert every column written */
        PendingRows(boolean insert, TableShape table, List<String> names) {
            this.insert = insert;
            this.table = table;
            this.names = names;
            int count = (insert ? 0 : table.keyColumnNames().size()) + names.size() + 6;
            for (int i = 0; i < count; i++) {
                columns.add(new ArrayList<>());
            }
        }

        boolean accepts(boolean insert, TableShape table, List<String> names) {
            return this.insert == insert && this.table == table && this.names.equals(names);
        }

        void add(RowChange change, RowPlan plan, QueuedWrite write) {
            int c = 0;
            if (!insert) {
                for (String column : table.keyColumnNames()) {
                    columns.get(c++).add(change.key().get(column));
                }
            }
            for (String name : names) {
                columns.get(c++).add(change.key().containsKey(name) ? change.key().get(name) : change.values().get(name));
            }
            columns.get(c++).add(Long.toString(plan.version().clock().hlc()));
            columns.get(c++).add(plan.version().clock().nodeId());
            columns.get(c++).add(Json.vector(plan.version().vector()));
            columns.get(c++).add(Json.counters(plan.metadata()));
            columns.get(c++).add(Json.dots(plan.metadata()));
            columns.get(c).add(Json.frontier(plan.frontier()));
            written.add(change);
            writes.add(write);
        }
    }

    private final Map<String, List<QueuedWrite>> pendingTombstoneWrites = new LinkedHashMap<>();

    /** How many changes one run holds at most, to bound the query and the batch. */
    private static final int MAX_RUN = 1000;

    /** How the update count of one batched statement is checked. */
    private enum Check {
        /** Any count. */
        NONE,
        /** Exactly one row, else the locked row vanished. */
        ONE,
        /** Zero means a local writer inserted the key first: read and decide again. */
        RACE
    }

    private record QueuedWrite(SourceTransaction transaction, TableShape table, RowChange change, LocalState local, RowPlan plan, Check check) {}

    private void queueWrite(SourceTransaction transaction, TableShape table, RowChange change, LocalState local, RowPlan plan)
            throws SQLException {
        Map<String, String> key = change.key();
        switch (plan.action()) {
            case SKIP -> {
                completed(transaction, table, change, local, plan);
                return;
            }
            case UPSERT_ROW -> {
                RowChange written = plan.values() == null ? change : new RowChange(change.table(), change.operation(),
                        change.key(), null, plan.values(), Set.of(), plan.version(), plan.metadata());
                if (local.kind() == LocalState.Kind.ROW) {
                    queueUpdate(table, written, plan, new QueuedWrite(transaction, table, change, local, plan, Check.ONE));
                    completed(transaction, table, change, local, plan);
                } else {
                    queueInsert(table, written, plan, new QueuedWrite(transaction, table, change, local, plan, Check.RACE));
                }
                return;
            }
            case DELETE_ROW -> {
                PreparedStatement delete = rowStatement(table.deleteRow());
                bindKey(delete, 1, table, key);
                queueRow(delete, new QueuedWrite(transaction, table, change, local, plan, Check.NONE));
                queueTombstone(table.upsertTombstone(), table, key, plan.version(), plan.frontier(),
                        new QueuedWrite(transaction, table, change, local, plan, Check.NONE));
                completed(transaction, table, change, local, plan);
                return;
            }
            case WRITE_TOMBSTONE -> {
                if (local.kind() == LocalState.Kind.TOMBSTONE) {
                    queueTombstone(table.upsertTombstone(), table, key, plan.version(), plan.frontier(),
                            new QueuedWrite(transaction, table, change, local, plan, Check.NONE));
                    completed(transaction, table, change, local, plan);
                } else {
                    queueTombstone(table.insertTombstoneIfAbsent(), table, key, plan.version(), plan.frontier(),
                            new QueuedWrite(transaction, table, change, local, plan, Check.RACE));
                }
                return;
            }
            case KEEP_LOCAL -> {
                if (local.kind() == LocalState.Kind.ROW) {
                    PreparedStatement update = rowStatement(table.updateRowVersion());
                    int i = bindVersion(update, 1, plan.version());
                    i = bindMetadata(update, i, plan.metadata(), plan.frontier());
                    bindKey(update, i, table, key);
                    queueRow(update, new QueuedWrite(transaction, table, change, local, plan, Check.NONE));
                } else {
                    PreparedStatement update = statement(table.updateTombstoneVersion());
                    int i = bindVersion(update, 1, plan.version());
                    update.setString(i, Json.frontier(plan.frontier()));
                    update.setString(i + 1, table.name());
                    bindKey(update, i + 2, table, key);
                    queueTombstoneBound(table.updateTombstoneVersion(), update,
                            new QueuedWrite(transaction, table, change, local, plan, Check.NONE));
                }
                completed(transaction, table, change, local, plan);
                return;
            }
            default -> throw new IllegalStateException("unknown action " + plan.action());
        }
    }

    /** Counts a written or skipped change and logs its conflict. */
    private void completed(SourceTransaction transaction, TableShape table, RowChange change, LocalState local, RowPlan plan)
            throws SQLException {
        if (plan.action() == RowPlan.Action.SKIP) {
            rowsSkipped++;
        } else {
            rowsWritten++;
        }
        if (plan.isConflict()) {
            journal.resolved(transaction, table, change, local, plan);
        }
    }

    /** Queues the update of a locked row; updates of one table and column set are written by one statement. */
    private void queueUpdate(TableShape table, RowChange written, RowPlan plan, QueuedWrite write) throws SQLException {
        if (!table.rowOrderFree()) {
            queueRow(bindUpdateRow(table, written, plan.version(), plan.metadata(), plan.frontier(), true), write);
            return;
        }
        queueRows(false, table, updatedColumns(table, written), written, plan, write);
    }

    /** Queues the insert of a row; inserts of one table and column set are written by one statement. */
    private void queueInsert(TableShape table, RowChange written, RowPlan plan, QueuedWrite write) throws SQLException {
        if (!table.rowOrderFree()) {
            queueRow(bindInsertRow(table, written, plan.version(), plan.metadata(), plan.frontier(), true), write);
            return;
        }
        queueRows(true, table, insertedColumns(table, written), written, plan, write);
    }

    private void queueRows(boolean insert, TableShape table, List<String> names, RowChange written, RowPlan plan,
            QueuedWrite write) throws SQLException {
        if (pendingRowStatement != null) {
            flushRowWrites();
        }
        if (pendingRows != null && !pendingRows.accepts(insert, table, names)) {
            flushRows();
        }
        if (pendingRows == null) {
            pendingRows = new PendingRows(insert, table, names);
        }
        pendingRows.add(written, plan, write);
    }

    /**
     * Writes the pending rows: several with one statement over arrays, which costs the server one
     * execution instead of one per row. When that statement fails or does not write every row (a
     * local writer inserted a key first), it is rolled back to its savepoint and the rows are written
     * one by one, so that the failing change is named and a lost insert race is decided again.
     */
    private void flushRows() throws SQLException {
        PendingRows rows = pendingRows;
        if (rows == null) {
            return;
        }
        pendingRows = null;
        if (rows.writes.size() > 1 && writeTogether(rows)) {
            return;
        }
        for (int i = 0; i < rows.writes.size(); i++) {
            QueuedWrite write = rows.writes.get(i);
            RowPlan plan = write.plan();
            currentTransaction = write.transaction();
            currentChange = write.change();
            if (!rows.insert) {
                updateRow(rows.table, rows.written.get(i), plan.version(), plan.metadata(), plan.frontier());
            } else if (insertRow(rows.table, rows.written.get(i), plan.version(), plan.metadata(), plan.frontier())) {
                completed(write.transaction(), rows.table, write.change(), write.local(), plan);
            } else {
                raceAgain(write.transaction(), rows.table, write.change());
            }
        }
    }

    /** @return false when the rows must be written one by one (the statement was rolled back) */
    private boolean writeTogether(PendingRows rows) throws SQLException {
        PreparedStatement statement = statement(rows.insert ? rows.table.insertRows(rows.names) : rows.table.updateRows(rows.names));
        for (int i = 0; i < rows.columns.size(); i++) {
            statement.setArray(i + 1, connection.createArrayOf("text", rows.columns.get(i).toArray()));
        }
        if (!underSavepoint(() -> statement.executeUpdate() == rows.writes.size(), written -> written, refused -> false)) {
            return false;
        }
        if (rows.insert) {
            for (QueuedWrite write : rows.writes) {
                completed(write.transaction(), write.table(), write.change(), write.local(), write.plan());
            }
        }
        return true;
    }

    /** @param write the change the statement writes, and how its count is checked */
    private void queueRow(PreparedStatement bound, QueuedWrite write) throws SQLException {
        if (pendingRowStatement != null && pendingRowStatement != bound) {
            throw new IllegalStateException("a batch of another statement is pending");
        }
        bound.addBatch();
        pendingRowStatement = bound;
        pendingRowWrites.add(write);
    }

    private void queueTombstone(String sql, TableShape table, Map<String, String> key, RowVersion version,
            List<RowState> frontier, QueuedWrite write) throws SQLException {
        PreparedStatement statement = statement(sql);
        statement.setString(1, table.name());
        int i = bindKey(statement, 2, table, key);
        i = bindVersion(statement, i, version);
        statement.setString(i, Json.frontier(frontier));
        queueTombstoneBound(sql, statement, write);
    }

    private void queueTombstoneBound(String sql, PreparedStatement bound, QueuedWrite write) throws SQLException {
        bound.addBatch();
        pendingTombstoneWrites.computeIfAbsent(sql, s -> new ArrayList<>()).add(write);
    }

    /**
     * The statement for a row write, executing the pending batch of another statement first (binding
     * must wait: binding parameters of a statement with a pending batch is fine, of another is not).
     */
    private PreparedStatement rowStatement(String sql) throws SQLException {
        flushRows();
        PreparedStatement statement = statement(sql);
        if (pendingRowStatement != null && pendingRowStatement != statement) {
            flushRowWrites();
        }
        return statement;
    }

    /** Forgets the batches a failed target transaction left. */
    private void discardPendingWrites() throws SQLException {
        if (pendingRowStatement != null) {
            pendingRowStatement.clearBatch();
        }
        for (String sql : pendingTombstoneWrites.keySet()) {
            statement(sql).clearBatch();
        }
        pendingRowStatement = null;
        pendingRowWrites.clear();
        pendingTombstoneWrites.clear();
        pendingRows = null;
    }

    private void flushWrites() throws SQLException {
        flushRowWrites();
        if (pendingTombstoneWrites.isEmpty()) {
            return;
        }
        List<Map.Entry<String, List<QueuedWrite>>> batches = new ArrayList<>(pendingTombstoneWrites.entrySet());
        pendingTombstoneWrites.clear();
        for (Map.Entry<String, List<QueuedWrite>> batch : batches) {
            checkCounts(executeBatch(statement(batch.getKey()), batch.getValue()), batch.getValue());
        }
    }

    private void flushRowWrites() throws SQLException {
        flushRows();
        if (pendingRowStatement == null) {
            return;
        }
        PreparedStatement statement = pendingRowStatement;
        List<QueuedWrite> writes = new ArrayList<>(pendingRowWrites);
        pendingRowStatement = null;
        pendingRowWrites.clear();
        checkCounts(executeBatch(statement, writes), writes);
    }

    /**
     * pgjdbc names the failed entry only in its message ("Batch entry 2 INSERT ... was aborted");
     * its update counts mark every entry of a failed batch as failed inside a transaction.
     */
    private static final java.util.regex.Pattern FAILED_ENTRY = java.util.regex.Pattern.compile("^Batch entry (\\d+) ");

    /** Executes a batch; when an entry fails, the session's current change is the one that failed, for the error. */
    private int[] executeBatch(PreparedStatement statement, List<QueuedWrite> writes) throws SQLException {
        try {
            return statement.executeBatch();
        } catch (BatchUpdateException e) {
            java.util.regex.Matcher entry = FAILED_ENTRY.matcher(String.valueOf(e.getMessage()));
            int failed = entry.find() ? Integer.parseInt(entry.group(1)) : 0;
            if (failed < writes.size()) {
                currentTransaction = writes.get(failed).transaction();
                currentChange = writes.get(failed).change();
            }
            throw e;
        }
    }

    private void checkCounts(int[] counts, List<QueuedWrite> writes) throws SQLException {
        for (int i = 0; i < counts.length; i++) {
            QueuedWrite write = writes.get(i);
            int count = counts[i];
            if (count == PreparedStatement.SUCCESS_NO_INFO) {
                throw new IllegalStateException("the driver did not report the update count of a batched write");
            }
            switch (write.check()) {
                case ONE -> {
                    if (count != 1) {
                        throw new SQLException("locked row " + write.change().key() + " of " + write.table().name()
                                + " vanished", "40001");
                    }
                }
                case RACE -> {
                    if (count == 1) {
                        completed(write.transaction(), write.table(), write.change(), write.local(), write.plan());
                    } else {
                        currentTransaction = write.transaction();
                        currentChange = write.change();
                        log.debug("{} key {} of {} was written locally meanwhile; deciding again", logPrefix,
                                write.change().key(), write.table().name());
                        raceAgain(write.transaction(), write.table(), write.change());
                    }
                }
                default -> {
                }
            }
        }
    }

    /** A local writer inserted the key between the run's read and its write: read and decide that key again. */
    private void raceAgain(SourceTransaction transaction, TableShape table, RowChange change) throws SQLException {
        try {
            applyLoop(transaction, table, change, 1);
        } catch (ResolverFailedException | ResolvedRowRejectedException e) {
            park(transaction, change, e.getMessage());
        }
    }

    /**
     * Applies one change; if its conflict resolution fails (a resolver throws, or the database
     * refuses the resolved row), rolls the change back to a savepoint and parks it in the dead-letter
     * table instead, so that the rest of the transaction and of the stream goes on.
     */
    private void applyOrPark(SourceTransaction transaction, RowChange change) throws SQLException {
        // A resolver fails before the change wrote anything, and a refused row rolls back its own
        // savepoint (executeChecked); only a key change writes (the old key) before resolving.
        Savepoint savepoint = change.operation() == Operation.UPDATE && change.changesKey() ? connection.setSavepoint() : null;
        try {
            applyChange(transaction, change);
            if (savepoint != null) {
                connection.releaseSavepoint(savepoint);
            }
        } catch (ResolverFailedException | ResolvedRowRejectedException e) {
            if (savepoint != null) {
                connection.rollback(savepoint);
            }
            park(transaction, change, e.getMessage());
        }
    }

    /** Starts the counters and the pending conflict log of a new target transaction from zero. */
    private void resetCounters() throws SQLException {
        rowsWritten = 0;
        rowsSkipped = 0;
        journal.reset();
        keyChangeDeletes.clear();
        movedInsertsNeedingValues.clear();
        carriedValues.clear();
    }

    /**
     * Applies a parked change again ({@code syncline conflicts retry}) in the caller's transaction;
     * a resolver that still fails throws {@link ResolverFailedException}.
     */
    public Outcome applyParked(SourceTransaction transaction) throws SQLException {
        resetCounters();
        for (RowChange change : transaction.changes()) {
            currentTransaction = transaction;
            currentChange = change;
            currentTable = change.table();
            try {
                applyChange(transaction, change);
            } catch (ResolvedRowRejectedException e) {
                throw new ResolverFailedException(e.getMessage(), e.getCause());
            }
        }
        journal.flush();
        // After a failure they stay, naming the change the database refused.
        currentTransaction = null;
        currentChange = null;
        currentTable = null;
        ApplyResult result = new ApplyResult(1, 0, 0, rowsWritten, rowsSkipped, 0, journal.countsByType(), 0);
        return new Outcome(result, journal.conflicts(), List.of(), null);
    }

    private void applyChange(SourceTransaction transaction, RowChange change) throws SQLException {
        TableShape table = shapeFor(change);
        requireKey(table, change.key());
        RowChange effective = change;
        if (change.operation() == Operation.UPDATE && change.changesKey()) {
            requireKey(table, change.oldKey());
            effective = withCarriedValues(change, deleteOldKey(table, change));
        }
        applyLoop(transaction, table, effective, 0);
    }

    /** Reads, decides and writes one change, again while a local writer inserts its key first. */
    private void applyLoop(SourceTransaction transaction, TableShape table, RowChange effective, int firstAttempt)
            throws SQLException {
        for (int attempt = firstAttempt; ; attempt++) {
            LocalState local = readLocal(table, effective.key());
            RowPlan plan = decider.decide(table.name(), table.columnTypes(), effective.key(), local, effective,
                    transaction.originNode(), keyChangeDeletes.contains(effective));
            if (tryDecided(transaction, table, effective, local, plan)) {
                return;
            }
            if (attempt == MAX_RACE_RETRIES) {
                throw new SQLException("a local writer kept inserting key " + effective.key() + " of " + table.name()
                        + " concurrently", "40001");
            }
            log.debug("{} key {} of {} was written locally meanwhile; deciding again", logPrefix, effective.key(), table.name());
        }
    }

    /** Writes a change decided from {@code local}; on an insert race, reads and decides again. */
    private void applyDecided(SourceTransaction transaction, TableShape table, RowChange change, LocalState local,
            RowPlan plan) throws SQLException {
        if (!tryDecided(transaction, table, change, local, plan)) {
            log.debug("{} key {} of {} was written locally meanwhile; deciding again", logPrefix, change.key(), table.name());
            applyLoop(transaction, table, change, 1);
        }
    }

    /** @return false when a local writer inserted the key first */
    private boolean tryDecided(SourceTransaction transaction, TableShape table, RowChange effective, LocalState local,
            RowPlan plan) throws SQLException {
        if (!executeChecked(table, effective, local, plan)) {
            return false;
        }
        completed(transaction, table, effective, local, plan);
        return true;
    }

    private TableShape shapeFor(RowChange change) throws SQLException {
        TableShape table = catalog.shape(connection, change.table());
        if (unknownColumns(table, change).isEmpty() && ColumnTypes.firstMismatch(table, change) == null) {
            return table;
        }
        catalog.invalidate(change.table());
        table = catalog.shape(connection, change.table());
        Set<String> unknown = unknownColumns(table, change);
        if (!unknown.isEmpty()) {
            String first = new java.util.TreeSet<>(unknown).first();
            throw new LocalSchemaMismatch(table.name(), first, change.columnTypes().get(first), null,
                    "column(s) " + unknown + " of " + table.name() + " do not exist on this node;"
                    + " apply the same schema change on every node before writing the new columns");
        }
        LocalSchemaMismatch mismatch = ColumnTypes.firstMismatch(table, change);
        if (mismatch != null) {
            throw mismatch;
        }
        return table;
    }

    private static Set<String> unknownColumns(TableShape table, RowChange change) {
        Set<String> unknown = new HashSet<>();
        for (String name : change.values().keySet()) {
            if (!table.hasColumn(name) && !table.wasDropped(name) && !ReplicationSchema.METADATA_COLUMNS.contains(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    private static void requireKey(TableShape table, Map<String, String> key) throws SQLException {
        if (!key.keySet().equals(new HashSet<>(table.keyColumnNames()))) {
            throw new SQLException("the change's key columns " + key.keySet() + " are not the primary key "
                    + table.keyColumnNames() + " of " + table.name() + " on this node; give the table the same"
                    + " primary key on every node", "42P10");
        }
    }

    /** The local row under a row lock, else its tombstone under a row lock, else nothing. */
    private LocalState readLocal(TableShape table, Map<String, String> key) throws SQLException {
        PreparedStatement row = statement(table.selectRowForUpdate());
        bindKey(row, 1, table, key);
        try (ResultSet rs = row.executeQuery()) {
            if (rs.next()) {
                return rowState(rs, 1, table);
            }
        }
        PreparedStatement tombstone = statement(table.selectTombstoneForUpdate());
        tombstone.setString(1, table.name());
        bindKey(tombstone, 2, table, key);
        try (ResultSet rs = tombstone.executeQuery()) {
            if (rs.next()) {
                return tombstoneState(rs, 1);
            }
        }
        return LocalState.NONE;
    }

    /** The row whose columns start at {@code first}: the user columns as text, then the version columns. */
    private static LocalState rowState(ResultSet rs, int first, TableShape table) throws SQLException {
        Map<String, String> values = new LinkedHashMap<>();
        int i = first;
        for (TableShape.Column column : table.columns()) {
            values.put(column.name(), rs.getString(i++));
        }
        RowClock clock = new RowClock(rs.getLong(i), rs.getString(i + 1));
        return new LocalState(LocalState.Kind.ROW, new RowVersion(clock, Json.vector(rs.getString(i + 2))), values,
                Json.metadata(rs.getString(i + 3), rs.getString(i + 4)), Json.frontier(rs.getString(i + 5)));
    }

    /** The tombstone whose columns hlc, node, vv, frontier start at {@code first}. */
    private static LocalState tombstoneState(ResultSet rs, int first) throws SQLException {
        return new LocalState(LocalState.Kind.TOMBSTONE, new RowVersion(new RowClock(rs.getLong(first), rs.getString(first + 1)),
                Json.vector(rs.getString(first + 2))), null, RowMetadata.EMPTY, Json.frontier(rs.getString(first + 3)));
    }

    /**
     * From now on writes every merged row under a savepoint of its own, so that a row the database
     * refuses is parked alone while the rest of the target transaction applies. Until then a refusal
     * fails the target transaction with {@link MergedRowRefusedException}: a savepoint costs two round
     * trips and a subtransaction for every merged row, refusals are rare, so the applier writes without
     * them and applies the target transaction again with them after a refusal.
     */
    public void writeMergedRowsUnderSavepoints() {
        mergedRowsUnderSavepoints = true;
    }

    /**
     * The database refused a merged row written without a savepoint; the target transaction is
     * aborted. Roll back and apply it again after {@link #writeMergedRowsUnderSavepoints()}.
     */
    public static final class MergedRowRefusedException extends RuntimeException {
        MergedRowRefusedException(SQLException cause) {
            super("the database refused a merged row: " + cause.getMessage(), cause);
        }
    }

    /** Writes a merged row so that a row the database refuses is the resolution's failure. */
    private boolean executeChecked(TableShape table, RowChange change, LocalState local, RowPlan plan) throws SQLException {
        if (plan.winner() != Winner.MERGED) {
            return execute(table, change, local, plan);
        }
        if (!mergedRowsUnderSavepoints) {
            try {
                return execute(table, change, local, plan);
            } catch (SQLException e) {
                if (classifier.classify(e) == ApplyErrorClassifier.Kind.RETRIABLE) {
                    throw e;
                }
                throw new MergedRowRefusedException(e);
            }
        }
        return underSavepoint(() -> execute(table, change, local, plan), done -> true, e -> {
            throw new ResolvedRowRejectedException("the database refused the row resolved by " + plan.rule() + ": "
                    + (e.getSQLState() == null ? "" : "SQLSTATE " + e.getSQLState() + ": ") + e.getMessage(), e);
        });
    }

    /** Database work that may throw. */
    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} under a savepoint and keeps its effect when {@code keep} accepts the result;
     * otherwise, or when the database refuses the work in a way a retry cannot cure, rolls back to the
     * savepoint (a refusal is then answered by {@code onRefused}). A retriable failure is thrown: the
     * whole target transaction is applied again.
     */
    private <T> T underSavepoint(SqlWork<T> work, java.util.function.Predicate<T> keep,
            java.util.function.Function<SQLException, T> onRefused) throws SQLException {
        Savepoint savepoint = connection.setSavepoint();
        T result;
        try {
            result = work.run();
        } catch (SQLException e) {
            if (classifier.classify(e) == ApplyErrorClassifier.Kind.RETRIABLE) {
                throw e;
            }
            connection.rollback(savepoint);
            return onRefused.apply(e);
        }
        if (keep.test(result)) {
            connection.releaseSavepoint(savepoint);
        } else {
            connection.rollback(savepoint);
        }
        return result;
    }

    /** The database refused a resolved row; the change is parked. */
    private static final class ResolvedRowRejectedException extends RuntimeException {
        ResolvedRowRejectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @return false when a local writer inserted the key first: read and decide again */
    private boolean execute(TableShape table, RowChange change, LocalState local, RowPlan plan) throws SQLException {
        Map<String, String> key = change.key();
        switch (plan.action()) {
            case SKIP:
                return true;
            case UPSERT_ROW:
                RowChange written = plan.values() == null ? change : new RowChange(change.table(), change.operation(),
                        change.key(), null, plan.values(), Set.of(), plan.version(), plan.metadata());
                if (local.kind() == LocalState.Kind.ROW) {
                    updateRow(table, written, plan.version(), plan.metadata(), plan.frontier());
                    return true;
                }
                return insertRow(table, written, plan.version(), plan.metadata(), plan.frontier());
            case DELETE_ROW:
                deleteRow(table, key);
                writeTombstone(table.upsertTombstone(), table, key, plan.version(), plan.frontier());
                return true;
            case WRITE_TOMBSTONE:
                if (local.kind() == LocalState.Kind.TOMBSTONE) {
                    writeTombstone(table.upsertTombstone(), table, key, plan.version(), plan.frontier());
                    return true;
                }
                return writeTombstone(table.insertTombstoneIfAbsent(), table, key, plan.version(), plan.frontier()) == 1;
            case KEEP_LOCAL:
                if (local.kind() == LocalState.Kind.ROW) {
                    PreparedStatement update = statement(table.updateRowVersion());
                    int i = bindVersion(update, 1, plan.version());
                    i = bindMetadata(update, i, plan.metadata(), plan.frontier());
                    bindKey(update, i, table, key);
                    update.executeUpdate();
                } else {
                    PreparedStatement update = statement(table.updateTombstoneVersion());
                    int i = bindVersion(update, 1, plan.version());
                    update.setString(i, Json.frontier(plan.frontier()));
                    update.setString(i + 1, table.name());
                    bindKey(update, i + 2, table, key);
                    update.executeUpdate();
                }
                return true;
            default:
                throw new IllegalStateException("unknown action " + plan.action());
        }
    }

    /**
     * The old key of a primary-key change disappears like a delete. The event carries only the new
     * key's version, so the old key's tombstone gets the origin trigger's rule applied to the local
     * old row: clock max(change clock, old clock + 1), vector = old vector + 1 for the origin.
     *
     * @return the local old row's values, to carry the TOASTed columns the change did not send; or null
     */
    private Map<String, String> deleteOldKey(TableShape table, RowChange change) throws SQLException {
        Map<String, String> oldKey = change.oldKey();
        LocalState old = readLocal(table, oldKey);
        RowClock remoteClock = change.version().clock();
        switch (old.kind()) {
            case ROW -> {
                RowVersion local = old.version();
                RowVersion tombstone = new RowVersion(
                        new RowClock(Math.max(remoteClock.hlc(), local.clock().hlc() + 1), remoteClock.nodeId()),
                        local.vector().increment(remoteClock.nodeId()));
                deleteRow(table, oldKey);
                writeTombstone(table.upsertTombstone(), table, oldKey, tombstone, List.of());
                rowsWritten++;
                return old.values();
            }
            case NONE -> {
                writeTombstone(table.insertTombstoneIfAbsent(), table, oldKey, change.version(), List.of());
                rowsWritten++;
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /** The change with the values it did not send (unchanged TOASTed columns) taken from the old row, when there is one. */
    private RowChange withCarriedValues(RowChange change, Map<String, String> oldValues) {
        if (change.unchangedColumns().isEmpty()) {
            return change;
        }
        if (oldValues == null) {
            log.warn("{} key change of {} from {} to {}: no local row at the old key, so the columns {} it did not send"
                    + " (unchanged TOASTed values) get their defaults", logPrefix, change.table(), change.oldKey(), change.key(),
                    change.unchangedColumns());
            return change;
        }
        Map<String, String> values = new LinkedHashMap<>(change.values());
        for (String column : change.unchangedColumns()) {
            values.put(column, oldValues.get(column));
        }
        return new RowChange(change.table(), change.operation(), change.key(), change.oldKey(), values, Set.of(), change.version(),
                change.metadata());
    }

    private boolean insertRow(TableShape table, RowChange change, RowVersion version, RowMetadata metadata,
            List<RowState> frontier) throws SQLException {
        return bindInsertRow(table, change, version, metadata, frontier, false).executeUpdate() == 1;
    }

    /**
     * Binds the insert of {@code change}; when {@code batched}, first executes the pending row batch
     * if it is of another statement.
     */
    private PreparedStatement bindInsertRow(TableShape table, RowChange change, RowVersion version, RowMetadata metadata,
            List<RowState> frontier, boolean batched) throws SQLException {
        List<String> names = insertedColumns(table, change);
        List<String> values = names.stream().map(n -> change.key().containsKey(n) ? change.key().get(n) : change.values().get(n))
                .toList();
        PreparedStatement insert = batched ? rowStatement(table.insertRow(names)) : statement(table.insertRow(names));
        int i = bindValues(insert, 1, values);
        i = bindVersion(insert, i, version);
        bindMetadata(insert, i, metadata, frontier);
        return insert;
    }

    private void updateRow(TableShape table, RowChange change, RowVersion version, RowMetadata metadata,
            List<RowState> frontier) throws SQLException {
        if (bindUpdateRow(table, change, version, metadata, frontier, false).executeUpdate() != 1) {
            throw new SQLException("locked row " + change.key() + " of " + table.name() + " vanished", "40001");
        }
    }

    /** As {@link #bindInsertRow}, for the update of a locked row. */
    private PreparedStatement bindUpdateRow(TableShape table, RowChange change, RowVersion version, RowMetadata metadata,
            List<RowState> frontier, boolean batched) throws SQLException {
        List<String> names = updatedColumns(table, change);
        List<String> values = names.stream().map(change.values()::get).toList();
        PreparedStatement update = batched ? rowStatement(table.updateRow(names)) : statement(table.updateRow(names));
        int i = bindValues(update, 1, values);
        i = bindVersion(update, i, version);
        i = bindMetadata(update, i, metadata, frontier);
        bindKey(update, i, table, change.key());
        return update;
    }

    /** The columns an insert writes: the key, and every non-generated column the change sent. */
    private static List<String> insertedColumns(TableShape table, RowChange change) {
        List<String> names = new ArrayList<>();
        for (TableShape.Column column : table.columns()) {
            String name = column.name();
            if (!column.generated() && (change.key().containsKey(name)
                    || change.values().containsKey(name) && !change.unchangedColumns().contains(name))) {
                names.add(name);
            }
        }
        return names;
    }

    /** The columns an update of a locked row writes: every non-key, non-generated column the change sent. */
    private static List<String> updatedColumns(TableShape table, RowChange change) {
        List<String> names = new ArrayList<>();
        for (TableShape.Column column : table.columns()) {
            String name = column.name();
            if (!column.generated() && !change.key().containsKey(name) && change.values().containsKey(name)
                    && !change.unchangedColumns().contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    private void deleteRow(TableShape table, Map<String, String> key) throws SQLException {
        PreparedStatement delete = statement(table.deleteRow());
        bindKey(delete, 1, table, key);
        delete.executeUpdate();
    }

    private int writeTombstone(String sql, TableShape table, Map<String, String> key, RowVersion version,
            List<RowState> frontier) throws SQLException {
        PreparedStatement write = statement(sql);
        write.setString(1, table.name());
        int i = bindKey(write, 2, table, key);
        i = bindVersion(write, i, version);
        write.setString(i, Json.frontier(frontier));
        return write.executeUpdate();
    }

    /**
     * Parks {@code change} in the dead-letter table with {@code error}, and logs the conflict as
     * parked, in the target transaction (after the change's savepoint was rolled back).
     */
    private void park(SourceTransaction transaction, RowChange change, String error) throws SQLException {
        TableShape table = catalog.shape(connection, change.table());
        LocalState local = readLocal(table, change.key());
        ConflictType type = local.kind() == LocalState.Kind.NONE ? null : RowDecider.conflictType(local.kind(), change.operation());
        journal.park(transaction, change, local, type, decider.ruleName(change.table()), error);
    }

    private static int bindKey(PreparedStatement statement, int first, TableShape table, Map<String, String> key) throws SQLException {
        int i = first;
        for (String column : table.keyColumnNames()) {
            statement.setObject(i++, key.get(column), Types.OTHER);
        }
        return i;
    }

    private static int bindValues(PreparedStatement statement, int first, List<String> values) throws SQLException {
        int i = first;
        for (String value : values) {
            if (value == null) {
                statement.setNull(i++, Types.OTHER);
            } else {
                statement.setObject(i++, value, Types.OTHER);
            }
        }
        return i;
    }

    private static int bindMetadata(PreparedStatement statement, int first, RowMetadata metadata, List<RowState> frontier)
            throws SQLException {
        statement.setString(first, Json.counters(metadata));
        statement.setString(first + 1, Json.dots(metadata));
        statement.setString(first + 2, Json.frontier(frontier));
        return first + 3;
    }

    private static int bindVersion(PreparedStatement statement, int first, RowVersion version) throws SQLException {
        statement.setLong(first, version.clock().hlc());
        statement.setString(first + 1, version.clock().nodeId());
        statement.setString(first + 2, Json.vector(version.vector()));
        return first + 3;
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    /** Closes the prepared statements; the connection stays open. */
    @Override
    public void close() {
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            } catch (SQLException e) {
                log.debug("{} closing a statement failed: {}", logPrefix, e.toString());
            }
        }
        statements.clear();
    }
}
