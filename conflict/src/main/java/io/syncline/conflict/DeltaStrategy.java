package io.syncline.conflict;

import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code delta}: counter columns. Every write's change (new minus old) counts, so concurrent
 * increments and decrements all survive, like a CRDT counter; see {@link Counters} for the merge
 * and why it is commutative, associative and idempotent. The origin's row trigger records each
 * node's contributions in {@code syncline_delta}, for the columns {@code syncline init} was
 * given. For a whole table every numeric non-key column is a counter and other columns fall back
 * to last-write-wins; a conflict with a delete is decided by last-write-wins. Stateless and
 * thread-safe.
 */
public final class DeltaStrategy implements ConflictStrategy {

    public static final DeltaStrategy INSTANCE = new DeltaStrategy();

    @Override
    public String ruleName() {
        return "delta";
    }

    @Override
    public Resolution resolve(RowConflict conflict) {
        if (!conflict.type().bothRows()) {
            return LastWriteWinsStrategy.INSTANCE.resolve(conflict);
        }
        Map<String, String> values = new LinkedHashMap<>(conflict.local().values());
        conflict.columnTypes().forEach((column, type) -> {
            if (!conflict.key().containsKey(column)) {
                values.put(column, TypedValues.numeric(type)
                        ? resolveColumn(conflict, column)
                        : LastWriteWinsStrategy.INSTANCE.resolveColumn(conflict, column));
            }
        });
        return Resolution.merged(values);
    }

    /** Without recorded contributions (a column {@code syncline init} was not told about): last-write-wins. */
    @Override
    public String resolveColumn(RowConflict conflict, String column) {
        return Counters.mergedValue(conflict.local(), conflict.remote(), column)
                .orElseGet(() -> LastWriteWinsStrategy.INSTANCE.resolveColumn(conflict, column));
    }
}
