package io.syncline.conflict;

import io.syncline.core.event.ColumnDot;
import io.syncline.core.event.VersionVector;
import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import io.syncline.core.spi.RowState;
import java.util.Map;
import java.util.Objects;

/**
 * {@code column-merge} (whole tables only): concurrent updates of different columns both survive.
 * A column counts as changed by a side when the write that last changed it there (its
 * {@link ColumnDot}, recorded by the row trigger in {@code syncline_dots}) is one the other side
 * has not seen. A column changed on one side takes that side's value; a column changed on both
 * falls back to its own rule ({@code conflict.columns}), else last-write-wins. A conflict with a
 * delete is decided by last-write-wins. Without dots for a column (a table initialised without
 * column-merge), a column counts as changed on both sides when the values differ. Thread-safe.
 */
public final class ColumnMergeStrategy implements ConflictStrategy {

    private final Map<String, ConflictStrategy> columnRules;

    /** @param columnRules the fallback per column for columns changed on both sides; others use last-write-wins */
    public ColumnMergeStrategy(Map<String, ConflictStrategy> columnRules) {
        this.columnRules = Map.copyOf(columnRules);
    }

    @Override
    public String ruleName() {
        return "column-merge";
    }

    @Override
    public Resolution resolve(RowConflict conflict) {
        return ColumnByColumn.resolve(this, conflict);
    }

    @Override
    public String resolveColumn(RowConflict conflict, String column) {
        RowState local = conflict.local();
        RowState remote = conflict.remote();
        String localValue = local.values().get(column);
        String remoteValue = remote.values().get(column);
        ColumnDot localDot = local.metadata().columnDots().get(column);
        ColumnDot remoteDot = remote.metadata().columnDots().get(column);
        boolean localChanged;
        boolean remoteChanged;
        if (localDot == null || remoteDot == null) {
            localChanged = remoteChanged = !Objects.equals(localValue, remoteValue);
        } else {
            localChanged = changedSince(localDot, remote.version().vector());
            remoteChanged = changedSince(remoteDot, local.version().vector());
        }
        if (localChanged && remoteChanged) {
            return columnRules.getOrDefault(column, LastWriteWinsStrategy.INSTANCE).resolveColumn(conflict, column);
        }
        if (localChanged != remoteChanged) {
            return localChanged ? localValue : remoteValue;
        }
        // Neither changed it since the other saw it: the same write, unless an earlier merge left
        // different dots; the later dot decides on every node alike.
        if (localDot == null || remoteDot == null) {
            return localValue;
        }
        return localDot.compareTo(remoteDot) >= 0 ? localValue : remoteValue;
    }

    private static boolean changedSince(ColumnDot dot, VersionVector other) {
        return !dot.seenBy(other);
    }
}
