package io.syncline.conflict;

import io.syncline.core.spi.Resolution;
import io.syncline.core.spi.RowConflict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The conflict policy of one table: the table's {@link ConflictStrategy}, and per-column
 * strategies that override it for their columns when both sides hold a row. With column rules,
 * the row is the table strategy's row with each overridden column replaced by its rule's value
 * (a merged row). {@link ColumnMergeStrategy} applies the column rules itself, only to columns
 * changed on both sides. Immutable and thread-safe.
 */
public final class TablePolicy {

    private final ConflictStrategy table;
    private final Map<String, ConflictStrategy> columns;
    private final String ruleName;

    public TablePolicy(ConflictStrategy table, Map<String, ConflictStrategy> columns) {
        this.table = Objects.requireNonNull(table, "table");
        this.columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        this.ruleName = columns.isEmpty() ? table.ruleName() : table.ruleName() + columns.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().ruleName())
                .collect(Collectors.joining(", ", " (", ")"));
    }

    /** The same strategy for every column. */
    public static TablePolicy of(ConflictStrategy strategy) {
        return new TablePolicy(strategy, Map.of());
    }

    /** For {@code syncline.conflict_log.rule}: the table's rule and its column overrides, e.g. {@code lww (qty=max)}. */
    public String ruleName() {
        return ruleName;
    }

    /** Whether the table's strategy and every column strategy converge ({@link ConflictStrategy#convergent()}). */
    public boolean convergent() {
        return table.convergent() && columns.values().stream().allMatch(ConflictStrategy::convergent);
    }

    public Resolution resolve(RowConflict conflict) {
        Resolution base = table.resolve(conflict);
        if (columns.isEmpty() || table instanceof ColumnMergeStrategy || !conflict.type().bothRows()
                || base.kind() == Resolution.Kind.DELETE) {
            return base;
        }
        Map<String, String> values = new LinkedHashMap<>(switch (base.kind()) {
            case TAKE_REMOTE -> conflict.remote().values();
            case MERGED -> merge(conflict.local().values(), base.values());
            default -> conflict.local().values();
        });
        columns.forEach((column, strategy) -> {
            if (values.containsKey(column) && !conflict.key().containsKey(column)) {
                values.put(column, strategy.resolveColumn(conflict, column));
            }
        });
        return Resolution.merged(values);
    }

    private static Map<String, String> merge(Map<String, String> local, Map<String, String> merged) {
        Map<String, String> values = new LinkedHashMap<>(local);
        values.putAll(merged);
        return values;
    }
}
