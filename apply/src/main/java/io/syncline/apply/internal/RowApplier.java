package io.syncline.apply.internal;

import io.syncline.conflict.LocalState;
import io.syncline.conflict.ResolverFailedException;
import io.syncline.conflict.RowDecider;
import io.syncline.conflict.RowPlan;
import io.syncline.conflict.Winner;
import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import io.syncline.core.spi.ConflictType;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, decides and writes the changes of a target transaction: one at a time
 * ({@link #applyOrPark}), or a run of distinct keys of one table at once ({@link #applyRun}). A
 * change whose resolution fails is parked ({@link ConflictJournal}); a lost insert race is decided
 * again. Counts what it wrote and skipped. Not thread-safe: one per {@link ApplySession}.
 */
final class RowApplier {

    private static final Logger log = LoggerFactory.getLogger(RowApplier.class);

    /** How often one change re-reads and decides again after a local writer inserted the same key first. */
    private static final int MAX_RACE_RETRIES = 3;

    private final Connection connection;
    private final TableCatalog catalog;
    private final ChangeShapes shapes;
    private final RowDecider decider;
    private final LocalStateReader reader;
    private final KeyChanges keyChanges;
    private final ConflictJournal journal;
    private final ApplyErrorClassifier classifier = new ApplyErrorClassifier();
    private final Savepoints savepoints;
    private final SingleRowWriter single;
    private final BatchedRowWriter batched;
    private final String logPrefix;

    // Counters of the target transaction in progress.
    private long rowsWritten;
    private long rowsSkipped;
    private boolean mergedRowsUnderSavepoints;
    // Set when the database refused a merged row written without a savepoint: the target transaction is aborted.
    private boolean mergedRowRefused;

    RowApplier(Connection connection, TableCatalog catalog, ChangeShapes shapes, RowDecider decider, PreparedStatements statements,
            LocalStateReader reader, KeyChanges keyChanges, ConflictJournal journal, String logPrefix) {
        this.connection = connection;
        this.catalog = catalog;
        this.shapes = shapes;
        this.decider = decider;
        this.reader = reader;
        this.keyChanges = keyChanges;
        this.journal = journal;
        this.logPrefix = logPrefix;
        this.savepoints = new Savepoints(connection, classifier);
        this.single = new SingleRowWriter(statements);
        this.batched = new BatchedRowWriter(connection, statements, savepoints, single, new RowWriter.Listener() {
            @Override
            public void written(Decided decided) throws SQLException {
                completed(decided);
            }

            @Override
            public void lostRace(Decided decided) throws SQLException {
                raceAgain(decided);
            }
        }, logPrefix);
    }

    /** Starts the counters of a new target transaction from zero and forgets the writes a failed one left. */
    void start() throws SQLException {
        rowsWritten = 0;
        rowsSkipped = 0;
        batched.discard();
        mergedRowRefused = false;
    }

    long rowsWritten() {
        return rowsWritten;
    }

    long rowsSkipped() {
        return rowsSkipped;
    }

    /** See {@link ApplySession#writeMergedRowsUnderSavepoints()}. */
    void writeMergedRowsUnderSavepoints() {
        mergedRowsUnderSavepoints = true;
    }

    /** Whether the database refused a merged row written without a savepoint, which aborted the target transaction. */
    boolean mergedRowRefused() {
        return mergedRowRefused;
    }

    /**
     * Applies a parked change again ({@code syncline conflicts retry}); a resolver that still fails,
     * or a resolved row the database refuses, throws {@link ResolverFailedException}.
     */
    void applyParked(SourceTransaction transaction, RowChange change) throws SQLException {
        try {
            applyChange(transaction, change);
        } catch (ResolvedRowRejectedException e) {
            throw new ResolverFailedException(e.getMessage(), e.getCause());
        }
    }

    /**
     * Reads, decides and writes a run of changes of {@code table} with pairwise distinct keys;
     * {@code transactions.get(i)} is the source transaction of {@code run.get(i)}.
     */
    void applyRun(TableShape table, List<SourceTransaction> transactions, List<RowChange> run) throws SQLException {
        LocalState[] locals = reader.read(table, run);
        for (int i = 0; i < run.size(); i++) {
            SourceTransaction transaction = transactions.get(i);
            RowChange change = run.get(i);
            try {
                RowPlan plan;
                try {
                    plan = decide(transaction, table, change, locals[i]);
                } catch (ResolverFailedException e) {
                    batched.flush();
                    park(transaction, change, e.getMessage());
                    continue;
                }
                Decided decided = Decided.of(transaction, table, change, locals[i], plan, 0);
                if (plan.winner() == Winner.MERGED) {
                    // A merged row may be refused by the database: written alone under its savepoint.
                    batched.flush();
                    applyDecidedOrPark(decided);
                    continue;
                }
                if (batched.write(decided) == RowWriter.Written.DONE) {
                    completed(decided);
                }
            } catch (SQLException e) {
                throw ChangeFailure.at(e, transaction, change);
            }
        }
        try {
            batched.flush();
        } catch (SQLException e) {
            throw ChangeFailure.at(e, transactions.get(run.size() - 1), run.get(run.size() - 1));
        }
    }

    /**
     * Applies one change; if its conflict resolution fails (a resolver throws, or the database
     * refuses the resolved row), rolls the change back to a savepoint and parks it in the dead-letter
     * table instead, so that the rest of the transaction and of the stream goes on.
     */
    void applyOrPark(SourceTransaction transaction, RowChange change) throws SQLException {
        // A resolver fails before the change wrote anything, and a refused row rolls back its own
        // savepoint (writeChecked); only a key change writes (the old key) before resolving.
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

    private void applyChange(SourceTransaction transaction, RowChange change) throws SQLException {
        TableShape table = shapes.shapeFor(change);
        ChangeShapes.requireKey(table, change.key());
        RowChange effective = change;
        if (change.operation() == Operation.UPDATE && change.changesKey()) {
            ChangeShapes.requireKey(table, change.oldKey());
            effective = keyChanges.deleteOldKey(table, change, () -> rowsWritten++);
        }
        decideAndWrite(transaction, table, effective, 0);
    }

    /** Reads, decides and writes one change, again while a local writer inserts its key first. */
    private void decideAndWrite(SourceTransaction transaction, TableShape table, RowChange change, int attempt)
            throws SQLException {
        LocalState local = reader.read(table, change.key());
        write(Decided.of(transaction, table, change, local, decide(transaction, table, change, local), attempt));
    }

    private RowPlan decide(SourceTransaction transaction, TableShape table, RowChange change, LocalState local) {
        return decider.decide(table.name(), table.columnTypes(), change.key(), local, change, transaction.originNode(),
                keyChanges.deletesOldKey(change));
    }

    /** Writes a change decided alone; on an insert race, reads and decides again. */
    private void write(Decided decided) throws SQLException {
        if (writeChecked(decided) == RowWriter.Written.LOST_RACE) {
            lostRace(decided);
        } else {
            completed(decided);
        }
    }

    /** Writes a decided change at once; a merged row so that the database refusing it is the resolution's failure. */
    private RowWriter.Written writeChecked(Decided decided) throws SQLException {
        if (decided.plan().winner() != Winner.MERGED) {
            return single.write(decided);
        }
        if (!mergedRowsUnderSavepoints) {
            try {
                return single.write(decided);
            } catch (SQLException e) {
                if (classifier.classify(e) != ApplyErrorClassifier.Kind.RETRIABLE) {
                    // The target transaction is aborted: applyTargetTransaction applies it again with savepoints.
                    mergedRowRefused = true;
                }
                throw e;
            }
        }
        return savepoints.run(() -> single.write(decided), done -> true, e -> {
            throw new ResolvedRowRejectedException("the database refused the row resolved by " + decided.plan().rule() + ": "
                    + (e.getSQLState() == null ? "" : "SQLSTATE " + e.getSQLState() + ": ") + e.getMessage(), e);
        });
    }

    /** A local writer inserted the key between the read and the write: read and decide again, a few times at most. */
    private void lostRace(Decided decided) throws SQLException {
        if (decided.attempt() == MAX_RACE_RETRIES) {
            throw new SQLException("a local writer kept inserting key " + decided.change().key() + " of "
                    + decided.table().name() + " concurrently", "40001");
        }
        log.debug("{} key {} of {} was written locally meanwhile; deciding again", logPrefix, decided.change().key(),
                decided.table().name());
        decideAndWrite(decided.transaction(), decided.table(), decided.change(), decided.attempt() + 1);
    }

    /** A batched insert lost its race: decide it again alone, and park it when its resolution fails. */
    private void raceAgain(Decided decided) throws SQLException {
        try {
            decideAndWrite(decided.transaction(), decided.table(), decided.change(), decided.attempt() + 1);
        } catch (ResolverFailedException | ResolvedRowRejectedException e) {
            park(decided.transaction(), decided.change(), e.getMessage());
        } catch (SQLException e) {
            throw ChangeFailure.at(e, decided.transaction(), decided.change());
        }
    }

    /**
     * Writes a change of a run decided outside the batch; parks it when the resolution fails
     * (nothing of it was written: only key changes, never in a run, write before resolving).
     */
    private void applyDecidedOrPark(Decided decided) throws SQLException {
        try {
            write(decided);
        } catch (ResolverFailedException | ResolvedRowRejectedException e) {
            park(decided.transaction(), decided.change(), e.getMessage());
        }
    }

    /** Counts a written or skipped change and logs its conflict. */
    private void completed(Decided decided) throws SQLException {
        if (decided.op() == WriteOp.SKIP) {
            rowsSkipped++;
        } else {
            rowsWritten++;
        }
        if (decided.plan().isConflict()) {
            journal.resolved(decided.transaction(), decided.table(), decided.change(), decided.local(), decided.plan());
        }
    }

    /**
     * Parks {@code change} in the dead-letter table with {@code error}, and logs the conflict as
     * parked, in the target transaction (after the change's savepoint was rolled back).
     */
    private void park(SourceTransaction transaction, RowChange change, String error) throws SQLException {
        TableShape table = catalog.shape(connection, change.table());
        LocalState local = reader.read(table, change.key());
        ConflictType type = local.kind() == LocalState.Kind.NONE ? null : RowDecider.conflictType(local.kind(), change.operation());
        journal.park(transaction, change, local, type, decider.ruleName(change.table()), error);
    }

    /** The database refused a resolved row written under its savepoint; the change is parked. */
    private static final class ResolvedRowRejectedException extends RuntimeException {
        ResolvedRowRejectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
