package io.syncline.conflict;

import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import java.util.Optional;

/**
 * Base of {@code max} and {@code min}: of two concurrent values the greater (smaller) one by the
 * column's type survives; SQL NULL counts as absent, as in SQL's aggregates. Max and min are
 * commutative, associative and idempotent. For a whole table every non-key column is merged so;
 * columns whose type has no order ({@link TypedValues#orderable}), and conflicts with a delete,
 * fall back to last-write-wins.
 */
abstract class ExtremumStrategy implements ConflictStrategy {

    /** Whether {@code comparison} (local compared with remote) keeps the local value. */
    abstract boolean keepsLocal(int comparison);

    @Override
    public Resolution resolve(RowConflict conflict) {
        return ColumnByColumn.resolve(this, conflict);
    }

    @Override
    public String resolveColumn(RowConflict conflict, String column) {
        String local = conflict.local().values().get(column);
        String remote = conflict.remote().values().get(column);
        if (local == null || remote == null) {
            return local == null ? remote : local;
        }
        Optional<Integer> comparison = TypedValues.compare(conflict.columnTypes().get(column), local, remote);
        if (comparison.isEmpty()) {
            return LastWriteWinsStrategy.INSTANCE.resolveColumn(conflict, column);
        }
        if (comparison.get() == 0) {
            // Equal by type but maybe not by text (1.0 and 1.00): pick one text on every node alike.
            return local.compareTo(remote) >= 0 ? local : remote;
        }
        return keepsLocal(comparison.get()) ? local : remote;
    }
}
