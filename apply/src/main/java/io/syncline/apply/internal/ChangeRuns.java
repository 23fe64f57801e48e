package io.syncline.apply.internal;

import io.syncline.core.event.Operation;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans the changes of a target transaction into runs of distinct keys of one table, which
 * {@link RowApplier} reads, decides and writes together, and applies the others one at a time.
 * Not thread-safe: one per {@link ApplySession}.
 */
final class ChangeRuns {

    /** How many changes one run holds at most, to bound the query and the batch. */
    private static final int MAX_RUN = 1000;

    /** Applies a change of the node's own tables ({@code syncline.*}) in order. */
    @FunctionalInterface
    interface OwnTables {
        /** @return false when {@code change} is of a replicated table, to be applied as a row */
        boolean apply(SourceTransaction transaction, RowChange change) throws SQLException;
    }

    private final LocalStateReader reader;
    private final ChangeShapes shapes;
    private final KeyChanges keyChanges;
    private final RowApplier rows;
    private final OwnTables ownTables;

    ChangeRuns(LocalStateReader reader, ChangeShapes shapes, KeyChanges keyChanges, RowApplier rows, OwnTables ownTables) {
        this.reader = reader;
        this.shapes = shapes;
        this.keyChanges = keyChanges;
        this.rows = rows;
        this.ownTables = ownTables;
    }

    /**
     * Applies the changes of {@code transactions} in order, all in the target transaction, after
     * locking their keys in order ({@link LocalStateReader#lockKeysInOrder}). Consecutive changes of
     * one table with pairwise distinct keys, within one source transaction or across several, form a
     * run that is read with one locking query per table (rows, then the tombstones of the keys
     * without a row), decided in memory, and written in batches in change order. A repeated key ends
     * the run: its second change depends on the first.
     */
    void apply(List<SourceTransaction> transactions) throws SQLException {
        reader.lockKeysInOrder(transactions, shapes::shapeFor);
        keyChanges.find(transactions);
        Run run = new Run();
        SourceTransaction lastTransaction = null;
        RowChange lastChange = null;
        for (SourceTransaction transaction : transactions) {
            for (RowChange received : transaction.changes()) {
                RowChange change = keyChanges.withCarriedValues(received);
                lastTransaction = transaction;
                lastChange = change;
                try {
                    applyInRun(transaction, change, run);
                } catch (SQLException e) {
                    throw ChangeFailure.at(e, transaction, change);
                }
            }
        }
        try {
            run.apply();
        } catch (SQLException e) {
            throw ChangeFailure.at(e, lastTransaction, lastChange);
        }
    }

    /** Adds {@code change} to {@code run}, or applies the run and then the change (or starts a new run with it). */
    private void applyInRun(SourceTransaction transaction, RowChange change, Run run) throws SQLException {
        if (ownTables.apply(transaction, change)) {
            return;
        }
        // The old row of a key change goes with this delete: its values the new key's insert did
        // not send are read first, once the changes before it are written.
        boolean carriesValues = keyChanges.needsValuesBeforeDelete(change);
        if (!carriesValues && run.accepts(change) && shapes.shapeFor(change) == run.table) {
            ChangeShapes.requireKey(run.table, change.key());
            run.add(transaction, change);
            return;
        }
        run.apply();
        if (carriesValues) {
            keyChanges.carryValues(shapes.shapeFor(change), change);
        }
        TableShape shape = runnable(change) ? shapes.shapeFor(change) : null;
        if (shape != null && shape.setApplicable()) {
            ChangeShapes.requireKey(shape, change.key());
            run.start(shape, transaction, change);
        } else {
            rows.applyOrPark(transaction, change);
        }
    }

    /** Key changes write the old key before deciding the new one: always row by row. */
    private static boolean runnable(RowChange change) {
        return !(change.operation() == Operation.UPDATE && change.changesKey());
    }

    /** Changes of one table with pairwise distinct keys waiting to be read, decided and written together. */
    private final class Run {
        private TableShape table;
        private final List<SourceTransaction> transactions = new ArrayList<>();
        private final List<RowChange> changes = new ArrayList<>();
        private final Set<Map<String, String>> keys = new HashSet<>();

        boolean accepts(RowChange change) {
            return !changes.isEmpty() && runnable(change) && change.table().equals(changes.get(0).table())
                    && !keys.contains(change.key()) && changes.size() < MAX_RUN;
        }

        void start(TableShape shape, SourceTransaction transaction, RowChange change) {
            table = shape;
            add(transaction, change);
        }

        void add(SourceTransaction transaction, RowChange change) {
            transactions.add(transaction);
            changes.add(change);
            keys.add(change.key());
        }

        /** Applies the changes held, if any, and empties the run. */
        void apply() throws SQLException {
            if (changes.isEmpty()) {
                return;
            }
            try {
                if (changes.size() == 1) {
                    try {
                        rows.applyOrPark(transactions.get(0), changes.get(0));
                    } catch (SQLException e) {
                        throw ChangeFailure.at(e, transactions.get(0), changes.get(0));
                    }
                } else {
                    rows.applyRun(table, transactions, changes);
                }
            } finally {
                transactions.clear();
                changes.clear();
                keys.clear();
            }
        }
    }
}
