package io.syncline.schema.ddl;

import io.syncline.core.config.TableName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a schema change can alter in one table: its columns, its indexes and its constraints, each
 * as the catalog prints it. Immutable.
 *
 * @param table       the table
 * @param columns     its columns in {@code attnum} order
 * @param indexes     index name to {@code pg_get_indexdef}
 * @param constraints constraint name to its kind ({@code pg_constraint.contype}) and {@code pg_get_constraintdef}
 */
public record TableDefinition(TableName table, List<ColumnDefinition> columns, Map<String, String> indexes,
        Map<String, Constraint> constraints) {

    /** A constraint: {@code kind} is {@code p}rimary key, {@code u}nique, {@code c}heck, {@code f}oreign key, e{@code x}clusion. */
    public record Constraint(char kind, String definition) {}

    public TableDefinition {
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        // Sorted, so that changes are found and reported in the same order every time.
        indexes = Collections.unmodifiableMap(new TreeMap<>(indexes));
        constraints = Collections.unmodifiableMap(new TreeMap<>(constraints));
    }

    /** Columns by {@code attnum}. */
    Map<Integer, ColumnDefinition> columnsByPosition() {
        Map<Integer, ColumnDefinition> byPosition = new LinkedHashMap<>();
        columns.forEach(c -> byPosition.put(c.position(), c));
        return byPosition;
    }
}
