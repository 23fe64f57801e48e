package io.syncline.conflict;

import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import java.util.LinkedHashMap;
import java.util.Map;

/** A whole-row resolution built from a strategy's per-column rule, for policies that merge values. */
final class ColumnByColumn {

    private ColumnByColumn() {}

    /**
     * Every non-key column resolved by {@code strategy}'s column rule when both sides hold a row;
     * last-write-wins when one side is a tombstone, since there are no two values to merge.
     */
    static Resolution resolve(ConflictStrategy strategy, RowConflict conflict) {
        if (!conflict.type().bothRows()) {
            return LastWriteWinsStrategy.INSTANCE.resolve(conflict);
        }
        Map<String, String> values = new LinkedHashMap<>(conflict.local().values());
        for (String column : conflict.columnTypes().keySet()) {
            if (!conflict.key().containsKey(column)) {
                values.put(column, strategy.resolveColumn(conflict, column));
            }
        }
        return Resolution.merged(values);
    }
}
