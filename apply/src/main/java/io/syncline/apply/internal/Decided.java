package io.syncline.apply.internal;

import io.syncline.conflict.LocalState;
import io.syncline.conflict.RowPlan;
import io.syncline.core.event.RowChange;
import io.syncline.core.event.SourceTransaction;
import java.util.Set;

/**
 * A change of a source transaction decided against the local state: its plan and the write that
 * carries it out. Immutable.
 *
 * @param attempt how often the change was decided again after a local writer inserted its key first (0: not)
 */
record Decided(SourceTransaction transaction, TableShape table, RowChange change, LocalState local, RowPlan plan, WriteOp op,
               int attempt) {

    static Decided of(SourceTransaction transaction, TableShape table, RowChange change, LocalState local, RowPlan plan,
            int attempt) {
        return new Decided(transaction, table, change, local, plan, WriteOp.of(local, plan), attempt);
    }

    /** The row an insert or update writes: the change, or the values the plan resolved. */
    RowChange row() {
        return plan.values() == null ? change : new RowChange(change.table(), change.operation(), change.key(), null,
                plan.values(), Set.of(), plan.version(), plan.metadata());
    }
}
