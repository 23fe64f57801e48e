package io.syncline.apply.internal;

import io.syncline.apply.ApplyResult;
import io.syncline.apply.ParkedChange;
import io.syncline.conflict.ResolvedConflict;
import io.syncline.conflict.ResolverFailedException;
import io.syncline.conflict.RowDecider;
import io.syncline.core.event.ControlRecord;
import io.syncline.core.event.ProgressReport;
import io.syncline.core.event.RejectedRecord;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SchemaChangeRecord;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.schema.ReplicationSchema;
import io.syncline.schema.ReplicatedTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies groups of source transactions on one connection whose session is marked with a
 * replication origin, one target transaction per {@link #applyTargetTransaction} call, and reads
 * top-down: {@link TransactionFilter} decides which source transactions apply against their
 * origins' chains; {@link ChangeRuns} locks their keys in order ({@link LocalStateReader}) and plans
 * their changes into runs of distinct keys; {@link RowApplier} reads, decides ({@code RowDecider})
 * and writes them ({@link SingleRowWriter}, {@link BatchedRowWriter}), parking a change whose
 * resolution fails ({@link ConflictJournal}); {@link ApplyBookkeeping} stores the positions and the
 * link offset in the same target transaction. A failure names the change it happened in
 * ({@link ChangeFailure}). Its prepared statements are those of the connection ({@link StatementCache}). Not
 * thread-safe; the caller owns the connection, its origin session and the rollback on failure.
 */
public final class ApplySession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApplySession.class);


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

    private final Connection connection;
    private final TableCatalog catalog;
    private final String logPrefix;
    private final StatementCache statements;
    private final boolean ownsStatements;
    private final ConflictJournal journal;
    private final ApplyBookkeeping bookkeeping;
    private final RemoteSchemaChange schemaChanges;
    private final TransactionFilter filter;
    private final ChangeShapes shapes;
    private final LocalStateReader reader;
    private final KeyChanges keyChanges;
    private final RowApplier rows;
    private final ChangeRuns runs;

    /**
     * @param tables the node's replicated tables; schema changes from peers may alter only those, or create new
     *               ones; null: none
     */
    public ApplySession(Connection connection, TableCatalog catalog, RowDecider decider, String localNode, String logPrefix,
            ReplicatedTables tables) {
        this(connection, new StatementCache(connection), true, catalog, decider, localNode, logPrefix, tables);
    }

    /**
     * As {@link #ApplySession(Connection, TableCatalog, RowDecider, String, String, ReplicatedTables)}, with the
     * statements of {@code statements}, which outlive the session (the session does not close them).
     */
    public ApplySession(Connection connection, StatementCache statements, TableCatalog catalog, RowDecider decider,
            String localNode, String logPrefix, ReplicatedTables tables) {
        this(connection, statements, false, catalog, decider, localNode, logPrefix, tables);
    }

    private ApplySession(Connection connection, StatementCache statements, boolean ownsStatements, TableCatalog catalog,
            RowDecider decider, String localNode, String logPrefix, ReplicatedTables tables) {
        this.connection = connection;
        this.statements = statements;
        this.ownsStatements = ownsStatements;
        this.schemaChanges = new RemoteSchemaChange(localNode, tables, logPrefix);
        this.catalog = catalog;
        this.logPrefix = logPrefix;
        this.journal = new ConflictJournal(statements, logPrefix);
        this.bookkeeping = new ApplyBookkeeping(statements);
        this.filter = new TransactionFilter(localNode, logPrefix);
        this.shapes = new ChangeShapes(connection, catalog);
        this.reader = new LocalStateReader(statements);
        this.keyChanges = new KeyChanges(statements, reader, logPrefix);
        this.rows = new RowApplier(connection, catalog, shapes, decider, statements, reader, keyChanges, journal, logPrefix);
        this.runs = new ChangeRuns(reader, shapes, keyChanges, rows, this::applyOwn);
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
     * advance), so that the others apply without them. A merged row the database refuses is written
     * without a savepoint until then ({@link #writeMergedRowsUnderSavepoints}); its refusal rolls the
     * target transaction back, and it is applied again with a savepoint per merged row.
     *
     * @param refused     transactions of {@code transactions} (by identity) the database refused, and why
     * @param quarantined records that failed validation, kept in the quarantine table with the link offset (only
     *                    when {@code nextKafkaOffset} is stored, so that they are kept once, with the offset past them)
     */
    public Outcome applyTargetTransaction(List<SourceTransaction> transactions, String upstreamNode, OptionalLong nextKafkaOffset,
            Map<SourceTransaction, RowRefusal> refused, List<RejectedRecord> quarantined) throws SQLException {
        Outcome outcome;
        try {
            outcome = applyUncommitted(transactions, upstreamNode, nextKafkaOffset, refused, quarantined);
        } catch (SQLException e) {
            if (!rows.mergedRowRefused()) {
                throw e;
            }
            connection.rollback();
            log.debug("{} the database refused a merged row: {}; applying the target transaction again with a savepoint"
                    + " per merged row", logPrefix, e.getMessage());
            writeMergedRowsUnderSavepoints();
            outcome = applyUncommitted(transactions, upstreamNode, nextKafkaOffset, refused, quarantined);
        }
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
     * Applies {@code transactions} beside other sessions, in one target transaction, and commits it
     * in its turn: decides their chain against {@code expected}, what the target transactions
     * before it will have applied of each origin, writes the rows, then waits for {@code turn}, locks
     * the applied positions, checks that they are {@code expected} and stores them with the rest of
     * the bookkeeping. A position found otherwise (another link applied the origin meanwhile) fails
     * with SQLSTATE 40001, to apply again. On an exception, a refused merged row among them, nothing
     * is committed and the caller must roll back.
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
        startTargetTransaction();
        Set<String> origins = filter.origins(transactions);
        Map<String, ApplyBookkeeping.Position> positions = expected == null ? bookkeeping.lockPositions(origins)
                : TransactionFilter.positionsOf(origins, expected);
        TransactionFilter.Filtered filtered = filter.filter(transactions, positions, refused, turn != null);

        runs.apply(filtered.toApply());
        for (SourceTransaction transaction : filtered.toPark()) {
            journal.parkTransaction(transaction, refused.get(transaction));
        }
        journal.flush();
        if (turn != null) {
            turn.await();
            checkExpected(bookkeeping.lockPositions(origins), expected);
        }
        for (String origin : filtered.advanced()) {
            bookkeeping.storePosition(origin, positions.get(origin));
        }
        if (nextKafkaOffset.isPresent() && filtered.gap() == null) {
            for (RejectedRecord record : quarantined) {
                bookkeeping.quarantine(upstreamNode, record);
            }
            bookkeeping.storeLinkOffset(upstreamNode, nextKafkaOffset.getAsLong());
        }
        if (filtered.last() != null) {
            bookkeeping.stampCommit(filtered.last());
        }
        List<ParkedChange> parked = journal.parked();
        ApplyResult result = new ApplyResult(filtered.applied(), filtered.duplicates(), filtered.echoes(), rows.rowsWritten(),
                rows.rowsSkipped(), 1, journal.countsByType(), parked.size());
        return new Outcome(result, journal.conflicts(), parked, filtered.gap());
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
        startTargetTransaction();
        runs.apply(List.of(chunk));
        journal.flush();
        List<ParkedChange> parked = journal.parked();
        ApplyResult result = new ApplyResult(0, 0, 0, rows.rowsWritten(), rows.rowsSkipped(), 0, journal.countsByType(), parked.size());
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

    /**
     * Applies a parked change again ({@code syncline conflicts retry}) in the caller's transaction;
     * a resolver that still fails throws {@link ResolverFailedException}.
     */
    public Outcome applyParked(SourceTransaction transaction) throws SQLException {
        resetCounters();
        for (RowChange change : transaction.changes()) {
            try {
                rows.applyParked(transaction, change);
            } catch (SQLException e) {
                throw ChangeFailure.at(e, transaction, change);
            }
        }
        journal.flush();
        ApplyResult result = new ApplyResult(1, 0, 0, rows.rowsWritten(), rows.rowsSkipped(), 0, journal.countsByType(), 0);
        return new Outcome(result, journal.conflicts(), List.of(), null);
    }

    /**
     * From now on writes every merged row under a savepoint of its own, so that a row the database
     * refuses is parked alone while the rest of the target transaction applies. Until then a refusal
     * aborts the target transaction: a savepoint costs two round trips and a subtransaction for every
     * merged row, refusals are rare, so {@link #applyTargetTransaction} writes without them and applies
     * the target transaction again with them after a refusal.
     */
    public void writeMergedRowsUnderSavepoints() {
        rows.writeMergedRowsUnderSavepoints();
    }

    /** The applied positions locked in its turn must be those the target transaction was decided against. */
    private static void checkExpected(Map<String, ApplyBookkeeping.Position> locked, Map<String, ChainCheck.Applied> expected)
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

    /** Starts the counters, the conflict log and the writes of a new target transaction from nothing. */
    private void startTargetTransaction() throws SQLException {
        resetCounters();
    }

    private void resetCounters() throws SQLException {
        rows.start();
        journal.reset();
        keyChanges.clear();
    }

    /**
     * Changes of the node's own tables, applied in order with the changes around them: a peer's
     * progress report, and a peer's schema change (alone in its target transaction: TransactionApplier
     * groups it so).
     *
     * @return false for a change of a replicated table
     */
    private boolean applyOwn(SourceTransaction transaction, RowChange change) throws SQLException {
        Optional<ControlRecord> control = ControlRecord.of(change);
        if (control.isEmpty()) {
            return false;
        }
        if (control.get() instanceof ProgressReport report) {
            recordPeerProgress(transaction.originNode(), report);
        } else if (control.get() instanceof SchemaChangeRecord schemaChange) {
            schemaChanges.apply(connection, schemaChange).forEach(t -> catalog.invalidate(t.qualified()));
        }
        return true;
    }

    /**
     * A peer's progress report, applied in order with the peer's own changes: everything the peer
     * wrote before it has been applied here (see TombstoneCollector). Never conflicts: each peer
     * reports only its own row.
     */
    private void recordPeerProgress(String peer, ProgressReport report) throws SQLException {
        PreparedStatement upsert = statements.prepared(UPSERT_PEER_PROGRESS);
        upsert.setString(1, peer);
        upsert.setString(2, report.applied());
        upsert.setString(3, report.stable());
        upsert.setBoolean(4, report.awaiting());
        upsert.executeUpdate();
    }

    /** Closes the prepared statements unless they outlive the session; the connection stays open. */
    @Override
    public void close() {
        if (ownsStatements) {
            statements.close();
        }
    }
}
